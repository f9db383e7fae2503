package dev.synscope.flow;

/**
 * One endpoint of a finished connection as the wire showed it.
 *
 * @param isn initial sequence number, or -1 when no SYN was seen from it
 * @param syn its first SYN or SYN-ACK, or null
 * @param bytes payload bytes by sequence space, as Zeek's orig_bytes/resp_bytes
 * @param synRetransmissions SYNs (or SYN-ACKs) repeated with the same ISN
 * @param firstRst its first RST, or null
 * @param firstFinNanos time of its first FIN, or -1
 * @param firstDataNanos time of its first payload, or -1
 * @param tsValAfterSyn TSval of its first non-SYN segment after its SYN (or SYN-ACK), or -1;
 *     with the SYN's TSval it shows whether the SYN-ACK's timestamp lagged the clock (SYN cookie)
 * @param tsValAfterSynNanos when that segment was seen, or -1
 * @param finAcknowledged its FIN was acknowledged by the peer (whose socket then held CLOSE_WAIT)
 * @param dataAfterPeerFin it sent payload after its peer's FIN (a half-close used on purpose)
 */
public record EndpointSummary(
    EndpointState state,
    long isn,
    SynInfo syn,
    long packets,
    long bytes,
    long payloadBytesSeen,
    int synRetransmissions,
    int finCount,
    int rstCount,
    RstInfo firstRst,
    long firstFinNanos,
    long firstDataNanos,
    long retransmittedSegments,
    long zeroWindows,
    long tsValAfterSyn,
    long tsValAfterSynNanos,
    boolean finAcknowledged,
    boolean dataAfterPeerFin) {}
