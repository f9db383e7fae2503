package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import java.io.Serializable;
import java.util.List;
import java.util.Set;

/**
 * A policy over connection events (Zeek's scripts, Suricata's rules): keeps its own small
 * windows and counters, and never sees packets or mutable connections. Events arrive in
 * packet-time order; {@link #findings()} is called once, after the last event.
 *
 * <p>A detector is Serializable, with everything it holds: a stream engine keeps it in operator
 * memory and checkpoints it between events ({@link DetectorState}), and the copy gives the same
 * findings as the original would have.
 */
public interface Detector extends Serializable {
  /** Stable kebab-case id, used in reports, --detectors and --param. */
  String id();

  void onEvent(ConnectionEvent event);

  /**
   * The event types {@link #onEvent} acts on; the engine hands this detector only those (a
   * connection makes about a dozen events, most detectors want three or four of them). Time
   * still reaches it through {@link #onTime}. Null: every event.
   */
  default Set<Class<? extends ConnectionEvent>> events() {
    return null;
  }

  /**
   * Packet time has reached {@code packetNanos}: called by the engine once per second of packet
   * time, after that second's first frame and its events, whatever the frame was (a non-TCP
   * frame, or TCP traffic of other targets). A detector that closes episodes or expires state by
   * time does it here too, so that time passes for it when none of its targets see traffic (the
   * watermark a sharded or streaming engine delivers). Events carry the same clock: a detector
   * may also advance on them, and must give the same result either way.
   */
  default void onTime(long packetNanos) {}

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
