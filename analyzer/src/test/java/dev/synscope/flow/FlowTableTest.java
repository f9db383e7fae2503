package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;
import dev.synscope.testing.SegmentScript;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowTableTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_700_000_000L * S;

  // ---- canonical key ------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}:{1} -> {2}:{3}")
  @CsvSource({
    "10.0.0.1, 40000, 10.0.0.2, 80",
    "10.0.0.9, 40000, 10.0.0.2, 80",
    "255.255.255.254, 1, 1.0.0.0, 2",
    "127.0.0.1, 50000, 127.0.0.1, 8080",
    "127.0.0.1, 1024, 127.0.0.1, 8080",
    "2001:db8::1, 40000, 2001:db8::2, 443",
    "2001:db8::2, 40000, 2001:db8::1, 443",
    "ff02::1, 1, 2001:db8::1, 2",
    "2001:db8::1:0:0:1, 7, 2001:db8::1, 7",
  })
  void bothDirectionsAreOneConnectionWithTheSynSenderAsOrig(String origHost, int origPort, String respHost, int respPort) {
    FlowHarness h = new FlowHarness();
    h.feed(SegmentScript.between(origHost, origPort, respHost, respPort).segments("S h A D d F f A"));
    assertEquals(1, h.table.size());
    h.table.drain();
    ConnectionSummary s = h.only();
    assertEquals("SF", s.connState());
    assertEquals("ShADdFf", s.history());
    assertEquals(IpAddress.parse(origHost), s.id().origHost());
    assertEquals(origPort, s.id().origPort());
    assertEquals(IpAddress.parse(respHost), s.id().respHost());
    assertEquals(respPort, s.id().respPort());
    assertEquals(5, s.orig().packets());
    assertEquals(3, s.resp().packets());
    assertFalse(s.selfConnect());
  }

  @Test
  void ipv4AndIpv6WithTheSameLowBitsAreDifferentConnections() {
    // ::a00:1 holds 10.0.0.1's 32 bits in the same place: only the IP version tells them apart.
    FlowHarness h = new FlowHarness();
    h.feed(SegmentScript.between("10.0.0.1", 1000, "10.0.0.2", 80).segments("S"));
    h.feed(SegmentScript.between("::a00:1", 1000, "::a00:2", 80).startingAt(T0 + S).segments("S h"));
    assertEquals(2, h.table.size());
    h.table.drain();
    assertEquals(List.of("S0", "S1"), h.removed().stream().map(ConnectionSummary::connState).sorted().toList());
  }

  @Test
  void manyConcurrentConnectionsWithReuseKeepEverySegmentInItsOwnConnection() {
    // Stresses growth and deletion in the middle of probe chains: 5000 live 4-tuples, each
    // reopened twice (the reuse removes the old entry while its neighbours stay).
    int n = 5000;
    List<SegmentScript> scripts = new ArrayList<>();
    Random random = new Random(42);
    for (int i = 0; i < n; i++) {
      String client = "10." + (i >> 8 & 0xff) + "." + (i & 0xff) + ".1";
      scripts.add(SegmentScript.between(client, 1024 + random.nextInt(60000), "192.0.2.80", 80).startingAt(T0));
    }
    FlowHarness h = new FlowHarness();
    String[] steps = {"S!", "h", "A", "F", "f"};
    for (int round = 0; round < 3; round++) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) order.add(i);
      for (String step : steps) {
        Collections.shuffle(order, random);
        for (int i : order) {
          Segment seg = scripts.get(i).segment(step + "@" + (round * 10 + List.of(steps).indexOf(step)));
          h.table.onSegment(seg);
        }
      }
      assertEquals(n, h.table.size());
    }
    h.table.drain();
    List<ConnectionSummary> all = h.removed();
    assertEquals(3 * n, all.size());
    for (ConnectionSummary s : all) {
      assertEquals("SF", s.connState(), s.id().toString());
      assertEquals("ShAFf", s.history(), s.id().toString());
      assertEquals(3, s.orig().packets(), s.id().toString());
      assertEquals(2, s.resp().packets(), s.id().toString());
    }
    assertEquals(2L * n, h.table.stats().portReuses());
    assertEquals(3L * n, h.table.stats().created());
    assertEquals(2 * n, h.events(ConnectionEvent.PortReused.class).size());
    assertEquals(0, h.table.size());
  }

  // ---- self-connection ----------------------------------------------------------------------

  private static List<Segment> selfConnect(String host, int port) {
    long x = 0x12345678L;
    List<Segment> segs = List.of(
        SegmentScript.raw(host, port, host, port, TcpFlags.SYN, x, 0, T0),
        SegmentScript.raw(host, port, host, port, TcpFlags.SYN | TcpFlags.ACK, x, x + 1, T0 + 1000),
        SegmentScript.raw(host, port, host, port, TcpFlags.ACK, x + 1, x + 1, T0 + 2000),
        SegmentScript.raw(host, port, host, port, TcpFlags.ACK | TcpFlags.PSH, x + 1, x + 1, T0 + 3000));
    segs.get(3).payloadLength = 10;
    for (int i = 0; i < segs.size(); i++) segs.get(i).frameNumber = i + 1;
    return segs;
  }

  @ParameterizedTest
  @CsvSource({"127.0.0.1, 5000", "::1, 443"})
  void selfConnectionIsFlagged(String host, int port) {
    FlowHarness h = new FlowHarness().feed(selfConnect(host, port));
    h.table.drain();
    ConnectionSummary s = h.only();
    assertTrue(s.selfConnect());
    assertTrue(s.id().isSelfConnection());
    assertEquals(s.id().origHost(), s.id().respHost());
    List<ConnectionEvent.SelfConnected> flagged = h.events(ConnectionEvent.SelfConnected.class);
    assertEquals(1, flagged.size());
    assertEquals(1, flagged.get(0).frameNumber());
    assertTrue(h.events(ConnectionEvent.Attempted.class).isEmpty(), "a self-connect is no attempt on a listener");
    assertTrue(s.handshakeCompleted());
    assertEquals("S1", s.connState());
    assertEquals(1, s.resp().packets(), "only the SYN-ACK is the 'responder' in a self-connect");
  }

  @ParameterizedTest
  @CsvSource({"10.0.0.1, 21, 10.0.0.2, 21", "10.0.0.1, 21, 10.0.0.1, 22", "::1, 5, ::2, 5"})
  void equalPortsOrEqualAddressesAloneAreNoSelfConnection(String a, int ap, String b, int bp) {
    FlowHarness h = runBetween(a, ap, b, bp, "S h A");
    assertFalse(h.only().selfConnect());
    assertTrue(h.events(ConnectionEvent.SelfConnected.class).isEmpty());
  }

  private static FlowHarness runBetween(String a, int ap, String b, int bp, String script) {
    FlowHarness h = new FlowHarness().feed(SegmentScript.between(a, ap, b, bp).segments(script));
    h.table.drain();
    return h;
  }

  // ---- port reuse ---------------------------------------------------------------------------

  @Test
  void newIsnAfterCloseIsANewConnection() {
    FlowHarness h = FlowHarness.run("S h A F f A S! h A");
    List<ConnectionSummary> all = h.removed();
    assertEquals(2, all.size());
    ConnectionSummary first = all.get(0);
    ConnectionSummary second = all.get(1);
    assertEquals(RemovalCause.REUSED, first.removal());
    assertEquals("SF", first.connState());
    assertEquals("S1", second.connState());
    assertEquals("ShA", second.history());
    assertEquals(first.id().uid(), second.previousUid());
    assertNotEquals(first.id().uid(), second.id().uid());
    assertNotEquals(first.orig().isn(), second.orig().isn());
    List<ConnectionEvent.PortReused> reused = h.events(ConnectionEvent.PortReused.class);
    assertEquals(1, reused.size());
    assertEquals(first.id(), reused.get(0).previous());
    assertEquals(second.id(), reused.get(0).id());
    assertEquals("SF", reused.get(0).previousConnState());
    assertEquals(Role.ORIG, reused.get(0).previousClosedFirst());
    assertEquals(first.lastNanos(), reused.get(0).previousLastNanos());
    assertEquals(1, h.table.stats().portReuses());
    assertEquals(2, h.table.stats().created());
  }

  @Test
  void newIsnAfterRejectIsANewConnection() {
    FlowHarness h = FlowHarness.run("S r S! r");
    assertEquals(List.of("REJ", "REJ"), h.removed().stream().map(ConnectionSummary::connState).toList());
    assertEquals(1, h.events(ConnectionEvent.PortReused.class).size());
    assertEquals(2, h.events(ConnectionEvent.Rejected.class).size());
  }

  @Test
  void newIsnAfterAnUnansweredSynIsANewConnection() {
    FlowHarness h = FlowHarness.run("S S! S!");
    assertEquals(3, h.removed().size());
    assertEquals(2, h.table.stats().portReuses());
    for (ConnectionSummary s : h.removed()) {
      assertEquals(0, s.orig().synRetransmissions());
    }
  }

  @Test
  void synRetransmissionWithTheSameIsnIsNoReuse() {
    FlowHarness h = FlowHarness.run("S S S h A");
    ConnectionSummary s = h.only();
    assertEquals(2, s.orig().synRetransmissions());
    assertTrue(h.events(ConnectionEvent.PortReused.class).isEmpty());
    assertEquals(0, h.table.stats().portReuses());
    assertEquals(1, h.table.stats().created());
  }

  // ---- expiry in packet time ----------------------------------------------------------------

  private static final FlowConfig SHORT = new FlowConfig(1000, 10 * S, 50 * S, 5 * S);

  /** A SYN on a fresh 4-tuple, only to move packet time forward. */
  private static int clockPort = 10000;

  private static Segment tick(long atNanos) {
    return SegmentScript.raw("198.51.100.1", clockPort++, "198.51.100.2", 9, TcpFlags.SYN, 1, 0, atNanos);
  }

  private static List<ConnectionSummary> target(FlowHarness h) {
    return h.removed().stream().filter(s -> s.id().origPort() == 40000).toList();
  }

  private static FlowHarness atStart(String script) {
    FlowHarness h = new FlowHarness(SHORT);
    h.feed(SegmentScript.ipv4().startingAt(T0).stepNanos(1_000_000).segments(script));
    return h;
  }

  @Test
  void halfOpenExpiresAfterItsTimeout() {
    FlowHarness h = atStart("S");
    h.feed(tick(T0 + 9 * S + S / 2));
    assertTrue(target(h).isEmpty(), "9.5 s idle < 10 s");
    h.feed(tick(T0 + 11 * S));
    List<ConnectionSummary> gone = target(h);
    assertEquals(1, gone.size());
    assertEquals(RemovalCause.IDLE_TIMEOUT, gone.get(0).removal());
    assertEquals("S0", gone.get(0).connState());
    assertEquals(1, h.table.stats().expired());
  }

  @Test
  void establishedOutlivesTheHalfOpenTimeout() {
    FlowHarness h = atStart("S h A");
    h.feed(tick(T0 + 11 * S));
    h.feed(tick(T0 + 49 * S));
    assertTrue(target(h).isEmpty(), "established: 50 s timeout");
    h.feed(tick(T0 + 51 * S));
    List<ConnectionSummary> gone = target(h);
    assertEquals(1, gone.size());
    assertEquals(RemovalCause.IDLE_TIMEOUT, gone.get(0).removal());
    assertEquals("S1", gone.get(0).connState());
  }

  @Test
  void closedIsForgottenAfterItsOwnTimeout() {
    FlowHarness h = atStart("S h A F f A");
    h.feed(tick(T0 + 4 * S));
    assertTrue(target(h).isEmpty());
    h.feed(tick(T0 + 6 * S));
    List<ConnectionSummary> gone = target(h);
    assertEquals(1, gone.size());
    assertEquals("SF", gone.get(0).connState());
    assertEquals(RemovalCause.IDLE_TIMEOUT, gone.get(0).removal());
    assertEquals(2, h.table.size(), "the two clock flows (half-open, 2 s and 0 s idle) stay");
  }

  @Test
  void activityRestartsTheIdleTime() {
    FlowHarness h = new FlowHarness(SHORT);
    SegmentScript script = SegmentScript.ipv4().startingAt(T0);
    h.feed(script.segments("S@0 S@8000"));
    h.feed(tick(T0 + 17 * S));
    assertTrue(target(h).isEmpty(), "idle 9 s since the retransmission");
    h.feed(tick(T0 + 19 * S));
    assertEquals(1, target(h).size());
  }

  /** Removed connections are reused (pooled): one taken back must carry nothing of its past. */
  @Test
  void aConnectionTakenBackFromThePoolStartsClean() throws Exception {
    FlowHarness h = new FlowHarness(SHORT);
    h.feed(SegmentScript.ipv4().startingAt(T0).segments("S h A D d D! F r"));
    // Its first packet expires the busy connection, whose object it then takes.
    SegmentScript next = SegmentScript.between("198.18.0.9", 5555, "198.18.0.10", 443).startingAt(T0 + 100 * S);
    h.feed(next.segments("S h"));
    h.table.drain();
    List<ConnectionSummary> all = h.removed();
    assertEquals(2, all.size());
    assertEquals(RemovalCause.IDLE_TIMEOUT, all.get(0).removal());

    FlowHarness fresh = new FlowHarness(SHORT);
    fresh.feed(SegmentScript.between("198.18.0.9", 5555, "198.18.0.10", 443).startingAt(T0 + 100 * S).segments("S h"));
    fresh.table.drain();
    ConnectionSummary expected = fresh.only();
    ConnectionSummary actual = all.get(1);
    for (java.lang.reflect.RecordComponent rc : ConnectionSummary.class.getRecordComponents()) {
      if (rc.getName().equals("id")) continue; // the uid counts connections per table
      assertEquals(rc.getAccessor().invoke(expected), rc.getAccessor().invoke(actual), rc.getName());
    }
  }

  /** A flood's half-open entries expire together: their rows serve the next flood, the table does not grow. */
  @Test
  void aFloodsRowsAreReusedByTheNextOne() {
    int flood = 70_000;
    FlowHarness h = new FlowHarness(new FlowConfig(2 * flood, 10 * S, 50 * S, 5 * S));
    for (int k = 0; k < flood; k++) {
      String source = k < 60_000 ? "198.18.1.1" : "198.18.1.2";
      h.table.onSegment(SegmentScript.raw(source, 1024 + k % 60_000, "198.18.0.1", 80, TcpFlags.SYN, k, 0, T0 + k));
    }
    assertEquals(flood, h.table.size());
    int rows = h.table.allocatedRows();
    h.table.onSegment(tick(T0 + 20 * S));
    assertEquals(1, h.table.size(), "the flood expired, the tick's SYN stays");
    assertEquals(flood, h.table.stats().expired());
    for (int k = 0; k < flood; k++) {
      String source = k < 60_000 ? "198.18.2.1" : "198.18.2.2";
      h.table.onSegment(SegmentScript.raw(source, 1024 + k % 60_000, "198.18.0.1", 80, TcpFlags.SYN, k, 0, T0 + 21 * S + k));
    }
    assertEquals(flood + 1, h.table.size());
    assertEquals(rows, h.table.allocatedRows(), "the second flood took the first one's rows");
  }

  @Test
  void aSegmentAfterExpiryStartsAFreshConnectionWithoutReuse() {
    FlowHarness h = new FlowHarness(SHORT);
    SegmentScript script = SegmentScript.ipv4().startingAt(T0);
    h.feed(script.segments("S@0 S@30000"));
    h.table.drain();
    List<ConnectionSummary> all = target(h);
    assertEquals(2, all.size());
    assertEquals(RemovalCause.IDLE_TIMEOUT, all.get(0).removal());
    assertEquals(0, all.get(1).orig().synRetransmissions(), "the old SYN is forgotten");
    assertEquals(0, h.table.stats().portReuses());
    assertTrue(h.events(ConnectionEvent.PortReused.class).isEmpty());
  }

  @Test
  void defaultTimeoutsAreTheDocumentedOnes() {
    FlowConfig d = FlowConfig.defaults();
    assertEquals(75 * S, d.halfOpenTimeoutNanos());
    assertEquals(300 * S, d.establishedTimeoutNanos());
    assertEquals(60 * S, d.closedTimeoutNanos());
    assertEquals(FlowConfig.DEFAULT_MAX_FLOWS, d.maxFlows());
  }

  // ---- eviction -----------------------------------------------------------------------------

  private static SegmentScript flow(int port, long startNanos) {
    return SegmentScript.between("10.0.0.1", port, "10.0.0.2", 80).startingAt(startNanos);
  }

  private static List<Integer> evictedPorts(FlowHarness h) {
    return h.removed().stream()
        .filter(s -> s.removal() == RemovalCause.EVICTED)
        .map(s -> s.id().origPort())
        .toList();
  }

  @Test
  void fullTableEvictsStaleHalfOpenFirstThenClosedThenEstablished() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(3));
    h.feed(flow(1, T0).segments("S h A"));            // established, the oldest
    h.feed(flow(2, T0 + S).segments("S r"));          // closed
    h.feed(flow(3, T0 + 2 * S).segments("S"));        // half-open, the newest, unanswered for 1 s
    assertEquals(3, h.table.size());
    SegmentScript n1 = flow(4, T0 + 3 * S);
    h.feed(n1.segments("S"));
    assertEquals(List.of(3), evictedPorts(h), "the stale half-open one goes first although it is the newest");
    h.feed(n1.segments("h A"));
    SegmentScript n2 = flow(5, T0 + 4 * S);
    h.feed(n2.segments("S"));
    assertEquals(List.of(3, 2), evictedPorts(h), "then the closed one");
    h.feed(n2.segments("h A"));
    h.feed(flow(6, T0 + 5 * S).segments("S"));
    assertEquals(List.of(3, 2, 1), evictedPorts(h), "then the least recently active established one");
    assertEquals(3, h.table.size());
    FlowStats stats = h.table.stats();
    assertEquals(3, stats.evicted());
    assertEquals(3, stats.peakFlows());
    assertEquals(3, stats.maxFlows());
    assertEquals(6, stats.created());
  }

  @Test
  void aHandshakeInFlightStaysWhileAnEstablishedConnectionCanGo() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(3));
    h.feed(flow(1, T0).segments("S h A"));
    h.feed(flow(2, T0 + 1_000_000).segments("S h A"));
    SegmentScript inFlight = flow(3, T0 + 2_000_000);
    h.feed(inFlight.segments("S"));                   // its SYN-ACK is a moment away
    SegmentScript next = flow(4, T0 + 3_000_000);
    h.feed(next.segments("S"));
    assertEquals(List.of(1), evictedPorts(h), "the least recently active established one, not the SYN in flight");
    h.feed(inFlight.segments("h A"));
    h.feed(next.segments("h A"));
    h.table.drain();
    assertEquals(List.of(1), evictedPorts(h));
    assertTrue(h.removed().stream().filter(c -> c.removal() != RemovalCause.EVICTED).allMatch(c -> c.connState().equals("S1")),
        "every handshake whole");
  }

  @Test
  void aHalfOpenConnectionIdleLongerThanTheClosedOnesGoesFirst() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(2));
    h.feed(flow(1, T0).segments("S"));                // half-open, the oldest
    h.feed(flow(2, T0 + S).segments("S r"));          // closed
    h.feed(flow(3, T0 + 2 * S).segments("S"));
    assertEquals(List.of(1), evictedPorts(h));
  }

  /**
   * A scan answered by RSTs through a full table: each probe's RST comes a moment after its SYN.
   * Evicting the newest half-open probe would split it in two (a SYN-only and an RST-only
   * connection); the closed probes, idle longest, go instead.
   */
  @Test
  void aScanThroughAFullTableKeepsEachProbeWhole() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(100));
    for (int k = 0; k < 1000; k++) {
      h.feed(SegmentScript.between("198.18.0.1", 40000, "198.19." + (k / 250) + "." + (k % 250), 1 + k)
          .startingAt(T0 + k * 1_000_000L).segments("S r"));
    }
    h.table.drain();
    List<ConnectionSummary> all = h.removed();
    assertEquals(1000, all.size(), "one connection per probe");
    assertTrue(all.stream().allMatch(c -> c.connState().equals("REJ")), "every probe whole: SYN and its RST");
    assertEquals(900, h.table.stats().evicted());
  }

  @Test
  void leastRecentlyActiveHalfOpenIsEvicted() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(2));
    SegmentScript a = flow(1, T0);
    h.feed(a.segments("S@0"));
    h.feed(flow(2, T0).segments("S@1000"));
    h.feed(a.segments("S@2000")); // a retransmits: now b is the stalest
    h.feed(flow(3, T0).segments("S@3000"));
    assertEquals(List.of(2), evictedPorts(h));
    assertEquals(1, h.table.stats().evicted());
  }

  @Test
  void evictedConnectionKeepsItsFigures() {
    FlowHarness h = new FlowHarness(FlowConfig.defaults().withMaxFlows(1));
    h.feed(flow(1, T0).segments("S S"));
    h.feed(flow(2, T0 + S).segments("S"));
    ConnectionSummary evicted = h.removed().get(0);
    assertEquals(RemovalCause.EVICTED, evicted.removal());
    assertEquals(1, evicted.orig().synRetransmissions());
    assertEquals("S0", evicted.connState());
    assertEquals(1, h.table.size());
  }

  @Test
  void drainReportsEveryConnectionLeft() {
    FlowHarness h = new FlowHarness();
    for (int port = 1; port <= 50; port++) {
      h.feed(flow(port, T0 + port).segments(port % 2 == 0 ? "S h A" : "S"));
    }
    assertEquals(50, h.table.size());
    h.table.drain();
    assertEquals(0, h.table.size());
    assertEquals(50, h.removed().size());
    assertTrue(h.removed().stream().allMatch(s -> s.removal() == RemovalCause.END_OF_INPUT));
    assertEquals(50, h.table.stats().endOfInput());
    assertEquals(50, h.table.stats().peakFlows());
  }
}
