package dev.synscope.flow;

/**
 * Flow-table bounds, in packet time.
 *
 * @param maxFlows connections held at once; beyond it the oldest half-open (then closed, then
 *     established) connection is evicted and counted
 * @param halfOpenTimeoutNanos idle time before a connection without a completed handshake is
 *     dropped: 75 s covers Linux's SYN retries at 0, 1, 3, 7, 15, 31, 63 s
 * @param establishedTimeoutNanos idle time for an established connection (Zeek: 5 min)
 * @param closedTimeoutNanos how long a closed or reset 4-tuple is remembered, to see port reuse
 *     while the closer holds TIME_WAIT (60 s on Linux)
 */
public record FlowConfig(
    int maxFlows, long halfOpenTimeoutNanos, long establishedTimeoutNanos, long closedTimeoutNanos) {
  public static final int DEFAULT_MAX_FLOWS = 1_000_000;

  public static FlowConfig defaults() {
    return new FlowConfig(DEFAULT_MAX_FLOWS, 75_000_000_000L, 300_000_000_000L, 60_000_000_000L);
  }

  public FlowConfig withMaxFlows(int n) {
    return new FlowConfig(n, halfOpenTimeoutNanos, establishedTimeoutNanos, closedTimeoutNanos);
  }
}
