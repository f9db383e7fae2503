package dev.synscope.report;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** How numbers, sizes, durations and times read in the reports meant for people (HTML, text, progress). */
public final class Formats {
  private Formats() {}

  /** 1,234,567. */
  public static String num(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** 4000 B, 282.9 KB, 1047.3 MB, 12.4 GB: at most four digits before the point. */
  public static String bytes(long b) {
    if (b < 10_000) {
      return b + " B";
    }
    if (b < 10_000_000) {
      return String.format(Locale.ROOT, "%.1f KB", b / 1e3);
    }
    if (b < 10_000_000_000L) {
      return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
    }
    return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
  }

  /** 12.345 ms, 6.602 s, 13 min 07 s, 2 h 05 min 00 s. */
  public static String duration(Duration d) {
    long nanos = d.toNanos();
    if (nanos < 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }
    double s = nanos / 1e9;
    if (s < 120) {
      return String.format(Locale.ROOT, "%.3f s", s);
    }
    long secs = (long) s;
    return secs >= 3600
        ? String.format(Locale.ROOT, "%d h %02d min %02d s", secs / 3600, (secs / 60) % 60, secs % 60)
        : String.format(Locale.ROOT, "%d min %02d s", secs / 60, secs % 60);
  }

  /** "22:14:06.786" (UTC), for compact tables; "-" for none. */
  public static String clock(Instant t) {
    if (t == null) {
      return "-";
    }
    String iso = t.toString();
    int tIndex = iso.indexOf('T');
    String time = iso.substring(tIndex + 1, iso.length() - 1);
    return time.length() > 12 ? time.substring(0, 12) : time;
  }

  /** An ISO-8601 time of the report, or null when absent or unreadable. */
  public static Instant instant(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
