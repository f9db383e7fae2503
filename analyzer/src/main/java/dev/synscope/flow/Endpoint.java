package dev.synscope.flow;

import dev.synscope.decode.Segment;

/** One side of a tracked connection: mutable, owned by the state machine, never shown outside. */
final class Endpoint {
  // Zeek's history flags: a letter is logged the first time, and S/H/F/R again only when the
  // sequence number differs.
  static final int HIST_SYN = 1;
  static final int HIST_FIN = 2;
  static final int HIST_RST = 4;
  static final int HIST_ACK = 8;
  static final int HIST_DATA = 16;
  static final int HIST_FIN_RST = 32;
  static final int HIST_MULTI_FLAG = 64;

  EndpointState state = EndpointState.INACTIVE;
  EndpointState prevState = EndpointState.INACTIVE;
  int historyFlags;
  long histLastSyn = -1;
  long histLastFin = -1;
  long histLastRst = -1;

  boolean seqInitialized;
  /** Sequence number before the first byte (the ISN, or first seq - 1 when picked up mid-stream). */
  long startSeq;
  /** Highest sequence number sent + 1 (unsigned 32-bit arithmetic, tracked as a forward delta). */
  long lastSeq;
  /** Highest acknowledgement the peer sent for this side's data. */
  long ackSeq;
  /** Whether it sent a SYN or SYN-ACK: the syn fields below then hold the first one. */
  boolean sawSyn;
  long isn = -1;
  // Its first SYN or SYN-ACK (SynInfo's fields), kept here rather than as a SynInfo: an object
  // per side that lived as long as its connection was copied by the collector, often twice.
  long synNanos;
  long synFrame;
  int synInput;
  long synSeq;
  long synAck;
  int synFlags;
  int synWindow;
  int synTtl;
  int synMss;
  int synWindowScale;
  boolean synSackPermitted;
  boolean synHasTimestamps;
  long synTsVal;
  long synTsEcr;
  int synTfoCookieLength;
  int synOptionCount;
  int synPayloadLength;
  int synRetransmissions;
  int synAcksSent;
  /** Bare SYN seq (active opener), or -1; SYN-ACK seq when it answered a SYN, or -1. */
  long bareSynSeq = -1;
  long synAckSeq = -1;

  long packets;
  long payloadBytesSeen;
  int finCount;
  long firstFinNanos = -1;
  int rstCount;
  RstInfo firstRst;
  long firstDataNanos = -1;
  /** TSval of this side's first non-SYN segment after its SYN or SYN-ACK, and when it was seen. */
  long tsValAfterSyn = -1;
  long tsValAfterSynNanos = -1;
  long retransmits;
  long retransmitThreshold = 1;
  long zeroWindows;
  long zeroWindowThreshold = 1;

  /** Back to the state of a new endpoint (see {@link Connection#reset()}). */
  void reset() {
    state = EndpointState.INACTIVE;
    prevState = EndpointState.INACTIVE;
    historyFlags = 0;
    histLastSyn = -1;
    histLastFin = -1;
    histLastRst = -1;
    seqInitialized = false;
    startSeq = 0;
    lastSeq = 0;
    ackSeq = 0;
    sawSyn = false;
    isn = -1;
    synNanos = 0;
    synFrame = 0;
    synInput = 0;
    synSeq = 0;
    synAck = 0;
    synFlags = 0;
    synWindow = 0;
    synTtl = 0;
    synMss = 0;
    synWindowScale = 0;
    synSackPermitted = false;
    synHasTimestamps = false;
    synTsVal = 0;
    synTsEcr = 0;
    synTfoCookieLength = 0;
    synOptionCount = 0;
    synPayloadLength = 0;
    synRetransmissions = 0;
    synAcksSent = 0;
    bareSynSeq = -1;
    synAckSeq = -1;
    packets = 0;
    payloadBytesSeen = 0;
    finCount = 0;
    firstFinNanos = -1;
    rstCount = 0;
    firstRst = null;
    firstDataNanos = -1;
    tsValAfterSyn = -1;
    tsValAfterSynNanos = -1;
    retransmits = 0;
    retransmitThreshold = 1;
    zeroWindows = 0;
    zeroWindowThreshold = 1;
  }

  /** Reads fields spread over the cache lines this endpoint spans (see FlowTable.warm). */
  long warm() {
    return historyFlags + isn + synTsEcr + tsValAfterSynNanos + (firstRst == null ? 0 : 1);
  }

  /** Keeps {@code s} as this side's first SYN or SYN-ACK (the caller sets {@link #sawSyn}). */
  void recordSyn(Segment s) {
    synNanos = s.timestampNanos;
    synFrame = s.frameNumber;
    synInput = s.inputIndex;
    synSeq = s.seq;
    synAck = s.ack;
    synFlags = s.flags;
    synWindow = s.window;
    synTtl = s.ttl;
    synMss = s.mss;
    synWindowScale = s.windowScale;
    synSackPermitted = s.sackPermitted;
    synHasTimestamps = s.hasTimestamps;
    synTsVal = s.tsVal;
    synTsEcr = s.tsEcr;
    synTfoCookieLength = s.tfoCookieLength;
    synOptionCount = s.optionCount;
    synPayloadLength = s.payloadLength;
  }

  /** Its first SYN or SYN-ACK as a value, or null; made on each call, for events and summaries. */
  SynInfo syn() {
    return sawSyn
        ? new SynInfo(synNanos, synFrame, synInput, synSeq, synAck, synFlags, synWindow, synTtl, synMss,
            synWindowScale, synSackPermitted, synHasTimestamps, synTsVal, synTsEcr, synTfoCookieLength,
            synOptionCount, synPayloadLength)
        : null;
  }

  void setState(EndpointState next) {
    prevState = state;
    state = next;
  }

  /** Zeek's CheckHistory: true if the flag was already set (so a repeat may be logged). */
  boolean checkHistory(int mask, char code, Connection c, boolean isOrig) {
    if ((historyFlags & mask) == 0) {
      historyFlags |= mask;
      c.addHistory(isOrig ? code : Character.toLowerCase(code));
      return false;
    }
    return true;
  }

  /** Bytes by sequence space (Zeek's endpoint size): payload between the start and the last seq. */
  long size() {
    if (!seqInitialized) {
      return 0;
    }
    // Zeek's Size(): from the start to the larger of last seq and acked seq, less the SYN octet
    // (assumed even mid-stream, where the start was set one before the first seq) and the FIN.
    if (prevState == EndpointState.SYN_SENT && state == EndpointState.RESET) {
      return 0;
    }
    long end = ((int) (ackSeq - lastSeq)) > 0 ? ackSeq : lastSeq;
    long span = (end - startSeq) & 0xffffffffL;
    if (span > 0) span--;
    if (finCount > 0 && span > 0) span--;
    return span;
  }

  EndpointSummary summary() {
    return new EndpointSummary(
        state, isn, syn(), packets, size(), payloadBytesSeen, synRetransmissions, finCount, rstCount,
        firstRst, firstFinNanos, firstDataNanos, retransmits, zeroWindows, tsValAfterSyn, tsValAfterSynNanos);
  }
}
