package dev.synscope.flow;

/**
 * What is known about a connection that has left the flow table: either its {@link
 * ConnectionSummary} (a value, kept as long as wanted) or the table's read-only view of the
 * connection being removed, which {@link ConnectionEvent.Removed} carries. The view reads the
 * table's own state and builds nothing, so the connections nobody keeps cost no record; it is
 * valid only while the Removed event is being handled. A consumer that keeps anything past that
 * keeps {@link #summary()}.
 */
public sealed interface ConnectionView permits ConnectionSummary, RemovedConnection {
  FlowId id();

  long startNanos();

  /** Index of the input its first packet came from (packet numbers count there). */
  int startInput();

  long lastNanos();

  /** Zeek's conn_state. */
  String connState();

  /** Zeek's history. */
  String history();

  EndpointView orig();

  EndpointView resp();

  /** First SYN from orig, or -1. */
  long synNanos();

  /** First SYN-ACK from resp, or -1. */
  long synAckNanos();

  /** The ACK that completed the handshake, or -1. */
  long ackNanos();

  /** Its packet number, or 0. */
  long ackFrame();

  /** The input that packet is in. */
  int ackInput();

  /** Handshake half-RTT measured without retransmissions (Karn), or -1. */
  long synToSynAckNanos();

  /** The other half, or -1. */
  long synAckToAckNanos();

  /** SYN-ACKs resp sent after the 3rd ACK (accept-queue drop mode). */
  int synAcksAfterHandshakeAck();

  boolean handshakeCompleted();

  boolean selfConnect();

  boolean simultaneousOpen();

  /** Who sent the first FIN, or null. */
  Role closedFirst();

  /** The connection this one reused the 4-tuple of, or null. */
  String previousUid();

  RemovalCause removal();

  default long durationNanos() {
    return lastNanos() - startNanos();
  }

  /** This connection as a value that stays valid: the record itself, or one made from the view. */
  ConnectionSummary summary();
}
