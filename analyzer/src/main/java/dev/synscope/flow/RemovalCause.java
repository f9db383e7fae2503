package dev.synscope.flow;

/** Why a connection left the flow table. */
public enum RemovalCause {
  /** Idle longer than its phase's timeout, in packet time. */
  IDLE_TIMEOUT,
  /** Pushed out because the table was full (counted in the report). */
  EVICTED,
  /** A new connection reused its 4-tuple. */
  REUSED,
  /** Still open when the input ended. */
  END_OF_INPUT
}
