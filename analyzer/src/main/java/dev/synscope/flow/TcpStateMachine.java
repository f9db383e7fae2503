package dev.synscope.flow;

import static dev.synscope.flow.ConnectionRows.E_BARE_SYN;
import static dev.synscope.flow.ConnectionRows.F_ANSWERED_UNSEEN;
import static dev.synscope.flow.ConnectionRows.E_HIST_FIN;
import static dev.synscope.flow.ConnectionRows.E_HIST_RST;
import static dev.synscope.flow.ConnectionRows.E_HIST_SYN;
import static dev.synscope.flow.ConnectionRows.E_SAW_SYN;
import static dev.synscope.flow.ConnectionRows.E_SEQ_INIT;
import static dev.synscope.flow.ConnectionRows.E_SYNACK_SEQ;
import static dev.synscope.flow.ConnectionRows.E_TS_AFTER_SYN;
import static dev.synscope.flow.ConnectionRows.F_CLOSED_EMITTED;
import static dev.synscope.flow.ConnectionRows.F_CLOSED_FIRST_ORIG;
import static dev.synscope.flow.ConnectionRows.F_CLOSED_FIRST_RESP;
import static dev.synscope.flow.ConnectionRows.F_HANDSHAKE;
import static dev.synscope.flow.ConnectionRows.F_REJECT_EMITTED;
import static dev.synscope.flow.ConnectionRows.F_SELF;
import static dev.synscope.flow.ConnectionRows.F_SIM_OPEN;
import static dev.synscope.flow.ConnectionRows.u32;

import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;

/**
 * Updates a connection's two endpoints for one segment, the way Zeek's TCP analyzer does
 * (endpoint states, history letters, sequence-space sizes), and emits the handshake facts the
 * detectors consume. It works on row numbers of {@link ConnectionRows}: {@code r} a connection,
 * {@code e} the sending endpoint ({@code r * 2 + side}), {@code p} its peer ({@code e ^ 1}); the
 * endpoint logic is written once and parameterised by direction.
 */
final class TcpStateMachine {
  /** Larger jumps in a SYN's or RST's sequence number are not trusted (Zeek: 1 MiB). */
  private static final int TOO_LARGE_SEQ_DELTA = 1 << 20;
  private static final int INACTIVE = EndpointState.INACTIVE.ordinal();

  private final ConnectionRows rows;
  private final FlowTable table;
  private final EventSink sink;

  TcpStateMachine(ConnectionRows rows, FlowTable table, EventSink sink) {
    this.rows = rows;
    this.table = table;
    this.sink = sink;
  }

  void update(int r, boolean isOrig, Segment s) {
    ConnectionRows x = rows;
    int e = r * 2 + (isOrig ? 0 : 1);
    int p = e ^ 1;
    Role role = isOrig ? Role.ORIG : Role.RESP;
    int flags = s.flags;
    boolean syn = (flags & TcpFlags.SYN) != 0;
    boolean ack = (flags & TcpFlags.ACK) != 0;
    boolean fin = (flags & TcpFlags.FIN) != 0;
    boolean rst = (flags & TcpFlags.RST) != 0;
    int len = s.payloadLength;
    long seq = s.seq;
    long now = s.timestampNanos;

    x.setLastNanos(r, now);
    x.countPacket(e);
    if (len > 0 && !rst) {
      x.addPayload(e, len);
      if (x.has(p, ConnectionRows.E_HIST_FIN)) {
        x.set(e, ConnectionRows.E_DATA_AFTER_PEER_FIN);
      }
      if (!x.has(e, ConnectionRows.E_DATA)) {
        x.set(e, ConnectionRows.E_DATA);
        int ce = x.coldEndpointForWrite(e);
        x.setFirstData(ce, now);
        sink.accept(new ConnectionEvent.DataStarted(now, table.id(r), role));
      }
    }

    int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
    long seqEnd = (seq + segLen) & 0xffffffffL;
    initEndpoint(e, syn, seq, seqEnd);
    updateHistory(r, e, isOrig, syn, ack, fin, rst, seq, len);
    if (s.window == 0 && !rst && x.state(p) != EndpointState.CLOSED && x.state(e) != EndpointState.RESET) {
      int ce = x.coldEndpointForWrite(e);
      if (isPowerOfTen(x.countZeroWindow(ce))) {
        x.addHistory(r, isOrig ? 'W' : 'w');
      }
    }

    if (syn) {
      onSyn(r, e, p, role, s, ack);
    } else if (s.hasTimestamps && !rst && x.has(e, E_SAW_SYN) && !x.has(e, E_TS_AFTER_SYN)) {
      x.setTsValAfterSyn(e, s.tsVal, now);
      sink.accept(new ConnectionEvent.TimestampAfterSyn(now, table.id(r), role, s.tsVal));
    }
    boolean firstFin = false;
    if (fin) {
      int ce = x.coldEndpointForWrite(e);
      if (x.countFin(ce, now)) {
        firstFin = true;
        if (x.closedFirst(r) == null) {
          x.setFlag(r, isOrig ? F_CLOSED_FIRST_ORIG : F_CLOSED_FIRST_RESP);
        }
      }
    }
    boolean firstRst = false;
    if (rst) {
      int ce = x.coldEndpointForWrite(e);
      if (x.countRst(ce)) {
        x.recordRst(ce, s, ack);
        firstRst = true;
      }
    }
    if (ack) {
      if (x.stateOrdinal(p) == INACTIVE && !x.has(p, E_SEQ_INIT)) {
        int base = (int) (s.ack - 1);
        x.setStartSeq(p, base);
        x.setLastSeq(p, base);
        x.setAckSeq(p, base);
        x.set(p, E_SEQ_INIT);
      } else if (!rst) {
        int deltaAck = (int) (s.ack - u32(x.ackSeq(p)));
        if (!(s.ack == 0 && deltaAck > TOO_LARGE_SEQ_DELTA) && deltaAck > 0) {
          x.setAckSeq(p, (int) s.ack);
        }
      }
      if (!rst && x.has(p, ConnectionRows.E_HIST_FIN) && !x.has(p, ConnectionRows.E_FIN_ACKED)) {
        long peerFin = x.histLastFin(p);
        if (peerFin >= 0 && (int) (s.ack - ((peerFin + 1) & 0xffffffffL)) >= 0) {
          x.set(p, ConnectionRows.E_FIN_ACKED); // the peer's socket took the FIN: it is in CLOSE_WAIT or beyond
          sink.accept(new ConnectionEvent.FinAcked(now, table.id(r), role.peer()));
        }
      }
      if (!syn && !rst) {
        checkHandshakeAck(r, e, p, s);
        if (isOrig) {
          checkAnsweredUnseen(r, e, p, s);
        }
      }
    }
    updateLastSeq(r, e, isOrig, seqEnd, syn, fin, rst, len);

    boolean reject = stateMachine(r, e, p, isOrig, syn, ack, fin, rst, len);
    if (firstFin) {
      sink.accept(new ConnectionEvent.FinSent(now, table.id(r), s.frameNumber, role));
    }

    if (firstRst) {
      if (reject) {
        if (!x.flag(r, F_REJECT_EMITTED)) {
          x.setFlag(r, F_REJECT_EMITTED);
          sink.accept(new ConnectionEvent.Rejected(now, table.id(r), x.firstRst(e)));
        }
      } else {
        sink.accept(new ConnectionEvent.Reset(
            now, table.id(r), role, x.firstRst(e), x.ackNanos(r), x.payloadBytesSeen(e), x.payloadBytesSeen(p),
            x.isn(e), x.synToSynAckNanos(r)));
      }
    }
    if (fin && x.flag(r, F_SELF) && x.state(p) == EndpointState.ESTABLISHED) {
      // A self-connected socket receives its own FIN: both "sides" are that one socket, which
      // ends in one TIME_WAIT entry.
      x.setState(p, EndpointState.CLOSED);
      if (!x.flag(r, F_CLOSED_EMITTED)) {
        x.setFlag(r, F_CLOSED_EMITTED);
        sink.accept(new ConnectionEvent.Closed(now, table.id(r), s.frameNumber, x.closedFirst(r), false));
      }
    }
    if (fin && !x.flag(r, F_CLOSED_EMITTED) && x.finCount(r * 2) > 0 && x.finCount(r * 2 + 1) > 0) {
      x.setFlag(r, F_CLOSED_EMITTED);
      // The FINs crossed when this (second) FIN does not acknowledge the first one.
      boolean crossed = !ack || (int) (s.ack - ((x.histLastFin(p) + 1) & 0xffffffffL)) < 0;
      sink.accept(new ConnectionEvent.Closed(
          now, table.id(r), s.frameNumber, x.closedFirst(r), crossed && x.finCount(p) > 0));
    }
  }

  /** 1, 10, 100, ...: the counts at which Zeek logs a 'T' or 'W' again. */
  private static boolean isPowerOfTen(long n) {
    while (n >= 10 && n % 10 == 0) {
      n /= 10;
    }
    return n == 1;
  }

  private void initEndpoint(int e, boolean syn, long seq, long seqEnd) {
    ConnectionRows x = rows;
    if (!x.has(e, E_SEQ_INIT)) {
      x.set(e, E_SEQ_INIT);
      int start = (int) (syn ? seq : seq - 1);
      x.setStartSeq(e, start);
      x.setAckSeq(e, start);
      x.setLastSeq(e, (int) (syn ? seqEnd : seq));
      return;
    }
    boolean reinit =
        switch (x.state(e)) {
          case SYN_SENT, SYN_ACK_SENT, ESTABLISHED, PARTIAL -> syn && seq != u32(x.startSeq(e));
          default -> false;
        };
    if (reinit) {
      x.setStartSeq(e, (int) seq);
      x.setAckSeq(e, (int) seq);
      x.setLastSeq(e, (int) seqEnd);
    }
  }

  /** Zeek's CheckHistory: true if the flag was already set (so a repeat may be logged). */
  private boolean checkHistory(int r, int e, int mask, char code, boolean isOrig) {
    ConnectionRows x = rows;
    if ((x.histFlags(e) & mask) == 0) {
      x.addHistFlag(e, mask);
      x.addHistory(r, isOrig ? code : Character.toLowerCase(code));
      return false;
    }
    return true;
  }

  private void updateHistory(
      int r, int e, boolean isOrig, boolean syn, boolean ack, boolean fin, boolean rst, long seq, int len) {
    ConnectionRows x = rows;
    int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) {
        checkHistory(r, e, ConnectionRows.HIST_FIN_RST, 'I', isOrig);
      } else {
        checkHistory(r, e, ConnectionRows.HIST_MULTI_FLAG, 'Q', isOrig);
      }
    } else if (bits == 1) {
      if (syn) {
        char code = ack ? 'H' : 'S';
        if (checkHistory(r, e, ConnectionRows.HIST_SYN, code, isOrig) && seq != x.histLastSyn(e)) {
          x.addHistory(r, isOrig ? code : Character.toLowerCase(code));
        }
        x.setHistLastSyn(e, (int) seq);
        x.set(e, E_HIST_SYN);
      }
      if (fin) {
        long finSeq = (seq + len) & 0xffffffffL;
        if (checkHistory(r, e, ConnectionRows.HIST_FIN, 'F', isOrig) && finSeq != x.histLastFin(e)) {
          x.addHistory(r, isOrig ? 'F' : 'f');
        }
        int ce = x.coldEndpointForWrite(e); // first: it may grow the cold columns
        x.setHistLastFin(ce, (int) finSeq);
        x.set(e, E_HIST_FIN);
      }
      if (rst) {
        if (checkHistory(r, e, ConnectionRows.HIST_RST, 'R', isOrig) && seq != x.histLastRst(e)) {
          x.addHistory(r, isOrig ? 'R' : 'r');
        }
        int ce = x.coldEndpointForWrite(e);
        x.setHistLastRst(ce, (int) seq);
        x.set(e, E_HIST_RST);
      }
    } else if (len > 0) {
      checkHistory(r, e, ConnectionRows.HIST_DATA, 'D', isOrig);
    } else if (ack) {
      checkHistory(r, e, ConnectionRows.HIST_ACK, 'A', isOrig);
    }
  }

  private void onSyn(int r, int e, int p, Role role, Segment s, boolean ack) {
    ConnectionRows x = rows;
    long now = s.timestampNanos;
    long seq = s.seq;
    boolean sawSyn = x.has(e, E_SAW_SYN);
    boolean newIsn = !sawSyn || seq != u32(x.isnRaw(e));
    if (!sawSyn) {
      x.recordSyn(e, s);
    }
    x.set(e, E_SAW_SYN);
    x.setIsn(e, (int) seq);
    if (ack) {
      // A SYN-ACK is a retransmission only when this side already sent one with this ISN; in a
      // simultaneous open the first SYN-ACK repeats the ISN of the side's own bare SYN.
      boolean retransmission = x.synAcksSent(e) > 0 && !newIsn;
      x.countSynAckSent(e);
      if (retransmission) {
        x.countSynRetransmission(e);
      }
      onSynAck(r, e, p, role, s, !retransmission);
      return;
    }
    boolean hadBareSyn = x.has(e, E_BARE_SYN);
    if (newIsn || !hadBareSyn) {
      x.setBareSynSeq(e, (int) seq);
      x.set(e, E_BARE_SYN);
      if (role == Role.ORIG) {
        x.synNanos[r] = x.synNanos[r] < 0 ? now : x.synNanos[r];
        if (!hadBareSyn && !x.flag(r, F_SELF)) {
          sink.accept(new ConnectionEvent.Attempted(now, table.id(r), x.syn(e)));
        }
      } else if (x.has(p, E_BARE_SYN) && !x.flag(r, F_SIM_OPEN)) {
        x.setFlag(r, F_SIM_OPEN);
        sink.accept(new ConnectionEvent.SimultaneousOpen(now, table.id(r), s.frameNumber));
      }
      return;
    }
    // The same bare SYN again: a retransmission.
    int retransmissions = x.countSynRetransmission(e);
    if (role == Role.ORIG) {
      long first = x.synNanos[r];
      sink.accept(new ConnectionEvent.SynRetransmitted(
          now, table.id(r), s.frameNumber, retransmissions, first < 0 ? -1 : now - first));
    }
  }

  private void onSynAck(int r, int e, int p, Role role, Segment s, boolean first) {
    ConnectionRows x = rows;
    long now = s.timestampNanos;
    if (x.has(p, E_BARE_SYN) && acknowledgesSyn(s.ack, p)) {
      x.setSynAckSeq(e, (int) s.seq);
      x.set(e, E_SYNACK_SEQ);
    }
    if (role != Role.RESP) {
      return;
    }
    if (first || x.synAckNanos(r) < 0) {
      x.setSynAckNanos(r, now);
      if (x.synNanos[r] >= 0 && x.synRetransmissions(r * 2) == 0) {
        x.setSynToSynAckNanos(r, now - x.synNanos[r]);
      }
    }
    boolean handshake = x.flag(r, F_HANDSHAKE);
    if (handshake) {
      x.countSynAckAfterAck(r);
    }
    SynInfo info = x.has(e, E_SAW_SYN) && x.synSeq(e) == s.seq && (x.synFlags(e) & TcpFlags.ACK) != 0
        ? x.syn(e) : synInfo(s);
    SynInfo answered = x.has(p, E_SAW_SYN) && (x.synFlags(p) & TcpFlags.ACK) == 0 ? x.syn(p) : null;
    sink.accept(new ConnectionEvent.SynAckSent(
        now, table.id(r), info, answered, x.synRetransmissions(e), handshake));
  }

  /** A SYN-ACK's ack must cover the SYN (and any data it carried, as with TCP Fast Open). */
  private boolean acknowledgesSyn(long ack, int synSender) {
    ConnectionRows x = rows;
    long expected = (x.bareSynSeq(synSender) + 1) & 0xffffffffL;
    if (ack == expected) {
      return true;
    }
    return x.has(synSender, E_SAW_SYN) && ack == ((expected + x.synPayloadLength(synSender)) & 0xffffffffL);
  }

  private void checkHandshakeAck(int r, int e, int p, Segment s) {
    ConnectionRows x = rows;
    if (x.flag(r, F_HANDSHAKE) || !x.has(e, E_BARE_SYN) || !x.has(p, E_SYNACK_SEQ)) {
      return;
    }
    long expected = (u32(x.synAckSeqRaw(p)) + 1) & 0xffffffffL;
    boolean covers = s.ack == expected
        || (x.has(p, E_SAW_SYN) && s.ack == ((expected + x.synPayloadLength(p)) & 0xffffffffL));
    if (!covers) {
      return;
    }
    x.setFlag(r, F_HANDSHAKE);
    x.setHandshakeAck(r, s.timestampNanos, s.frameNumber, s.inputIndex);
    long synAckNanos = x.synAckNanos(r);
    if (synAckNanos >= 0 && x.synRetransmissions(r * 2 + 1) == 0 && x.synRetransmissions(r * 2) == 0) {
      x.setSynAckToAckNanos(r, s.timestampNanos - synAckNanos);
    }
    sink.accept(new ConnectionEvent.Established(
        s.timestampNanos, table.id(r), s.frameNumber, x.synToSynAckNanos(r), x.synAckToAckNanos(r)));
  }

  /**
   * One-sided captures: orig's ACK after its SYN, while resp has sent nothing the capture holds,
   * proves a SYN-ACK it does not hold. Only an ACK whose sequence number is the SYN's next counts
   * (what a real stack sends; a flood tool's random ACKs are not).
   */
  private void checkAnsweredUnseen(int r, int e, int p, Segment s) {
    ConnectionRows x = rows;
    if (x.flag(r, F_ANSWERED_UNSEEN) || x.flag(r, F_HANDSHAKE) || !x.has(e, E_BARE_SYN) || x.packets(p) != 0
        || s.ack == 0 || s.seq != ((x.isn(e) + 1) & 0xffffffffL)) {
      return;
    }
    x.setFlag(r, F_ANSWERED_UNSEEN);
    sink.accept(new ConnectionEvent.AnsweredUnseen(s.timestampNanos, table.id(r), s.frameNumber));
  }

  private void updateLastSeq(
      int r, int e, boolean isOrig, long seqEnd, boolean syn, boolean fin, boolean rst, int len) {
    ConnectionRows x = rows;
    long lastSeq = u32(x.lastSeq(e));
    int delta = (int) (seqEnd - lastSeq);
    if ((syn || rst) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
      return;
    }
    if (fin && lastSeq == ((u32(x.startSeq(e)) + 1) & 0xffffffffL)) {
      x.setLastSeq(e, (int) seqEnd);
    } else if (x.state(e) == EndpointState.RESET) {
      return;
    } else if (delta > 0) {
      x.setLastSeq(e, (int) seqEnd);
    } else if (len > 0 && !rst) {
      int ce = x.coldEndpointForWrite(e);
      if (isPowerOfTen(x.countRetransmit(ce))) {
        x.addHistory(r, isOrig ? 'T' : 't');
      }
    }
  }

  /** Zeek's UpdateStateMachine; returns whether this RST rejects a connection attempt. */
  private boolean stateMachine(
      int r, int e, int p, boolean isOrig, boolean syn, boolean ack, boolean fin, boolean rst, int len) {
    ConnectionRows x = rows;
    switch (x.state(e)) {
      case INACTIVE -> {
        boolean reject = false;
        if (syn) {
          if (isOrig) {
            x.setState(e, ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
          } else {
            if (x.state(p) == EndpointState.SYN_SENT) {
              x.setState(p, EndpointState.ESTABLISHED);
            }
            x.setState(e, EndpointState.ESTABLISHED);
          }
        }
        if (fin) {
          x.setState(e, EndpointState.CLOSED);
        }
        if (rst) {
          x.setState(e, EndpointState.RESET);
          reject = isOrig
              ? x.state(p) == EndpointState.ESTABLISHED
              : x.state(p) == EndpointState.SYN_SENT || x.state(p) == EndpointState.SYN_ACK_SENT;
        }
        if (x.stateOrdinal(e) == INACTIVE) {
          if (!isOrig && len == 0 && x.state(r * 2) == EndpointState.SYN_SENT) {
            // Some stacks ACK a SYN before their SYN-ACK: not a partial connection.
          } else if (ack && x.state(p) == EndpointState.ESTABLISHED) {
            x.setState(e, EndpointState.ESTABLISHED);
          } else {
            x.setState(e, EndpointState.PARTIAL);
          }
        }
        return reject;
      }
      case SYN_SENT, SYN_ACK_SENT -> {
        if (fin) {
          x.setState(e, EndpointState.CLOSED);
        }
        if (rst) {
          x.setState(e, EndpointState.RESET);
        }
        return false;
      }
      case ESTABLISHED, PARTIAL -> {
        if (syn && x.state(e) == EndpointState.PARTIAL && x.stateOrdinal(p) == INACTIVE && !ack) {
          x.setState(e, EndpointState.SYN_SENT);
        }
        if (fin && !rst) {
          x.setState(e, EndpointState.CLOSED);
          if (x.state(p) == EndpointState.RESET && x.prevStateOrdinal(p) == EndpointState.CLOSED.ordinal()) {
            x.setState(p, EndpointState.CLOSED); // FIN then RST from the peer: a normal close
          }
        }
        if (rst) {
          x.setState(e, EndpointState.RESET);
        }
        return false;
      }
      case CLOSED -> {
        if (rst && x.state(p) != EndpointState.CLOSED) {
          x.setState(e, EndpointState.RESET);
        }
        return false;
      }
      default -> {
        return false;
      }
    }
  }

  private static SynInfo synInfo(Segment s) {
    return new SynInfo(
        s.timestampNanos, s.frameNumber, s.inputIndex, s.seq, s.ack, s.flags, s.window, s.ttl, s.mss,
        s.windowScale, s.sackPermitted, s.hasTimestamps, s.tsVal, s.tsEcr, s.tfoCookieLength,
        s.optionCount, s.payloadLength);
  }
}
