package dev.synscope.flow;

/**
 * A tracked 4-tuple: its canonical key, its two endpoints and handshake facts, and its links in
 * the flow table's per-phase idle lists. Mutable, confined to the flow package.
 */
final class Connection {
  // Canonical key: endpoint A is the smaller (address, port).
  int version;
  long aHi;
  long aLo;
  int aPort;
  long bHi;
  long bLo;
  int bPort;
  int hash;
  /** Whether endpoint A of the key is the originator. */
  boolean origIsA;

  FlowId id;
  final Endpoint orig = new Endpoint();
  final Endpoint resp = new Endpoint();
  byte[] history = new byte[8];
  int historyLength;

  long startNanos;
  /** The input file of the connection's first packet (its packet numbers count in that file). */
  int startInput;
  long lastNanos;
  long synNanos = -1;
  long synAckNanos = -1;
  long ackNanos = -1;
  long ackFrame;
  int ackInput;
  long synToSynAckNanos = -1;
  long synAckToAckNanos = -1;
  int synAcksAfterHandshakeAck;
  boolean handshakeCompleted;
  boolean selfConnect;
  boolean simultaneousOpen;
  Role closedFirst;
  boolean closedEmitted;
  boolean rejectEmitted;
  String previousUid;

  /** The flow table's row for this connection in its idle lists ({@link IdleLists}). */
  int row;

  enum Phase {
    HALF_OPEN,
    ESTABLISHED,
    CLOSED
  }

  /**
   * Makes this connection as new, for reuse by the flow table: connections are pooled so that the
   * ~1 KB of state each holds for up to a minute of packet time is not copied by every young
   * collection and then left as old-generation garbage.
   */
  void reset() {
    version = 0;
    aHi = 0;
    aLo = 0;
    aPort = 0;
    bHi = 0;
    bLo = 0;
    bPort = 0;
    hash = 0;
    origIsA = false;
    id = null;
    orig.reset();
    resp.reset();
    historyLength = 0;
    startNanos = 0;
    startInput = 0;
    lastNanos = 0;
    synNanos = -1;
    synAckNanos = -1;
    ackNanos = -1;
    ackFrame = 0;
    ackInput = 0;
    synToSynAckNanos = -1;
    synAckToAckNanos = -1;
    synAcksAfterHandshakeAck = 0;
    handshakeCompleted = false;
    selfConnect = false;
    simultaneousOpen = false;
    closedFirst = null;
    closedEmitted = false;
    rejectEmitted = false;
    previousUid = null;
    row = 0;
  }

  void addHistory(char c) {
    if (historyLength == history.length) {
      history = java.util.Arrays.copyOf(history, history.length * 2);
    }
    history[historyLength++] = (byte) c;
  }

  String historyString() {
    return new String(history, 0, historyLength, java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Zeek's conn_state, from the two endpoint states and the history. */
  String connState() {
    EndpointState os = orig.state;
    EndpointState rs = resp.state;
    boolean oInactive = os == EndpointState.INACTIVE || os == EndpointState.PARTIAL;
    boolean rInactive = rs == EndpointState.INACTIVE || rs == EndpointState.PARTIAL;
    if (rs == EndpointState.RESET) {
      if (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT
          || (os == EndpointState.RESET && orig.size() == 0 && resp.size() == 0)) {
        return "REJ";
      }
      return oInactive ? "RSTRH" : "RSTR";
    }
    if (os == EndpointState.RESET) {
      if (rInactive) {
        return historyMatchesRstos0() ? "RSTOS0" : "OTH";
      }
      return "RSTO";
    }
    if (rs == EndpointState.CLOSED && os == EndpointState.CLOSED) return "SF";
    if (os == EndpointState.CLOSED) return rInactive ? "SH" : "S2";
    if (rs == EndpointState.CLOSED) return oInactive ? "SHR" : "S3";
    if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE) return "S0";
    if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED) return "S1";
    return "OTH";
  }

  /** Zeek's pattern for RSTOS0: {@code ^?S[^HAFGIQ]*R.*}. */
  private boolean historyMatchesRstos0() {
    int i = 0;
    if (i < historyLength && history[i] == '^') i++;
    if (i >= historyLength || history[i] != 'S') return false;
    for (i++; i < historyLength; i++) {
      byte c = history[i];
      if (c == 'R') return true;
      if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
    }
    return false;
  }

  ConnectionSummary summary(RemovalCause cause) {
    return new ConnectionSummary(
        id, startNanos, startInput, lastNanos, connState(), historyString(), orig.summary(), resp.summary(),
        synNanos, synAckNanos, ackNanos, ackFrame, ackInput, synToSynAckNanos, synAckToAckNanos,
        synAcksAfterHandshakeAck, handshakeCompleted, selfConnect, simultaneousOpen, closedFirst,
        previousUid, cause);
  }
}
