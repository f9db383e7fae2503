package dev.synscope.flow;

import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;

/**
 * Updates a connection's two endpoints for one segment, the way Zeek's TCP analyzer does
 * (endpoint states, history letters, sequence-space sizes), and emits the handshake facts the
 * detectors consume. The endpoint logic is written once and parameterised by direction.
 */
final class TcpStateMachine {
  /** Larger jumps in a SYN's or RST's sequence number are not trusted (Zeek: 1 MiB). */
  private static final int TOO_LARGE_SEQ_DELTA = 1 << 20;

  private final EventSink sink;

  TcpStateMachine(EventSink sink) {
    this.sink = sink;
  }

  void update(Connection c, boolean isOrig, Segment s) {
    Endpoint ep = isOrig ? c.orig : c.resp;
    Endpoint peer = isOrig ? c.resp : c.orig;
    Role role = isOrig ? Role.ORIG : Role.RESP;
    int flags = s.flags;
    boolean syn = (flags & TcpFlags.SYN) != 0;
    boolean ack = (flags & TcpFlags.ACK) != 0;
    boolean fin = (flags & TcpFlags.FIN) != 0;
    boolean rst = (flags & TcpFlags.RST) != 0;
    int len = s.payloadLength;
    long seq = s.seq;
    long now = s.timestampNanos;

    c.lastNanos = now;
    ep.packets++;
    if (!rst) {
      ep.payloadBytesSeen += len;
    }
    if (len > 0 && !rst && ep.firstDataNanos < 0) {
      ep.firstDataNanos = now;
      sink.accept(new ConnectionEvent.DataStarted(now, c.id, role));
    }

    int segLen = len + (syn ? 1 : 0) + (fin ? 1 : 0) - (rst ? len : 0);
    long seqEnd = (seq + segLen) & 0xffffffffL;
    initEndpoint(ep, syn, seq, seqEnd);
    updateHistory(c, ep, isOrig, syn, ack, fin, rst, seq, len);
    if (s.window == 0 && !rst && peer.state != EndpointState.CLOSED && ep.state != EndpointState.RESET) {
      ep.zeroWindows++;
      if (ep.zeroWindows == ep.zeroWindowThreshold) {
        ep.zeroWindowThreshold *= 10;
        c.addHistory(isOrig ? 'W' : 'w');
      }
    }

    if (syn) {
      onSyn(c, ep, peer, role, s, ack);
    } else if (s.hasTimestamps && ep.sawSyn && ep.tsValAfterSynNanos < 0 && !rst) {
      ep.tsValAfterSyn = s.tsVal;
      ep.tsValAfterSynNanos = now;
      sink.accept(new ConnectionEvent.TimestampAfterSyn(now, c.id, role, s.tsVal));
    }
    if (fin) {
      ep.finCount++;
      if (ep.firstFinNanos < 0) {
        ep.firstFinNanos = now;
        if (c.closedFirst == null) {
          c.closedFirst = role;
        }
      }
    }
    boolean firstRst = false;
    if (rst) {
      ep.rstCount++;
      if (ep.firstRst == null) {
        ep.firstRst = new RstInfo(now, s.frameNumber, s.inputIndex, seq, s.ack, ack, len);
        firstRst = true;
      }
    }
    if (ack) {
      if (peer.state == EndpointState.INACTIVE && !peer.seqInitialized) {
        long base = (s.ack - 1) & 0xffffffffL;
        peer.startSeq = base;
        peer.lastSeq = base;
        peer.ackSeq = base;
        peer.seqInitialized = true;
      } else if (!rst) {
        int deltaAck = (int) (s.ack - peer.ackSeq);
        if (!(s.ack == 0 && deltaAck > TOO_LARGE_SEQ_DELTA) && deltaAck > 0) {
          peer.ackSeq = s.ack;
        }
      }
      if (!syn && !rst) {
        checkHandshakeAck(c, ep, peer, s);
      }
    }
    updateLastSeq(c, ep, isOrig, seqEnd, syn, fin, rst, len);

    boolean reject = stateMachine(c, ep, peer, isOrig, syn, ack, fin, rst, len, seq);

    if (firstRst) {
      if (reject) {
        if (!c.rejectEmitted) {
          c.rejectEmitted = true;
          sink.accept(new ConnectionEvent.Rejected(now, c.id, ep.firstRst));
        }
      } else {
        sink.accept(new ConnectionEvent.Reset(
            now, c.id, role, ep.firstRst, c.ackNanos, ep.payloadBytesSeen, peer.payloadBytesSeen, ep.isn));
      }
    }
    if (fin && c.selfConnect && peer.state == EndpointState.ESTABLISHED) {
      // A self-connected socket receives its own FIN: both "sides" are that one socket, which
      // ends in one TIME_WAIT entry.
      peer.setState(EndpointState.CLOSED);
      if (!c.closedEmitted) {
        c.closedEmitted = true;
        sink.accept(new ConnectionEvent.Closed(now, c.id, s.frameNumber, c.closedFirst, false));
      }
    }
    if (fin && !c.closedEmitted && c.orig.finCount > 0 && c.resp.finCount > 0) {
      c.closedEmitted = true;
      // The FINs crossed when this (second) FIN does not acknowledge the first one.
      boolean crossed = !ack || (int) (s.ack - ((peer.histLastFin + 1) & 0xffffffffL)) < 0;
      sink.accept(new ConnectionEvent.Closed(now, c.id, s.frameNumber, c.closedFirst, crossed && peer.finCount > 0));
    }
  }

  private static void initEndpoint(Endpoint ep, boolean syn, long seq, long seqEnd) {
    if (!ep.seqInitialized) {
      ep.seqInitialized = true;
      ep.startSeq = syn ? seq : (seq - 1) & 0xffffffffL;
      ep.ackSeq = ep.startSeq;
      ep.lastSeq = syn ? seqEnd : seq;
      return;
    }
    boolean reinit =
        switch (ep.state) {
          case SYN_SENT, SYN_ACK_SENT, ESTABLISHED, PARTIAL -> syn && seq != ep.startSeq;
          default -> false;
        };
    if (reinit) {
      ep.startSeq = seq;
      ep.ackSeq = seq;
      ep.lastSeq = seqEnd;
    }
  }

  private static void updateHistory(
      Connection c, Endpoint ep, boolean isOrig, boolean syn, boolean ack, boolean fin, boolean rst, long seq, int len) {
    int bits = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (bits > 1) {
      if (fin && rst) {
        ep.checkHistory(Endpoint.HIST_FIN_RST, 'I', c, isOrig);
      } else {
        ep.checkHistory(Endpoint.HIST_MULTI_FLAG, 'Q', c, isOrig);
      }
    } else if (bits == 1) {
      if (syn) {
        char code = ack ? 'H' : 'S';
        if (ep.checkHistory(Endpoint.HIST_SYN, code, c, isOrig) && seq != ep.histLastSyn) {
          c.addHistory(isOrig ? code : Character.toLowerCase(code));
        }
        ep.histLastSyn = seq;
      }
      if (fin) {
        long finSeq = (seq + len) & 0xffffffffL;
        if (ep.checkHistory(Endpoint.HIST_FIN, 'F', c, isOrig) && finSeq != ep.histLastFin) {
          c.addHistory(isOrig ? 'F' : 'f');
        }
        ep.histLastFin = finSeq;
      }
      if (rst) {
        if (ep.checkHistory(Endpoint.HIST_RST, 'R', c, isOrig) && seq != ep.histLastRst) {
          c.addHistory(isOrig ? 'R' : 'r');
        }
        ep.histLastRst = seq;
      }
    } else if (len > 0) {
      ep.checkHistory(Endpoint.HIST_DATA, 'D', c, isOrig);
    } else if (ack) {
      ep.checkHistory(Endpoint.HIST_ACK, 'A', c, isOrig);
    }
  }

  private void onSyn(Connection c, Endpoint ep, Endpoint peer, Role role, Segment s, boolean ack) {
    long now = s.timestampNanos;
    long seq = s.seq;
    boolean newIsn = !ep.sawSyn || seq != ep.isn;
    if (!ep.sawSyn) {
      ep.recordSyn(s);
    }
    ep.sawSyn = true;
    ep.isn = seq;
    if (ack) {
      // A SYN-ACK is a retransmission only when this side already sent one with this ISN; in a
      // simultaneous open the first SYN-ACK repeats the ISN of the side's own bare SYN.
      boolean retransmission = ep.synAcksSent > 0 && !newIsn;
      ep.synAcksSent++;
      if (retransmission) {
        ep.synRetransmissions++;
      }
      onSynAck(c, ep, peer, role, s, !retransmission);
      return;
    }
    if (newIsn || ep.bareSynSeq < 0) {
      boolean first = ep.bareSynSeq < 0;
      ep.bareSynSeq = seq;
      if (role == Role.ORIG) {
        c.synNanos = c.synNanos < 0 ? now : c.synNanos;
        if (first && !c.selfConnect) {
          sink.accept(new ConnectionEvent.Attempted(now, c.id, ep.syn()));
        }
      } else if (peer.bareSynSeq >= 0 && !c.simultaneousOpen) {
        c.simultaneousOpen = true;
        sink.accept(new ConnectionEvent.SimultaneousOpen(now, c.id, s.frameNumber));
      }
      return;
    }
    // The same bare SYN again: a retransmission.
    ep.synRetransmissions++;
    if (role == Role.ORIG) {
      sink.accept(new ConnectionEvent.SynRetransmitted(now, c.id, s.frameNumber, ep.synRetransmissions));
    }
  }

  private void onSynAck(Connection c, Endpoint ep, Endpoint peer, Role role, Segment s, boolean first) {
    long now = s.timestampNanos;
    if (peer.bareSynSeq >= 0 && acknowledgesSyn(s.ack, peer)) {
      ep.synAckSeq = s.seq;
    }
    if (role != Role.RESP) {
      return;
    }
    if (first || c.synAckNanos < 0) {
      c.synAckNanos = now;
      if (c.synNanos >= 0 && c.orig.synRetransmissions == 0) {
        c.synToSynAckNanos = now - c.synNanos;
      }
    }
    if (c.handshakeCompleted) {
      c.synAcksAfterHandshakeAck++;
    }
    SynInfo info = ep.sawSyn && ep.synSeq == s.seq && (ep.synFlags & TcpFlags.ACK) != 0 ? ep.syn() : synInfo(s);
    SynInfo answered = peer.sawSyn && (peer.synFlags & TcpFlags.ACK) == 0 ? peer.syn() : null;
    sink.accept(new ConnectionEvent.SynAckSent(
        now, c.id, info, answered, ep.synRetransmissions, c.handshakeCompleted));
  }

  /** A SYN-ACK's ack must cover the SYN (and any data it carried, as with TCP Fast Open). */
  private static boolean acknowledgesSyn(long ack, Endpoint synSender) {
    long expected = (synSender.bareSynSeq + 1) & 0xffffffffL;
    if (ack == expected) {
      return true;
    }
    return synSender.sawSyn && ack == ((expected + synSender.synPayloadLength) & 0xffffffffL);
  }

  private void checkHandshakeAck(Connection c, Endpoint ep, Endpoint peer, Segment s) {
    if (c.handshakeCompleted || ep.bareSynSeq < 0 || peer.synAckSeq < 0) {
      return;
    }
    long expected = (peer.synAckSeq + 1) & 0xffffffffL;
    boolean covers = s.ack == expected
        || (peer.sawSyn && s.ack == ((expected + peer.synPayloadLength) & 0xffffffffL));
    if (!covers) {
      return;
    }
    c.handshakeCompleted = true;
    c.ackNanos = s.timestampNanos;
    c.ackFrame = s.frameNumber;
    c.ackInput = s.inputIndex;
    if (c.synAckNanos >= 0 && c.resp.synRetransmissions == 0 && c.orig.synRetransmissions == 0) {
      c.synAckToAckNanos = s.timestampNanos - c.synAckNanos;
    }
    sink.accept(new ConnectionEvent.Established(
        s.timestampNanos, c.id, s.frameNumber, c.synToSynAckNanos, c.synAckToAckNanos));
  }

  private static void updateLastSeq(
      Connection c, Endpoint ep, boolean isOrig, long seqEnd, boolean syn, boolean fin, boolean rst, int len) {
    int delta = (int) (seqEnd - ep.lastSeq);
    if ((syn || rst) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
      return;
    }
    if (fin && ep.lastSeq == ((ep.startSeq + 1) & 0xffffffffL)) {
      ep.lastSeq = seqEnd;
    } else if (ep.state == EndpointState.RESET) {
      return;
    } else if (delta > 0) {
      ep.lastSeq = seqEnd;
    } else if (len > 0 && !rst) {
      ep.retransmits++;
      if (ep.retransmits == ep.retransmitThreshold) {
        ep.retransmitThreshold *= 10;
        c.addHistory(isOrig ? 'T' : 't');
      }
    }
  }

  /** Zeek's UpdateStateMachine; returns whether this RST rejects a connection attempt. */
  private static boolean stateMachine(
      Connection c, Endpoint ep, Endpoint peer, boolean isOrig,
      boolean syn, boolean ack, boolean fin, boolean rst, int len, long seq) {
    switch (ep.state) {
      case INACTIVE -> {
        boolean reject = false;
        if (syn) {
          if (isOrig) {
            ep.setState(ack ? EndpointState.SYN_ACK_SENT : EndpointState.SYN_SENT);
          } else {
            if (peer.state == EndpointState.SYN_SENT) {
              peer.setState(EndpointState.ESTABLISHED);
            }
            ep.setState(EndpointState.ESTABLISHED);
          }
        }
        if (fin) {
          ep.setState(EndpointState.CLOSED);
        }
        if (rst) {
          ep.setState(EndpointState.RESET);
          reject = isOrig
              ? peer.state == EndpointState.ESTABLISHED
              : peer.state == EndpointState.SYN_SENT || peer.state == EndpointState.SYN_ACK_SENT;
        }
        if (ep.state == EndpointState.INACTIVE) {
          if (!isOrig && len == 0 && c.orig.state == EndpointState.SYN_SENT) {
            // Some stacks ACK a SYN before their SYN-ACK: not a partial connection.
          } else if (ack && peer.state == EndpointState.ESTABLISHED) {
            ep.setState(EndpointState.ESTABLISHED);
          } else {
            ep.setState(EndpointState.PARTIAL);
          }
        }
        return reject;
      }
      case SYN_SENT, SYN_ACK_SENT -> {
        if (fin) {
          ep.setState(EndpointState.CLOSED);
        }
        if (rst) {
          ep.setState(EndpointState.RESET);
        }
        return false;
      }
      case ESTABLISHED, PARTIAL -> {
        if (syn && ep.state == EndpointState.PARTIAL && peer.state == EndpointState.INACTIVE && !ack) {
          ep.setState(EndpointState.SYN_SENT);
        }
        if (fin && !rst) {
          ep.setState(EndpointState.CLOSED);
          if (peer.state == EndpointState.RESET && peer.prevState == EndpointState.CLOSED) {
            peer.setState(EndpointState.CLOSED); // FIN then RST from the peer: a normal close
          }
        }
        if (rst) {
          ep.setState(EndpointState.RESET);
        }
        return false;
      }
      case CLOSED -> {
        if (rst && peer.state != EndpointState.CLOSED) {
          ep.setState(EndpointState.RESET);
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
