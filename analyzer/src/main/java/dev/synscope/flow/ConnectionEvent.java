package dev.synscope.flow;

/**
 * What the state machine tells the detectors, in packet-time order: immutable, past tense, one
 * record per fact, every one a self-contained value (valid after dispatch, on any thread).
 * Detectors never see packets or mutable connections.
 */
public sealed interface ConnectionEvent {
  long timestampNanos();

  FlowId id();

  /** orig's first SYN: a connection attempt to resp. */
  record Attempted(long timestampNanos, FlowId id, SynInfo syn) implements ConnectionEvent {}

  /**
   * orig sent its SYN again with the same ISN ({@code count} = retransmissions so far), {@code
   * sinceFirstSynNanos} after its first (a stack's timer: 1 s, then 3 s on Linux; a flood tool's
   * duplicate comes milliseconds later).
   */
  record SynRetransmitted(long timestampNanos, FlowId id, long frameNumber, int count, long sinceFirstSynNanos)
      implements ConnectionEvent {}

  /**
   * resp sent a SYN-ACK. {@code syn} is the SYN it answers (orig's first SYN, or null when not
   * seen). {@code count} 0 is the first; more are retransmissions with the same ISN.
   * {@code afterHandshakeAck}: the 3rd ACK had already been seen (accept-queue drop mode).
   */
  record SynAckSent(
      long timestampNanos, FlowId id, SynInfo synAck, SynInfo syn, int count, boolean afterHandshakeAck)
      implements ConnectionEvent {}

  /**
   * The handshake completed: orig ACKed resp's SYN-ACK. The half-RTTs are -1 when a
   * retransmission made them ambiguous.
   */
  record Established(
      long timestampNanos, FlowId id, long frameNumber, long synToSynAckNanos, long synAckToAckNanos)
      implements ConnectionEvent {}

  /**
   * orig acknowledged a SYN-ACK the capture does not hold: after its SYN, with nothing seen from
   * resp, it sent an ACK whose sequence number follows its SYN. The capture holds one direction of
   * this connection (a span port, asymmetric routing): the SYN was answered, and the handshake
   * most likely completed.
   */
  record AnsweredUnseen(long timestampNanos, FlowId id, long frameNumber) implements ConnectionEvent {}

  /** resp answered the SYN with RST: nothing listens there (or a firewall rejects). */
  record Rejected(long timestampNanos, FlowId id, RstInfo rst) implements ConnectionEvent {}

  /**
   * An endpoint sent its first RST (other than a rejection).
   *
   * @param handshakeAckNanos when the 3rd ACK was seen, or -1
   * @param senderPayloadBytes payload the RST's sender had sent before it
   * @param peerPayloadBytes payload its peer had sent before it
   * @param senderIsn the sender's ISN, or -1
   * @param synToSynAckNanos SYN to SYN-ACK at the capture point, or -1: the time the server's
   *     kernel takes to answer a segment, seen from here (a reset sent by the kernel in reply to
   *     the 3rd ACK comes after about as long)
   */
  record Reset(
      long timestampNanos,
      FlowId id,
      Role by,
      RstInfo rst,
      long handshakeAckNanos,
      long senderPayloadBytes,
      long peerPayloadBytes,
      long senderIsn,
      long synToSynAckNanos)
      implements ConnectionEvent {}

  /**
   * An endpoint sent its first segment with a timestamp after its SYN or SYN-ACK: with the
   * SYN-ACK's TSval it shows whether that TSval lagged the clock (a SYN cookie).
   */
  record TimestampAfterSyn(long timestampNanos, FlowId id, Role by, long tsVal) implements ConnectionEvent {}

  /** An endpoint sent its first payload byte (the server, for instance, after accept()). */
  record DataStarted(long timestampNanos, FlowId id, Role by) implements ConnectionEvent {}

  /**
   * Both sides have sent FIN (a graceful close); {@code closedFirst} holds TIME_WAIT, and so does
   * its peer when the FINs crossed ({@code simultaneous}: the second FIN did not ACK the first).
   */
  record Closed(long timestampNanos, FlowId id, long frameNumber, Role closedFirst, boolean simultaneous)
      implements ConnectionEvent {}

  /**
   * An endpoint sent its first FIN: its socket left ESTABLISHED for FIN_WAIT1 (or CLOSE_WAIT for
   * LAST_ACK when its peer's FIN came first). In one segment that also acknowledges the peer's
   * FIN, the {@link FinAcked} for that comes first.
   */
  record FinSent(long timestampNanos, FlowId id, long frameNumber, Role by) implements ConnectionEvent {}

  /**
   * The peer acknowledged {@code by}'s FIN: the peer's socket took it (CLOSE_WAIT, or CLOSING /
   * TIME_WAIT when it had closed too) and {@code by}'s left FIN_WAIT1 (or LAST_ACK, for good).
   */
  record FinAcked(long timestampNanos, FlowId id, Role by) implements ConnectionEvent {}

  /** A SYN with a new ISN reopened the 4-tuple of {@code previous}. */
  record PortReused(
      long timestampNanos, FlowId id, FlowId previous, long previousLastNanos, String previousConnState, Role previousClosedFirst)
      implements ConnectionEvent {}

  /** Both sides sent a bare SYN on one 4-tuple (simultaneous open, or a split handshake). */
  record SimultaneousOpen(long timestampNanos, FlowId id, long frameNumber) implements ConnectionEvent {}

  /** A connection whose source and destination are the same ip:port. */
  record SelfConnected(long timestampNanos, FlowId id, long frameNumber) implements ConnectionEvent {}

  /** The connection left the table; what is known of it is final. */
  record Removed(long timestampNanos, ConnectionSummary connection) implements ConnectionEvent {
    @Override
    public FlowId id() {
      return connection.id();
    }
  }
}
