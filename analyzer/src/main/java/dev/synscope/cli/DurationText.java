package dev.synscope.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How synscope's front ends read a duration option: "30s", "5m", "1.5h", "250ms", "2d"; a bare
 * number is seconds. Each option words its own error and range.
 */
public final class DurationText {
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

  private DurationText() {}

  /** The nanoseconds {@code text} says, or -1 when it is not a duration. */
  public static double nanos(String text) {
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return value * switch (unit) {
      case "ms" -> 1e6;
      case "m" -> 60e9;
      case "h" -> 3600e9;
      case "d" -> 86400e9;
      default -> 1e9;
    };
  }
}
