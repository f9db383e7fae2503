package dev.synscope.flow;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Packet times as ISO-8601 UTC with nanoseconds, the one format every report uses. */
public final class Timestamps {
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn'Z'").withZone(ZoneOffset.UTC);

  private Timestamps() {}

  /** Null for "never" (negative or the MIN_VALUE sentinel). */
  public static String iso(long nanos) {
    if (nanos == Long.MIN_VALUE || nanos < 0) {
      return null;
    }
    return ISO.format(Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)));
  }

  /** Milliseconds with microsecond precision, or null for "not measured". */
  public static Double millis(long nanos) {
    if (nanos < 0) {
      return null;
    }
    return Math.round(nanos / 1_000.0) / 1_000.0;
  }

  /** Seconds with nanosecond precision. */
  public static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
