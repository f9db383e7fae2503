package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import java.util.List;

/**
 * A policy over connection events (Zeek's scripts, Suricata's rules): keeps its own small
 * windows and counters, and never sees packets or mutable connections. Events arrive in
 * packet-time order; {@link #findings()} is called once, after the last event.
 */
public interface Detector {
  /** Stable kebab-case id, used in reports, --detectors and --param. */
  String id();

  void onEvent(ConnectionEvent event);

  /**
   * The input has ended; the connections still open will now be removed (their Removed events
   * follow). Detectors that judge time windows close the last one here.
   */
  default void onEndOfInput(long lastPacketNanos) {}

  /** Findings, one per target and episode. */
  List<Finding> findings();

  /**
   * The bounded tables this detector keeps its per-target state in, for the report's {@code
   * stats.state}: a detector whose state grows with the targets it sees keeps it in {@link
   * BoundedTable}s and lists them here.
   */
  default List<StateTableStats> stateTables() {
    return List.of();
  }
}
