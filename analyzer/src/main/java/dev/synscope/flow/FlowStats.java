package dev.synscope.flow;

import java.util.List;

/**
 * Flow-table counters for the report: nothing leaves the table without being counted.
 *
 * @param emergencies the spans in which the table was full and ran on emergency timeouts
 */
public record FlowStats(
    long created, long expired, long evicted, long portReuses, long endOfInput, long peakFlows, int maxFlows,
    List<Emergency> emergencies) {

  /**
   * One span of emergency mode: from the first connection that found the table full to the
   * expiry pass that brought it back under the recovery mark (or the end of input, then
   * {@code endNanos} is the last packet time and {@code open} is true).
   *
   * @param evicted connections pushed out during the span
   * @param expiredEarly connections expired by the shorter emergency timeouts during the span
   */
  public record Emergency(long startNanos, long endNanos, boolean open, long evicted, long expiredEarly) {}
}
