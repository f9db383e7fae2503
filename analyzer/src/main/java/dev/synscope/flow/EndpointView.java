package dev.synscope.flow;

/**
 * One endpoint of a finished connection as the wire showed it: an {@link EndpointSummary}, or the
 * flow table's read-only view during a Removed event (see {@link ConnectionView}).
 */
public sealed interface EndpointView permits EndpointSummary, RemovedConnection.Side {
  EndpointState state();

  /** Initial sequence number, or -1 when no SYN was seen from it. */
  long isn();

  /** Its first SYN or SYN-ACK, or null (from a view, a new value on each call). */
  SynInfo syn();

  long packets();

  /** Payload bytes by sequence space, as Zeek's orig_bytes/resp_bytes. */
  long bytes();

  long payloadBytesSeen();

  /** SYNs (or SYN-ACKs) repeated with the same ISN. */
  int synRetransmissions();

  int finCount();

  int rstCount();

  /** Its first RST, or null. */
  RstInfo firstRst();

  /** Time of its first FIN, or -1. */
  long firstFinNanos();

  /** Time of its first payload, or -1. */
  long firstDataNanos();

  long retransmittedSegments();

  long zeroWindows();

  /** TSval of its first non-SYN segment after its SYN (or SYN-ACK), or -1. */
  long tsValAfterSyn();

  /** When that segment was seen, or -1. */
  long tsValAfterSynNanos();
}
