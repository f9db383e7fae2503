package dev.synscope.detect;

import dev.synscope.decode.IpAddress;
import dev.synscope.decode.TcpFlags;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.EndpointState;
import dev.synscope.flow.EndpointSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.RemovalCause;
import dev.synscope.flow.Role;
import dev.synscope.flow.RstInfo;
import dev.synscope.flow.SynInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Scripted connection events for driving one detector directly, the way the engine does: the
 * events of every scripted connection in packet-time order, then {@code onEndOfInput(last)},
 * then a {@code Removed} event (with a summary consistent with the events) for each connection
 * still held, then {@code findings()}.
 *
 * <p>Each {@link Conn} owns one {@link FlowId} (equality is identity) and keeps the state the flow
 * table would: endpoint states, ISNs, first SYN/SYN-ACK, first RSTs and FINs, payload counts,
 * handshake times. Its methods append the events the state machine would emit for that packet.
 * Times are absolute nanoseconds; {@link #at(double)} gives a realistic epoch time.
 */
final class DetectorScript {
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000_000_000L;
  /** 2023-11-14T22:13:20Z: the capture's epoch origin. */
  static final long T0 = 1_700_000_000L * SECOND;

  private final List<ConnectionEvent> events = new ArrayList<>();
  private final List<Conn> conns = new ArrayList<>();
  private long serial;
  private long frames;
  private long endNanos = Long.MIN_VALUE;

  /** Packet time {@code seconds} after {@link #T0} (to the nanosecond). */
  static long at(double seconds) {
    return T0 + Math.round(seconds * 1e9);
  }

  static long ms(double millis) {
    return Math.round(millis * 1e6);
  }

  static IpAddress ip(String text) {
    return IpAddress.parse(text);
  }

  /** The n-th address (0-based) of a /16 such as "100.64": 100.64.0.1, 100.64.0.2, ... */
  static IpAddress ipN(String slash16, int n) {
    return ip(slash16 + "." + (n / 250) + "." + (n % 250 + 1));
  }

  /** TCP options of a SYN or SYN-ACK (-1: option absent). */
  record Options(int mss, int windowScale, boolean sack, boolean timestamps, long tsVal, boolean ecn, int ttl) {
    /** A Linux client: MSS 1460, wscale 7, SACK, timestamps, TTL 64. */
    static Options linux() {
      return new Options(1460, 7, true, true, 0, false, 64);
    }

    /** A crafted SYN with no options at all (hping3, most flood tools). */
    static Options bare() {
      return new Options(-1, -1, false, false, 0, false, 64);
    }

    Options withMss(int v) {
      return new Options(v, windowScale, sack, timestamps, tsVal, ecn, ttl);
    }

    Options withWindowScale(int v) {
      return new Options(mss, v, sack, timestamps, tsVal, ecn, ttl);
    }

    Options withSack(boolean v) {
      return new Options(mss, windowScale, v, timestamps, tsVal, ecn, ttl);
    }

    Options withTimestamps(boolean v) {
      return new Options(mss, windowScale, sack, v, tsVal, ecn, ttl);
    }

    Options withTsVal(long v) {
      return new Options(mss, windowScale, sack, true, v, ecn, ttl);
    }

    Options withEcn(boolean v) {
      return new Options(mss, windowScale, sack, timestamps, tsVal, v, ttl);
    }

    Options withTtl(int v) {
      return new Options(mss, windowScale, sack, timestamps, tsVal, ecn, v);
    }

    int count() {
      return (mss >= 0 ? 1 : 0) + (windowScale >= 0 ? 1 : 0) + (sack ? 1 : 0) + (timestamps ? 1 : 0);
    }

    /** The server's normal answer to these client options (what it returns, TSval from its clock). */
    Options reply(long serverTsVal) {
      return new Options(1460, windowScale >= 0 ? 7 : -1, sack, timestamps, serverTsVal, ecn, 64);
    }

    SynInfo toSynInfo(long t, long frame, long seq, long ack, int flags, long tsEcr) {
      return new SynInfo(t, frame, 0, seq, ack, flags, ack == 0 ? 64240 : 65160, ttl, mss, windowScale, sack,
          timestamps, timestamps ? tsVal : 0, timestamps ? tsEcr : 0, -1, count(), 0);
    }
  }

  Conn conn(String orig, int origPort, String resp, int respPort) {
    return conn(ip(orig), origPort, ip(resp), respPort);
  }

  Conn conn(IpAddress orig, int origPort, IpAddress resp, int respPort) {
    Conn c = new Conn(new FlowId(++serial, orig, origPort, resp, respPort));
    conns.add(c);
    return c;
  }

  /** The capture goes on until {@code nanos} (packets that make no event, e.g. other traffic). */
  DetectorScript endAt(long nanos) {
    endNanos = nanos;
    return this;
  }

  List<Conn> conns() {
    return conns;
  }

  /** The last packet time: the latest packet of any connection, or {@link #endAt} if later. */
  long lastNanos() {
    long last = endNanos;
    for (ConnectionEvent e : events) {
      last = Math.max(last, e.timestampNanos());
    }
    for (Conn c : conns) {
      last = Math.max(last, c.lastNanos);
    }
    return last;
  }

  /** The scripted events in packet-time order (ties keep script order). */
  List<ConnectionEvent> events() {
    List<ConnectionEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparingLong(ConnectionEvent::timestampNanos));
    return sorted;
  }

  /** Runs the script through {@code detector} exactly as the engine would and returns its findings. */
  List<Finding> run(Detector detector) {
    for (ConnectionEvent e : events()) {
      detector.onEvent(e);
    }
    long last = lastNanos();
    detector.onEndOfInput(last);
    for (Conn c : conns) {
      if (!c.removed && c.startNanos >= 0) {
        c.removed = true;
        detector.onEvent(new ConnectionEvent.Removed(Math.max(last, c.lastNanos), c.summary(RemovalCause.END_OF_INPUT)));
      }
    }
    return detector.findings();
  }

  /** One scripted connection; every method is one packet (or one close) at time {@code t}. */
  final class Conn {
    final FlowId id;
    long origIsn;
    long respIsn;
    SynInfo origSyn;
    SynInfo respSyn;
    final EndpointState[] state = {EndpointState.INACTIVE, EndpointState.INACTIVE};
    long startNanos = -1;
    long lastNanos = -1;
    long synNanos = -1;
    long synAckNanos = -1;
    long ackNanos = -1;
    long ackFrame;
    long synToSynAck = -1;
    long synAckToAck = -1;
    final int[] synRetransmissions = new int[2];
    int synAcksAfterAck;
    boolean completed;
    boolean simultaneousOpen;
    Role closedFirst;
    final long[] packets = new long[2];
    final long[] bytes = new long[2];
    final long[] retransmitted = new long[2];
    final boolean[] finAcked = new boolean[2];
    final boolean[] dataAfterPeerFin = new boolean[2];
    final int[] fins = new int[2];
    final int[] rsts = new int[2];
    final RstInfo[] firstRst = new RstInfo[2];
    final long[] firstFin = {-1, -1};
    final long[] firstData = {-1, -1};
    final long[] tsAfterSyn = {-1, -1};
    final long[] tsAfterSynNanos = {-1, -1};
    final StringBuilder history = new StringBuilder();
    String previousUid;
    boolean removed;

    Conn(FlowId id) {
      this.id = id;
      // Deterministic, well spread ISNs.
      this.origIsn = (serial * 2654435761L + 0x5bd1e995L) & 0xffffffffL;
      this.respIsn = (serial * 0x9E3779B1L + 0x1234567L) & 0xffffffffL;
    }

    private long packet(long t, Role by) {
      if (startNanos < 0) {
        startNanos = t;
      }
      lastNanos = Math.max(lastNanos, t);
      packets[by.ordinal()]++;
      return ++frames;
    }

    private void letter(char c, Role by) {
      char l = by == Role.ORIG ? c : Character.toLowerCase(c);
      if (history.indexOf(String.valueOf(l)) < 0) {
        history.append(l);
      }
    }

    boolean selfConnect() {
      return id.isSelfConnection();
    }

    Conn withIsns(long orig, long resp) {
      origIsn = orig & 0xffffffffL;
      respIsn = resp & 0xffffffffL;
      return this;
    }

    /** orig's first SYN with Linux client options (TSval from a 1 kHz client clock). */
    Conn syn(long t) {
      return syn(t, Options.linux().withTsVal(((t / MS) * 7 + serial * 1000) & 0xffffffffL));
    }

    Conn syn(long t, Options o) {
      long f = packet(t, Role.ORIG);
      int flags = TcpFlags.SYN | (o.ecn() ? TcpFlags.ECE | TcpFlags.CWR : 0);
      origSyn = o.toSynInfo(t, f, origIsn, 0, flags, 0);
      synNanos = t;
      state[0] = EndpointState.SYN_SENT;
      letter('S', Role.ORIG);
      if (selfConnect()) {
        events.add(new ConnectionEvent.SelfConnected(t, id, f));
      } else {
        events.add(new ConnectionEvent.Attempted(t, id, origSyn));
      }
      return this;
    }

    /** orig's SYN again with the same ISN (its 1 s, 3 s ... timer). */
    Conn synRetransmit(long t) {
      long f = packet(t, Role.ORIG);
      synRetransmissions[0]++;
      events.add(new ConnectionEvent.SynRetransmitted(t, id, f, synRetransmissions[0], synNanos < 0 ? -1 : t - synNanos));
      return this;
    }

    /** resp's bare SYN crossing orig's: a simultaneous open. */
    Conn respSyn(long t) {
      long f = packet(t, Role.RESP);
      respSyn = Options.linux().toSynInfo(t, f, respIsn, 0, TcpFlags.SYN, 0);
      simultaneousOpen = true;
      if (state[0] == EndpointState.SYN_SENT) {
        state[0] = EndpointState.ESTABLISHED;
      }
      state[1] = EndpointState.ESTABLISHED;
      letter('S', Role.RESP);
      events.add(new ConnectionEvent.SimultaneousOpen(t, id, f));
      return this;
    }

    /** resp's first SYN-ACK, answering orig's options the normal way. */
    Conn synAck(long t) {
      Options client = origSyn == null ? Options.linux() : new Options(origSyn.mss(), origSyn.windowScale(),
          origSyn.sackPermitted(), origSyn.hasTimestamps(), origSyn.tsVal(), origSyn.ece(), origSyn.ttl());
      return synAck(t, client.reply((t / MS + 4_000_000L) & 0xffffffffL));
    }

    /** resp's first SYN-ACK with exactly these options (ECE when {@code o.ecn()}). */
    Conn synAck(long t, Options o) {
      long f = packet(t, Role.RESP);
      int flags = TcpFlags.SYN | TcpFlags.ACK | (o.ecn() ? TcpFlags.ECE : 0);
      respSyn = o.toSynInfo(t, f, respIsn, (origIsn + 1) & 0xffffffffL, flags,
          origSyn != null && origSyn.hasTimestamps() ? origSyn.tsVal() : 0);
      synAckNanos = t;
      if (synNanos >= 0 && synRetransmissions[0] == 0) {
        synToSynAck = t - synNanos;
      }
      if (state[0] == EndpointState.SYN_SENT) {
        state[0] = EndpointState.ESTABLISHED;
      }
      state[1] = EndpointState.ESTABLISHED;
      letter('H', Role.RESP);
      events.add(synAckSent(t, 0, completed));
      return this;
    }

    /** resp sends its SYN-ACK again, same ISN (after the 3rd ACK when the handshake completed). */
    Conn synAckRetransmit(long t) {
      packet(t, Role.RESP);
      synRetransmissions[1]++;
      if (completed) {
        synAcksAfterAck++;
      }
      events.add(synAckSent(t, synRetransmissions[1], completed));
      return this;
    }

    private ConnectionEvent.SynAckSent synAckSent(long t, int count, boolean afterAck) {
      return new ConnectionEvent.SynAckSent(t, id, respSyn, origSyn, count, afterAck);
    }

    /** orig's ACK of the SYN-ACK: the handshake completes. */
    Conn ack(long t) {
      long f = packet(t, Role.ORIG);
      completed = true;
      ackNanos = t;
      ackFrame = f;
      if (synAckNanos >= 0 && synRetransmissions[0] == 0 && synRetransmissions[1] == 0) {
        synAckToAck = t - synAckNanos;
      }
      letter('A', Role.ORIG);
      events.add(new ConnectionEvent.Established(t, id, f, synToSynAck, synAckToAck));
      return this;
    }

    /** A segment with {@code length} payload bytes from {@code by}. */
    Conn data(long t, Role by, int length) {
      packet(t, by);
      int i = by.ordinal();
      bytes[i] += length;
      if (firstFin[1 - i] >= 0) {
        dataAfterPeerFin[i] = true;
      }
      letter('D', by);
      if (firstData[i] < 0) {
        firstData[i] = t;
        events.add(new ConnectionEvent.DataStarted(t, id, by));
      }
      return this;
    }

    /** The last data segment from {@code by} again (its retransmission timer). */
    Conn dataRetransmit(long t, Role by) {
      packet(t, by);
      retransmitted[by.ordinal()]++;
      return this;
    }

    /** The first segment after its SYN (or SYN-ACK) carrying a timestamp, from {@code by}. */
    Conn timestampAfterSyn(long t, Role by, long tsVal) {
      int i = by.ordinal();
      if (tsAfterSynNanos[i] < 0) {
        tsAfterSyn[i] = tsVal;
        tsAfterSynNanos[i] = t;
        events.add(new ConnectionEvent.TimestampAfterSyn(t, id, by, tsVal));
      }
      return this;
    }

    /** resp refuses the SYN: RST+ACK, seq 0, ack = ISN+1 (closed port). */
    Conn reject(long t) {
      long f = packet(t, Role.RESP);
      RstInfo rst = new RstInfo(t, f, 0, 0, (origIsn + 1) & 0xffffffffL, true, 0);
      firstRst[1] = rst;
      rsts[1]++;
      state[1] = EndpointState.RESET;
      letter('R', Role.RESP);
      events.add(new ConnectionEvent.Rejected(t, id, rst));
      return this;
    }

    /** A first RST from {@code by} (not a rejection). */
    Conn rst(long t, Role by, long seq, boolean withAck) {
      long f = packet(t, by);
      int i = by.ordinal();
      long peerNext = by == Role.RESP ? origIsn + 1 + bytes[0] : respIsn + 1 + bytes[1];
      RstInfo rst = new RstInfo(t, f, 0, seq & 0xffffffffL, withAck ? peerNext & 0xffffffffL : 0, withAck, 0);
      rsts[i]++;
      state[i] = EndpointState.RESET;
      letter('R', by);
      if (firstRst[i] == null) {
        firstRst[i] = rst;
        long isn = by == Role.RESP ? (respSyn != null ? respIsn : -1) : (origSyn != null ? origIsn : -1);
        events.add(new ConnectionEvent.Reset(t, id, by, rst, ackNanos, bytes[i], bytes[1 - i], isn, synToSynAck));
      }
      return this;
    }

    /** The accept-queue overflow RST: from resp, no ACK flag, seq = its ISN+1. */
    Conn abortRst(long t) {
      return rst(t, Role.RESP, respIsn + 1, false);
    }

    /** A FIN from {@code by}. */
    Conn fin(long t, Role by) {
      packet(t, by);
      int i = by.ordinal();
      fins[i]++;
      if (firstFin[i] < 0) {
        firstFin[i] = t;
        if (closedFirst == null) {
          closedFirst = by;
        }
      }
      state[i] = EndpointState.CLOSED;
      letter('F', by);
      return this;
    }

    /** {@code by}'s peer acknowledges {@code by}'s FIN (its socket is in CLOSE_WAIT now). */
    Conn finAck(long t, Role by) {
      packet(t, by.peer());
      finAcked[by.ordinal()] = true;
      return this;
    }

    /**
     * A graceful close: {@code first} sends FIN at t, its peer's FIN follows 0.2 ms later (the
     * Closed event), the last ACK 0.1 ms after that. {@code simultaneous}: the FINs crossed.
     */
    Conn close(long t, Role first, boolean simultaneous) {
      fin(t, first);
      long second = t + ms(0.2);
      fin(second, first.peer());
      events.add(new ConnectionEvent.Closed(second, id, frames, closedFirst, simultaneous));
      packet(second + ms(0.1), first);
      finAcked[0] = true;
      finAcked[1] = true;
      return this;
    }

    /** A normal, complete connection: handshake, request, response, close by {@code closer}. */
    Conn full(long t, Role closer) {
      return syn(t).synAck(t + ms(0.2)).ack(t + ms(0.4)).data(t + ms(0.5), Role.ORIG, 120)
          .data(t + ms(1), Role.RESP, 900).close(t + ms(1.5), closer, false);
    }

    /** Leaves the table at {@code t} (idle timeout, reuse ...): the Removed event joins the stream. */
    Conn remove(long t, RemovalCause cause) {
      if (removed) {
        throw new IllegalStateException(id + " was already removed");
      }
      removed = true;
      events.add(new ConnectionEvent.Removed(Math.max(t, lastNanos), summary(cause)));
      return this;
    }

    /**
     * A new SYN (new ISN) on this 4-tuple at {@code t}: this connection is removed (REUSED), the
     * new one is reported as PortReused, then its own SYN follows.
     */
    Conn reusedAt(long t) {
      long previousLast = lastNanos;
      String previousState = connState();
      remove(t, RemovalCause.REUSED);
      Conn next = conn(id.origHost(), id.origPort(), id.respHost(), id.respPort());
      next.previousUid = id.uid();
      events.add(new ConnectionEvent.PortReused(t, next.id, id, previousLast, previousState, closedFirst));
      return next;
    }

    String connState() {
      EndpointState os = state[0];
      EndpointState rs = state[1];
      boolean oInactive = os == EndpointState.INACTIVE || os == EndpointState.PARTIAL;
      boolean rInactive = rs == EndpointState.INACTIVE || rs == EndpointState.PARTIAL;
      if (rs == EndpointState.RESET) {
        if (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT) return "REJ";
        return oInactive ? "RSTRH" : "RSTR";
      }
      if (os == EndpointState.RESET) return rInactive ? "RSTOS0" : "RSTO";
      if (rs == EndpointState.CLOSED && os == EndpointState.CLOSED) return "SF";
      if (os == EndpointState.CLOSED) return rInactive ? "SH" : "S2";
      if (rs == EndpointState.CLOSED) return oInactive ? "SHR" : "S3";
      if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE) return "S0";
      if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED) return "S1";
      return "OTH";
    }

    private EndpointSummary endpoint(Role r) {
      int i = r.ordinal();
      SynInfo syn = r == Role.ORIG ? origSyn : respSyn;
      long isn = syn == null ? -1 : r == Role.ORIG ? origIsn : respIsn;
      return new EndpointSummary(state[i], isn, syn, packets[i], bytes[i], bytes[i], synRetransmissions[i], fins[i],
          rsts[i], firstRst[i], firstFin[i], firstData[i], retransmitted[i], 0, tsAfterSyn[i], tsAfterSynNanos[i],
          finAcked[i], dataAfterPeerFin[i]);
    }

    ConnectionSummary summary(RemovalCause cause) {
      return new ConnectionSummary(id, startNanos, 0, lastNanos, connState(), history.toString(),
          endpoint(Role.ORIG), endpoint(Role.RESP), synNanos, synAckNanos, ackNanos, ackFrame, 0, synToSynAck,
          synAckToAck, synAcksAfterAck, completed, selfConnect(), simultaneousOpen, closedFirst, previousUid, cause);
    }
  }
}
