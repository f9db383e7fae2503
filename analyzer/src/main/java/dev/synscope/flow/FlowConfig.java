package dev.synscope.flow;

/**
 * Flow-table bounds, in packet time.
 *
 * @param maxFlows connections held at once; when a new one finds the table full, the table enters
 *     emergency mode (below) and, if that frees nothing, evicts the oldest half-open (then closed,
 *     then established) connection, and counts it
 * @param halfOpenTimeoutNanos idle time before a connection without a completed handshake is
 *     dropped: 75 s covers Linux's SYN retries at 0, 1, 3, 7, 15, 31, 63 s
 * @param establishedTimeoutNanos idle time for an established connection (Zeek: 5 min)
 * @param closedTimeoutNanos how long a closed or reset 4-tuple is remembered, to see port reuse
 *     while the closer holds TIME_WAIT (60 s on Linux)
 * @param emergencyHalfOpenTimeoutNanos the half-open timeout while the table is full (Suricata's
 *     emergency mode: a flood's half-open entries go first, legitimate handshakes complete in
 *     milliseconds)
 * @param emergencyEstablishedTimeoutNanos the established timeout while the table is full
 * @param emergencyClosedTimeoutNanos the closed timeout while the table is full
 */
public record FlowConfig(
    int maxFlows,
    long halfOpenTimeoutNanos,
    long establishedTimeoutNanos,
    long closedTimeoutNanos,
    long emergencyHalfOpenTimeoutNanos,
    long emergencyEstablishedTimeoutNanos,
    long emergencyClosedTimeoutNanos) {
  public static final int DEFAULT_MAX_FLOWS = 1_000_000;
  private static final long SECOND = 1_000_000_000L;

  /** Normal timeouts as given, emergency ones at their defaults (never longer than the normal). */
  public FlowConfig(int maxFlows, long halfOpenTimeoutNanos, long establishedTimeoutNanos, long closedTimeoutNanos) {
    this(maxFlows, halfOpenTimeoutNanos, establishedTimeoutNanos, closedTimeoutNanos,
        Math.min(halfOpenTimeoutNanos, 5 * SECOND), Math.min(establishedTimeoutNanos, 100 * SECOND),
        Math.min(closedTimeoutNanos, 10 * SECOND));
  }

  public static FlowConfig defaults() {
    return new FlowConfig(DEFAULT_MAX_FLOWS, 75 * SECOND, 300 * SECOND, 60 * SECOND);
  }

  public FlowConfig withMaxFlows(int n) {
    return new FlowConfig(n, halfOpenTimeoutNanos, establishedTimeoutNanos, closedTimeoutNanos,
        emergencyHalfOpenTimeoutNanos, emergencyEstablishedTimeoutNanos, emergencyClosedTimeoutNanos);
  }
}
