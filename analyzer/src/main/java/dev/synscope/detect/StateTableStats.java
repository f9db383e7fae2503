package dev.synscope.detect;

/**
 * What a bounded table of analysis state went through: the report's {@code
 * stats.state.<name>}.
 *
 * @param cap entries it may hold (from the memory budget or {@code --param})
 * @param peak most entries held at once
 * @param evicted entries pushed out to make room
 * @param evictedBusy of those, entries in an open episode (their verdicts may have changed)
 * @param refused for a table that keeps its first entries and counts the rest instead of
 *     evicting: what it did not keep (null for tables that evict)
 */
public record StateTableStats(String name, long cap, long peak, long evicted, long evictedBusy, Long refused) {
  public StateTableStats(String name, long cap, long peak, long evicted, long evictedBusy) {
    this(name, cap, peak, evicted, evictedBusy, null);
  }

  /** A table that keeps its first {@code cap} entries and counts what it refused. */
  public static StateTableStats refusing(String name, long cap, long peak, long refused) {
    return new StateTableStats(name, cap, peak, 0, 0, refused);
  }
}
