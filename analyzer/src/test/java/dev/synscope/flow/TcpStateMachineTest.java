package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.Segment;
import dev.synscope.testing.SegmentScript;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: a script of segments (see {@link SegmentScript}: upper case orig, lower case resp;
 * S syn, H syn-ack, A ack, D data, F fin, R rst) and the conn_state and history Zeek gives it.
 * The expected values follow Zeek's conn_state() in scripts/base/protocols/conn/main.zeek and the
 * endpoint transitions and history rules of TCPSessionAdapter.cc, traced by hand.
 */
class TcpStateMachineTest {
  private static final long MS = 1_000_000L;

  static Stream<Arguments> zeekTable() {
    return Stream.of(
        // S0: attempt seen, no reply (retransmitted SYNs with the same ISN log no new letter).
        Arguments.of("S", "S0", "S"),
        Arguments.of("S S S", "S0", "S"),
        // S1: established, not terminated (Zeek counts the SYN-ACK alone as established).
        Arguments.of("S h", "S1", "Sh"),
        Arguments.of("S h A", "S1", "ShA"),
        Arguments.of("S h A D d", "S1", "ShADd"),
        Arguments.of("S s", "S1", "Ss"),
        Arguments.of("h A", "S1", "^hA"),
        // SF: normal establishment and termination; a RST after both FINs keeps it SF.
        Arguments.of("S h A F f", "SF", "ShAFf"),
        Arguments.of("S h A D d F f A", "SF", "ShADdFf"),
        Arguments.of("S h A f F A", "SF", "ShAfF"),
        Arguments.of("S h A F f R", "SF", "ShAFfR"),
        Arguments.of("S h A f r F", "SF", "ShAfrF"), // FIN then RST from resp: a normal close
        Arguments.of("S h A D D= d", "S1", "ShADTd"), // T: orig retransmitted data
        Arguments.of("S h A d d= d=", "S1", "ShAdt"), // t logged at the 1st, not the 2nd
        Arguments.of("D a", "OTH", "Da"),
        // REJ: attempt rejected; also both sides reset with nothing sent.
        Arguments.of("S r", "REJ", "Sr"),
        Arguments.of("S S r", "REJ", "Sr"),
        Arguments.of("R r", "REJ", "Rr"),
        // S2 / S3: established, one side closed, no reply from the other.
        Arguments.of("S h A F", "S2", "ShAF"),
        Arguments.of("S h A D F", "S2", "ShADF"),
        Arguments.of("S h A f", "S3", "ShAf"),
        // RSTO / RSTR: established, then orig / resp aborted.
        Arguments.of("S h A R", "RSTO", "ShAR"),
        Arguments.of("S h A D d a R", "RSTO", "ShADdaR"),
        Arguments.of("S h R", "RSTO", "ShR"),
        Arguments.of("S h A r", "RSTR", "ShAr"),
        Arguments.of("S h A F r", "RSTR", "ShAFr"),
        // RSTOS0: orig sent SYN then RST, never a SYN-ACK.
        Arguments.of("S R", "RSTOS0", "SR"),
        Arguments.of("S S R", "RSTOS0", "SR"),
        // RSTRH: resp sent SYN-ACK then RST, no SYN from orig.
        Arguments.of("h r", "RSTRH", "^hr"),
        // SH / SHR: a SYN (or SYN-ACK) then FIN from the same side, no answer.
        Arguments.of("S F", "SH", "SF"),
        Arguments.of("h f", "SHR", "^hf"),
        // OTH: no SYN seen (midstream), or orig reset a midstream pickup.
        Arguments.of("D d", "OTH", "Dd"),
        Arguments.of("D", "OTH", "D"),
        Arguments.of("h", "OTH", "^h"),
        Arguments.of("D R", "OTH", "DR"));
  }

  @ParameterizedTest(name = "\"{0}\" -> {1} {2}")
  @MethodSource("zeekTable")
  void connStateAndHistoryAsZeek(String script, String connState, String history) {
    ConnectionSummary s = FlowHarness.run(script).only();
    assertEquals(connState, s.connState(), "conn_state of " + script);
    assertEquals(history, s.history(), "history of " + script);
  }

  @Test
  void tableCoversAllThirteenConnStates() {
    Set<String> covered = zeekTable().map(a -> (String) a.get()[1]).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(
        new TreeSet<>(List.of("S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH")),
        covered);
  }

  @Test
  void retransmittedSegmentsAreCounted() {
    ConnectionSummary s = FlowHarness.run("S h A D D= D= d").only();
    assertEquals(2, s.orig().retransmittedSegments());
    assertEquals(0, s.resp().retransmittedSegments());
    assertEquals(100, s.orig().bytes(), "a retransmission adds no sequence space");
  }

  @Test
  void byteCountsFollowSequenceSpace() {
    ConnectionSummary s = FlowHarness.run("S h A D250 d D F f A").only();
    assertEquals(350, s.orig().bytes(), "SYN and FIN octets are not data");
    assertEquals(100, s.resp().bytes());
    assertEquals(350, s.orig().payloadBytesSeen());
    assertEquals(6, s.orig().packets());
    assertEquals(3, s.resp().packets());
    assertEquals(1, s.orig().finCount());
    assertEquals(EndpointState.CLOSED, s.orig().state());
    assertEquals(EndpointState.CLOSED, s.resp().state());
  }

  // ---- handshake and RTT --------------------------------------------------------------------

  @Test
  void handshakeCompletesWithBothHalfRtts() {
    FlowHarness h = FlowHarness.run("S@0 h@12.5 A@13");
    ConnectionSummary s = h.only();
    assertTrue(s.handshakeCompleted());
    assertEquals(12_500_000L, s.synToSynAckNanos());
    assertEquals(500_000L, s.synAckToAckNanos());
    List<ConnectionEvent.Established> est = h.events(ConnectionEvent.Established.class);
    assertEquals(1, est.size());
    assertEquals(3, est.get(0).frameNumber());
    assertEquals(12_500_000L, est.get(0).synToSynAckNanos());
    assertEquals(500_000L, est.get(0).synAckToAckNanos());
    assertEquals(s.startNanos() + 13 * MS, s.ackNanos());
  }

  @Test
  void noHandshakeWithoutTheThirdAck() {
    FlowHarness h = FlowHarness.run("S h");
    assertFalse(h.only().handshakeCompleted());
    assertTrue(h.events(ConnectionEvent.Established.class).isEmpty());
    assertEquals(-1, h.only().ackNanos());
  }

  @Test
  void ackWithTheWrongNumberDoesNotCompleteTheHandshake() {
    SegmentScript script = SegmentScript.ipv4();
    List<Segment> segs = script.segments("S h A");
    segs.get(2).ack = (segs.get(2).ack + 5) & 0xffffffffL;
    FlowHarness h = new FlowHarness().feed(segs);
    h.table.drain();
    assertFalse(h.only().handshakeCompleted());
  }

  @Test
  void karnNoSynToSynAckAfterSynRetransmission() {
    ConnectionSummary s = FlowHarness.run("S@0 S@1000 h@1010 A@1020").only();
    assertTrue(s.handshakeCompleted());
    assertEquals(1, s.orig().synRetransmissions());
    assertEquals(-1, s.synToSynAckNanos(), "which SYN did the SYN-ACK answer? not measurable");
    assertEquals(-1, s.synAckToAckNanos());
  }

  @Test
  void karnNoSynAckToAckAfterSynAckRetransmission() {
    ConnectionSummary s = FlowHarness.run("S@0 h@10 h@1010 A@1011").only();
    assertTrue(s.handshakeCompleted());
    assertEquals(1, s.resp().synRetransmissions());
    assertEquals(10 * MS, s.synToSynAckNanos(), "the first SYN-ACK answered the only SYN");
    assertEquals(-1, s.synAckToAckNanos());
    assertEquals(s.startNanos() + 10 * MS, s.synAckNanos(), "first SYN-ACK time is kept");
  }

  @Test
  void synRetransmissionsAreCountedAndAnnounced() {
    FlowHarness h = FlowHarness.run("S@0 S@1000 S@3000");
    ConnectionSummary s = h.only();
    assertEquals(2, s.orig().synRetransmissions());
    assertEquals("S0", s.connState());
    List<ConnectionEvent.SynRetransmitted> rtx = h.events(ConnectionEvent.SynRetransmitted.class);
    assertEquals(List.of(1, 2), rtx.stream().map(ConnectionEvent.SynRetransmitted::count).toList());
    assertEquals(List.of(2L, 3L), rtx.stream().map(ConnectionEvent.SynRetransmitted::frameNumber).toList());
    assertEquals(1, h.events(ConnectionEvent.Attempted.class).size(), "one attempt, however many SYNs");
    assertEquals(s.startNanos(), s.synNanos(), "synNanos is the first SYN");
  }

  @Test
  void synAckRetransmittedAfterTheThirdAck() {
    // Accept-queue drop mode: the listener ignores the ACK and keeps resending its SYN-ACK.
    FlowHarness h = FlowHarness.run("S h A h h");
    ConnectionSummary s = h.only();
    assertTrue(s.handshakeCompleted());
    assertEquals(2, s.synAcksAfterHandshakeAck());
    assertEquals(2, s.resp().synRetransmissions());
    List<ConnectionEvent.SynAckSent> sent = h.events(ConnectionEvent.SynAckSent.class);
    assertEquals(List.of(0, 1, 2), sent.stream().map(ConnectionEvent.SynAckSent::count).toList());
    assertEquals(List.of(false, true, true), sent.stream().map(ConnectionEvent.SynAckSent::afterHandshakeAck).toList());
  }

  @Test
  void synAckRetransmittedBeforeTheAckIsNotAfterHandshake() {
    ConnectionSummary s = FlowHarness.run("S h h A").only();
    assertEquals(0, s.synAcksAfterHandshakeAck());
    assertEquals(1, s.resp().synRetransmissions());
  }

  @Test
  void synInfoKeepsTheFirstSynsOptions() {
    SegmentScript script = SegmentScript.ipv4();
    List<Segment> segs = script.segments("S S h");
    segs.get(0).mss = 1460;
    segs.get(0).windowScale = 7;
    segs.get(0).ttl = 61;
    segs.get(1).mss = 536;
    segs.get(2).mss = 1400;
    segs.get(2).hasTimestamps = true;
    segs.get(2).tsVal = 99;
    FlowHarness h = new FlowHarness().feed(segs);
    h.table.drain();
    ConnectionSummary s = h.only();
    assertEquals(1460, s.orig().syn().mss());
    assertEquals(7, s.orig().syn().windowScale());
    assertEquals(61, s.orig().syn().ttl());
    assertEquals(1400, s.resp().syn().mss());
    assertTrue(s.resp().syn().hasTimestamps());
    assertEquals(99, s.resp().syn().tsVal());
    assertEquals(script.isn(true), s.orig().isn());
    assertEquals(script.isn(false), s.resp().isn());
    ConnectionEvent.Attempted attempt = h.events(ConnectionEvent.Attempted.class).get(0);
    assertEquals(1460, attempt.syn().mss());
  }

  // ---- rejects, resets, closes --------------------------------------------------------------

  @Test
  void closedPortRejectEmitsRejected() {
    FlowHarness h = FlowHarness.run("S r");
    ConnectionSummary s = h.only();
    assertEquals("REJ", s.connState());
    List<ConnectionEvent.Rejected> rejected = h.events(ConnectionEvent.Rejected.class);
    assertEquals(1, rejected.size());
    RstInfo rst = rejected.get(0).rst();
    assertTrue(rst.withAck());
    assertEquals((s.orig().isn() + 1) & 0xffffffffL, rst.ack(), "a RST-ACK acknowledging the SYN");
    assertEquals(2, rst.frameNumber());
    assertTrue(h.events(ConnectionEvent.Reset.class).isEmpty(), "a rejection is not also a reset");
    assertFalse(s.handshakeCompleted());
  }

  @Test
  void resetAfterHandshakeIsAResetNotARejection() {
    FlowHarness h = FlowHarness.run("S@0 h@1 A@2 R@50");
    assertTrue(h.events(ConnectionEvent.Rejected.class).isEmpty());
    List<ConnectionEvent.Reset> resets = h.events(ConnectionEvent.Reset.class);
    assertEquals(1, resets.size());
    ConnectionEvent.Reset r = resets.get(0);
    assertEquals(Role.ORIG, r.by());
    assertEquals(h.only().startNanos() + 2 * MS, r.handshakeAckNanos());
    assertEquals(h.only().orig().isn(), r.senderIsn());
    assertEquals(0, r.senderPayloadBytes());
  }

  @Test
  void resetCarriesPayloadSentBeforeIt() {
    ConnectionEvent.Reset r = FlowHarness.run("S h A D d300 r").events(ConnectionEvent.Reset.class).get(0);
    assertEquals(Role.RESP, r.by());
    assertEquals(300, r.senderPayloadBytes());
    assertEquals(100, r.peerPayloadBytes());
  }

  @Test
  void gracefulCloseNamesWhoClosedFirst() {
    FlowHarness h = FlowHarness.run("S h A f F A");
    List<ConnectionEvent.Closed> closed = h.events(ConnectionEvent.Closed.class);
    assertEquals(1, closed.size());
    assertEquals(Role.RESP, closed.get(0).closedFirst());
    assertEquals(5, closed.get(0).frameNumber());
    assertEquals(Role.RESP, h.only().closedFirst());
    assertEquals(Role.ORIG, FlowHarness.run("S h A F f").only().closedFirst());
  }

  @Test
  void halfCloseIsNotClosed() {
    FlowHarness h = FlowHarness.run("S h A F");
    assertTrue(h.events(ConnectionEvent.Closed.class).isEmpty());
  }

  @Test
  void simultaneousOpenIsFlagged() {
    FlowHarness h = FlowHarness.run("S s H h A a");
    ConnectionSummary s = h.only();
    assertTrue(s.simultaneousOpen());
    assertEquals(1, h.events(ConnectionEvent.SimultaneousOpen.class).size());
    assertEquals(2, h.events(ConnectionEvent.SimultaneousOpen.class).get(0).frameNumber());
    assertTrue(s.handshakeCompleted());
    assertFalse(s.selfConnect());
  }

  @Test
  void ordinaryHandshakeIsNotSimultaneous() {
    FlowHarness h = FlowHarness.run("S h A");
    assertFalse(h.only().simultaneousOpen());
    assertTrue(h.events(ConnectionEvent.SimultaneousOpen.class).isEmpty());
  }

  @Test
  void eventsComeInOrderAndInPacketTime() {
    FlowHarness h = FlowHarness.run("S h A D d F f A");
    List<Class<?>> lifecycle = List.of(ConnectionEvent.Attempted.class, ConnectionEvent.SynAckSent.class,
        ConnectionEvent.Established.class, ConnectionEvent.Closed.class, ConnectionEvent.Removed.class);
    // Other event kinds (data started, ...) may come in between; these come once each, in order.
    List<Class<?>> types = h.events.stream().<Class<?>>map(Object::getClass).filter(lifecycle::contains).toList();
    assertEquals(lifecycle, types);
    long last = Long.MIN_VALUE;
    for (ConnectionEvent e : h.events) {
      assertTrue(e.timestampNanos() >= last, "events in packet-time order: " + h.events);
      last = e.timestampNanos();
      assertNotNull(e.id());
    }
    assertEquals(RemovalCause.END_OF_INPUT, h.only().removal());
    assertNull(h.only().previousUid());
  }
}
