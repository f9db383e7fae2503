package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.IpAddress;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The socket-state census's transitions, estimates, TIME_WAIT clock, series and cap, on scripted events. */
class SocketCensusTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_700_000_000L * S;
  private static final String CLIENT = "10.0.0.2";
  private static final String SERVER = "10.0.0.1";

  private final Map<String, FlowId> ids = new HashMap<>();

  private FlowId id(int port) {
    return id(CLIENT, port);
  }

  private FlowId id(String client, int port) {
    return ids.computeIfAbsent(client + ":" + port,
        k -> new FlowId("C" + port, IpAddress.parse(client), port, IpAddress.parse(SERVER), 80));
  }

  private static Report.SocketStates host(SocketCensus.Result r, String host) {
    for (Report.HostSockets h : r.hosts()) {
      if (h.host().equals(host)) {
        return h.socketStates();
      }
    }
    throw new AssertionError(host + " not in the census");
  }

  private static long at(Report.SocketStates s, String state) {
    return s.atEnd().get(state);
  }

  private static long estimated(Report.SocketStates s, String state) {
    return s.estimatedAtEnd() == null ? 0 : s.estimatedAtEnd().getOrDefault(state, 0L);
  }

  /** SYN, SYN-ACK, 3rd ACK, the server's data. */
  private void open(SocketCensus c, long t, FlowId id) {
    c.accept(new ConnectionEvent.Attempted(t, id, null));
    c.accept(new ConnectionEvent.SynAckSent(t + 1, id, null, null, 0, false));
    c.accept(new ConnectionEvent.Established(t + 2, id, 3, 1, 1));
    c.accept(new ConnectionEvent.DataStarted(t + 3, id, Role.RESP));
  }

  @Test
  void noEventsNoCensus() {
    assertNull(new SocketCensus(10).build(T0));
  }

  @Test
  void handshakeStatesInOrder() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    c.accept(new ConnectionEvent.Attempted(T0, a, null));
    SocketCensus.Result r = c.build(T0);
    assertEquals(1, at(host(r, CLIENT), "syn_sent"));

    c = new SocketCensus(10);
    c.accept(new ConnectionEvent.Attempted(T0, a, null));
    c.accept(new ConnectionEvent.SynAckSent(T0 + 1, a, null, null, 0, false));
    r = c.build(T0 + 2);
    // The client has not ACKed yet: the wire proves its SYN_SENT, and the server's SYN_RECV is
    // an estimate until it resends the SYN-ACK (a cookie leaves no request socket).
    assertEquals(1, at(host(r, CLIENT), "syn_sent"));
    assertEquals(1, at(host(r, SERVER), "syn_recv"));
    assertEquals(1, estimated(host(r, SERVER), "syn_recv"));
  }

  /**
   * A SYN-ACK not resent by its 1 s timer (due 1.25 s after it, taken at the next whole second)
   * held no request socket (a cookie); a resent one did.
   */
  @Test
  void anUnconfirmedSynRecvLeavesWhenItsResendIsOverdueAResentOneStays() {
    SocketCensus c = new SocketCensus(10);
    FlowId cookie = id(1);
    FlowId real = id(2);
    for (FlowId f : List.of(cookie, real)) {
      c.accept(new ConnectionEvent.Attempted(T0, f, null));
      c.accept(new ConnectionEvent.SynAckSent(T0 + 1, f, null, null, 0, false));
    }
    c.accept(new ConnectionEvent.SynAckSent(T0 + S, real, null, null, 1, false)); // its timer: 1 s
    SocketCensus.Result r = c.build(T0 + S + 1);
    assertEquals(2, at(host(r, SERVER), "syn_recv"));
    assertEquals(1, estimated(host(r, SERVER), "syn_recv"));
    c.advance(T0 + 2 * S);
    r = c.build(T0 + 2 * S);
    assertEquals(1, at(host(r, SERVER), "syn_recv"), "the cookie's is gone");
    assertEquals(0, estimated(host(r, SERVER), "syn_recv"));
    // A late ACK of the cookie makes the connection after all: it is counted once, as ESTABLISHED.
    c.accept(new ConnectionEvent.Established(T0 + 3 * S, cookie, 9, -1, -1));
    r = c.build(T0 + 3 * S);
    assertEquals(1, at(host(r, SERVER), "syn_recv"));
    assertEquals(1, at(host(r, SERVER), "established"));
    assertEquals(2, host(r, SERVER).socketsAtEnd());
  }

  /** A request socket lives while its SYN-ACK is resent on schedule; when a resend is overdue it is gone. */
  @Test
  void aResentSynRecvLeavesWhenItsNextResendIsOverdue() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    c.accept(new ConnectionEvent.Attempted(T0, a, null));
    c.accept(new ConnectionEvent.SynAckSent(T0, a, null, null, 0, false));
    c.accept(new ConnectionEvent.SynAckSent(T0 + S, a, null, null, 1, false)); // next due 2 s later
    c.accept(new ConnectionEvent.SynAckSent(T0 + 3 * S, a, null, null, 2, false)); // on time; next 4 s later
    SocketCensus.Result r = c.build(T0 + 7 * S);
    assertEquals(1, at(host(r, SERVER), "syn_recv"), "its third resend is due at +7 s, with slack");
    r = c.build(T0 + 8 * S);
    assertEquals(0, at(host(r, SERVER), "syn_recv"), "overdue: the kernel dropped the request");
    Report.SocketSeries series = host(r, SERVER).series();
    assertEquals(List.of(1L, 1L, 1L, 1L, 1L, 1L, 1L, 1L, 0L),
        java.util.Arrays.stream(series.counts().get("syn_recv")).boxed().toList());
  }

  /** A client resending its SYN keeps its SYN_SENT; one that stops (a connect timeout, a spoofed source) loses it. */
  @Test
  void aSynSentLeavesWhenTheClientStopsResending() {
    SocketCensus c = new SocketCensus(10);
    FlowId patient = id(1);
    FlowId gaveUp = id(2);
    c.accept(new ConnectionEvent.Attempted(T0, patient, null));
    c.accept(new ConnectionEvent.Attempted(T0, gaveUp, null));
    c.accept(new ConnectionEvent.SynRetransmitted(T0 + S, patient, 3, 1, S));
    c.accept(new ConnectionEvent.SynRetransmitted(T0 + 3 * S, patient, 4, 2, 3 * S));
    SocketCensus.Result r = c.build(T0 + 3 * S);
    assertEquals(1, at(host(r, CLIENT), "syn_sent"), "the one that stopped after its first SYN is gone");
    r = c.build(T0 + 7 * S);
    assertEquals(1, at(host(r, CLIENT), "syn_sent"), "its next SYN is due by +7.25 s");
    r = c.build(T0 + 8 * S);
    assertEquals(0, at(host(r, CLIENT), "syn_sent"));
    assertEquals(2, host(r, CLIENT).peak().sockets());
  }

  @Test
  void serverEstablishedIsAnEstimateUntilItSpeaks() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    c.accept(new ConnectionEvent.Attempted(T0, a, null));
    c.accept(new ConnectionEvent.SynAckSent(T0 + 1, a, null, null, 0, false));
    c.accept(new ConnectionEvent.Established(T0 + 2, a, 3, 1, 1));
    SocketCensus.Result r = c.build(T0 + 3);
    assertEquals(1, at(host(r, CLIENT), "established"));
    assertEquals(0, estimated(host(r, CLIENT), "established"));
    assertEquals(1, at(host(r, SERVER), "established"));
    assertEquals(1, estimated(host(r, SERVER), "established"));

    FlowId b = id(2);
    c = new SocketCensus(10);
    open(c, T0, b);
    r = c.build(T0 + 4);
    assertEquals(0, estimated(host(r, SERVER), "established"));
  }

  @Test
  void aSynAckResentAfterTheThirdAckPutsTheServerBackInSynRecv() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    c.accept(new ConnectionEvent.Attempted(T0, a, null));
    c.accept(new ConnectionEvent.SynAckSent(T0 + 1, a, null, null, 0, false));
    c.accept(new ConnectionEvent.Established(T0 + 2, a, 3, 1, 1));
    c.accept(new ConnectionEvent.SynAckSent(T0 + S, a, null, null, 1, true));
    SocketCensus.Result r = c.build(T0 + S);
    assertEquals(1, at(host(r, SERVER), "syn_recv"));
    assertEquals(0, estimated(host(r, SERVER), "syn_recv"));
    assertEquals(0, at(host(r, SERVER), "established"));
    assertEquals(1, at(host(r, CLIENT), "established"));
  }

  @Test
  void theActiveCloserHoldsTimeWaitForSixtySeconds() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    open(c, T0, a);
    c.accept(new ConnectionEvent.FinSent(T0 + 10, a, 5, Role.ORIG));
    SocketCensus.Result r = c.build(T0 + 10);
    assertEquals(1, at(host(r, CLIENT), "fin_wait1"));
    assertEquals(1, at(host(r, SERVER), "established"));

    c.accept(new ConnectionEvent.FinAcked(T0 + 11, a, Role.ORIG));
    r = c.build(T0 + 11);
    assertEquals(1, at(host(r, CLIENT), "fin_wait2"));
    assertEquals(1, at(host(r, SERVER), "close_wait"));

    c.accept(new ConnectionEvent.FinSent(T0 + 12, a, 7, Role.RESP));
    r = c.build(T0 + 12);
    assertEquals(1, at(host(r, SERVER), "last_ack"));

    c.accept(new ConnectionEvent.FinAcked(T0 + 13, a, Role.RESP));
    r = c.build(T0 + 13);
    assertEquals(1, at(host(r, CLIENT), "time_wait"));
    assertEquals(0, host(r, SERVER).socketsAtEnd());

    r = c.build(T0 + 13 + 59 * S);
    assertEquals(1, at(host(r, CLIENT), "time_wait"));
    r = c.build(T0 + 13 + 60 * S);
    assertEquals(0, at(host(r, CLIENT), "time_wait"));
    assertEquals(Map.of("syn_sent", 1L, "established", 1L, "fin_wait1", 1L, "fin_wait2", 1L, "time_wait", 1L),
        host(r, CLIENT).max());
  }

  @Test
  void crossedFinsLeaveBothSidesInTimeWait() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    open(c, T0, a);
    c.accept(new ConnectionEvent.FinSent(T0 + 10, a, 5, Role.ORIG));
    c.accept(new ConnectionEvent.FinSent(T0 + 11, a, 6, Role.RESP));
    SocketCensus.Result r = c.build(T0 + 11);
    assertEquals(1, at(host(r, CLIENT), "fin_wait1"));
    assertEquals(1, at(host(r, SERVER), "fin_wait1"));
    c.accept(new ConnectionEvent.FinAcked(T0 + 12, a, Role.RESP));
    r = c.build(T0 + 12);
    assertEquals(1, at(host(r, CLIENT), "closing"));
    assertEquals(1, at(host(r, SERVER), "fin_wait2"));
    c.accept(new ConnectionEvent.FinAcked(T0 + 13, a, Role.ORIG));
    r = c.build(T0 + 13);
    assertEquals(1, at(host(r, CLIENT), "time_wait"));
    assertEquals(1, at(host(r, SERVER), "time_wait"));
  }

  @Test
  void aResetEndsBothSocketsAndLaterSegmentsDoNotReopenThem() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    open(c, T0, a);
    c.accept(new ConnectionEvent.Reset(T0 + 10, a, Role.RESP, null, T0 + 2, 0, 0, -1, -1));
    c.accept(new ConnectionEvent.DataStarted(T0 + 11, a, Role.ORIG));
    SocketCensus.Result r = c.build(T0 + 11);
    assertEquals(0, host(r, CLIENT).socketsAtEnd());
    assertEquals(0, host(r, SERVER).socketsAtEnd());
    assertEquals(1, host(r, SERVER).peak().sockets());
    assertEquals(1, host(r, CLIENT).peak().sockets());
  }

  @Test
  void aConnectionSeenMidStreamIsEstimatedOnBothSides() {
    SocketCensus c = new SocketCensus(10);
    FlowId a = id(1);
    c.accept(new ConnectionEvent.DataStarted(T0, a, Role.ORIG));
    SocketCensus.Result r = c.build(T0);
    assertEquals(1, at(host(r, CLIENT), "established"));
    assertEquals(0, estimated(host(r, CLIENT), "established")); // it spoke
    assertEquals(1, estimated(host(r, SERVER), "established"));
  }

  @Test
  void aHandshakeSilentPastItsTimerIsGoneAtTheEnd() {
    SocketCensus c = new SocketCensus(10);
    FlowId quiet = id(1);
    FlowId recent = id(2);
    c.accept(new ConnectionEvent.Attempted(T0, quiet, null));
    c.accept(new ConnectionEvent.Attempted(T0 + 5 * S, recent, null));
    // The input ends; the flow table removes what it holds.
    c.accept(removedAtEnd(quiet, T0, T0, 0, 0, T0 + 5 * S));
    c.accept(removedAtEnd(recent, T0 + 5 * S, T0 + 5 * S, 0, 0, T0 + 5 * S));
    SocketCensus.Result r = c.build(T0 + 5 * S);
    // The first SYN's 1 s timer ran out 4 s ago with no retransmission: the client gave up.
    assertEquals(1, at(host(r, CLIENT), "syn_sent"));
  }

  private static ConnectionEvent.Removed removedAtEnd(FlowId id, long start, long last, int synRetx, int synAckRetx, long now) {
    dev.synscope.flow.EndpointSummary orig = new dev.synscope.flow.EndpointSummary(
        dev.synscope.flow.EndpointState.SYN_SENT, 1, null, 1 + synRetx, 0, 0, synRetx, 0, 0, null, -1, -1, 0, 0, -1, -1,
        false, false);
    dev.synscope.flow.EndpointSummary resp = new dev.synscope.flow.EndpointSummary(
        dev.synscope.flow.EndpointState.INACTIVE, -1, null, 0, 0, 0, synAckRetx, 0, 0, null, -1, -1, 0, 0, -1, -1,
        false, false);
    return new ConnectionEvent.Removed(now, new dev.synscope.flow.ConnectionSummary(
        id, start, 0, last, "S0", "S", orig, resp, start, -1, -1, 0, 0, -1, -1, 0, false, false, false, null, null,
        dev.synscope.flow.RemovalCause.END_OF_INPUT));
  }

  @Test
  void theSeriesSamplesTheEndOfEachBucketAndWidensPastItsCap() {
    SocketCensus c = new SocketCensus(10);
    open(c, T0, id(1));
    c.accept(new ConnectionEvent.FinSent(T0 + 2 * S, id(1), 5, Role.ORIG));
    c.accept(new ConnectionEvent.FinAcked(T0 + 2 * S + 1, id(1), Role.ORIG));
    c.accept(new ConnectionEvent.FinSent(T0 + 2 * S + 2, id(1), 6, Role.RESP));
    c.accept(new ConnectionEvent.FinAcked(T0 + 2 * S + 3, id(1), Role.RESP));
    SocketCensus.Result r = c.build(T0 + 65 * S);
    Report.SocketSeries s = host(r, CLIENT).series();
    assertEquals(1, s.bucketSeconds());
    assertEquals(66, s.buckets());
    long[] tw = s.counts().get("time_wait");
    long[] est = s.counts().get("established");
    assertArrayEquals(new long[] {1, 1, 0}, new long[] {est[0], est[1], est[2]});
    assertEquals(1, tw[2]);
    assertEquals(1, tw[61]);
    assertEquals(0, tw[62]); // entered in second 2, gone 60 s later
    // Past 120 buckets the width doubles: a sample stays the count at the end of its bucket.
    r = c.build(T0 + 600 * S);
    s = host(r, CLIENT).series();
    assertEquals(8, s.bucketSeconds());
    assertTrue(s.buckets() <= SocketCensus.MAX_BUCKETS);
    assertEquals(0, s.counts().get("established")[0]); // closed by the end of 0..7 s
    assertEquals(1, s.counts().get("time_wait")[0]);
  }

  @Test
  void hostsPastTheCapAreSummedAndCounted() {
    SocketCensus c = new SocketCensus(2);
    c.accept(new ConnectionEvent.Attempted(T0, id("10.0.0.2", 1), null));
    c.accept(new ConnectionEvent.Attempted(T0, id("10.0.0.3", 1), null));
    c.accept(new ConnectionEvent.Attempted(T0, id("10.0.0.4", 1), null));
    c.accept(new ConnectionEvent.Attempted(T0, id("10.0.0.5", 1), null));
    c.accept(new ConnectionEvent.Rejected(T0 + 1, id("10.0.0.5", 1), null));
    SocketCensus.Result r = c.build(T0 + 1);
    assertEquals(2, r.hosts().size());
    assertEquals(0, r.notListed().moreHosts());
    assertEquals(2, r.notListed().hostsPastCap());
    assertEquals(1, r.notListed().atEnd().get("syn_sent")); // .4's; .5's was refused
    assertEquals(2, c.stats().refused());
  }

  @Test
  void aSelfConnectedSocketIsOneSocket() {
    SocketCensus c = new SocketCensus(10);
    FlowId self = new FlowId("Cs", IpAddress.parse("127.0.0.1"), 4000, IpAddress.parse("127.0.0.1"), 4000);
    c.accept(new ConnectionEvent.Attempted(T0, self, null));
    c.accept(new ConnectionEvent.SelfConnected(T0, self, 1));
    c.accept(new ConnectionEvent.SynAckSent(T0 + 1, self, null, null, 0, false));
    c.accept(new ConnectionEvent.Established(T0 + 2, self, 3, 1, 1));
    SocketCensus.Result r = c.build(T0 + 2);
    assertEquals(1, host(r, "127.0.0.1").socketsAtEnd());
    c.accept(new ConnectionEvent.FinSent(T0 + 3, self, 4, Role.ORIG));
    c.accept(new ConnectionEvent.Closed(T0 + 3, self, 4, Role.ORIG, false));
    r = c.build(T0 + 3);
    assertEquals(1, at(host(r, "127.0.0.1"), "time_wait"));
    assertEquals(1, host(r, "127.0.0.1").socketsAtEnd());
  }
}
