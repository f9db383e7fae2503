package dev.synscope.flow;

/**
 * Everything known about a connection when it leaves the table, as a value: Zeek's conn.log
 * fields plus the handshake facts the detectors need. A value made once, when the connection
 * leaves the table: a consumer may keep it, hand it to another thread or serialise it.
 *
 * @param startInput index of the input its first packet came from (packet numbers count there)
 * @param synNanos first SYN from orig, or -1
 * @param synAckNanos first SYN-ACK from resp, or -1
 * @param ackNanos the ACK that completed the handshake, or -1
 * @param ackFrame its packet number, or 0
 * @param ackInput the input that packet is in
 * @param synToSynAckNanos handshake half-RTT measured without retransmissions (Karn), or -1
 * @param synAckToAckNanos the other half, or -1
 * @param synAcksAfterHandshakeAck SYN-ACKs resp sent after the 3rd ACK (accept-queue drop mode)
 * @param closedFirst who sent the first FIN, or null
 * @param previousUid the connection this one reused the 4-tuple of, or null
 */
public record ConnectionSummary(
    FlowId id,
    long startNanos,
    int startInput,
    long lastNanos,
    String connState,
    String history,
    EndpointSummary orig,
    EndpointSummary resp,
    long synNanos,
    long synAckNanos,
    long ackNanos,
    long ackFrame,
    int ackInput,
    long synToSynAckNanos,
    long synAckToAckNanos,
    int synAcksAfterHandshakeAck,
    boolean handshakeCompleted,
    boolean selfConnect,
    boolean simultaneousOpen,
    Role closedFirst,
    String previousUid,
    RemovalCause removal) {

  public long durationNanos() {
    return lastNanos - startNanos;
  }
}
