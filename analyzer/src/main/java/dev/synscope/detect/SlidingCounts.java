package dev.synscope.detect;

/**
 * Per-second counters over a sliding window of whole seconds, in packet time: a ring of buckets,
 * so a window of any length costs a few arrays per key and nothing per event.
 */
final class SlidingCounts implements java.io.Serializable {
  private final int seconds;
  private final int kinds;
  private final long[] buckets;
  private final long[] sums;
  private final long[] firstNanos;
  private final long[] lastNanos;
  private long currentSecond = Long.MIN_VALUE;

  SlidingCounts(int seconds, int kinds) {
    this.seconds = seconds;
    this.kinds = kinds;
    this.buckets = new long[seconds * kinds];
    this.sums = new long[kinds];
    this.firstNanos = new long[seconds];
    this.lastNanos = new long[seconds];
    java.util.Arrays.fill(firstNanos, Long.MAX_VALUE);
    java.util.Arrays.fill(lastNanos, Long.MIN_VALUE);
  }

  /** The second the newest bucket holds, or Long.MIN_VALUE before the first event. */
  long currentSecond() {
    return currentSecond;
  }

  /** Makes {@code second} the newest bucket, clearing the buckets that fall out of the window. */
  void advanceTo(long second) {
    if (currentSecond != Long.MIN_VALUE && second <= currentSecond) {
      return;
    }
    long clear = currentSecond == Long.MIN_VALUE ? seconds : Math.min(second - currentSecond, seconds);
    for (long s = 0; s < clear; s++) {
      int b = (int) Math.floorMod(second - s, (long) seconds);
      for (int k = 0; k < kinds; k++) {
        sums[k] -= buckets[b * kinds + k];
        buckets[b * kinds + k] = 0;
      }
      firstNanos[b] = Long.MAX_VALUE;
      lastNanos[b] = Long.MIN_VALUE;
    }
    currentSecond = second;
  }

  /** Counts one event of a kind at {@code nanos}, which must lie in the current second. */
  void add(int kind, long nanos) {
    int b = (int) Math.floorMod(currentSecond, (long) seconds);
    buckets[b * kinds + kind]++;
    sums[kind]++;
    firstNanos[b] = Math.min(firstNanos[b], nanos);
    lastNanos[b] = Math.max(lastNanos[b], nanos);
  }

  /** Total of one kind over the window. */
  long sum(int kind) {
    return sums[kind];
  }

  /** One kind in the newest bucket. */
  long newest(int kind) {
    return buckets[(int) Math.floorMod(currentSecond, (long) seconds) * kinds + kind];
  }

  /** One kind in the bucket {@code back} seconds before the newest (0: the newest), or 0. */
  long at(int back, int kind) {
    return back < 0 || back >= seconds ? 0 : buckets[(int) Math.floorMod(currentSecond - back, (long) seconds) * kinds + kind];
  }

  /** Time of the first event in the bucket {@code back} seconds before the newest, or Long.MAX_VALUE. */
  long firstEventNanos(int back) {
    return back < 0 || back >= seconds ? Long.MAX_VALUE : firstNanos[(int) Math.floorMod(currentSecond - back, (long) seconds)];
  }

  /** Time of the first event in the window, or Long.MAX_VALUE if none. */
  long firstEventNanos() {
    long min = Long.MAX_VALUE;
    for (long f : firstNanos) min = Math.min(min, f);
    return min;
  }

  /** Time of the last event in the window, or Long.MIN_VALUE if none. */
  long lastEventNanos() {
    long max = Long.MIN_VALUE;
    for (long l : lastNanos) max = Math.max(max, l);
    return max;
  }
}
