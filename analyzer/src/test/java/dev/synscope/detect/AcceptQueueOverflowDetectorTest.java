package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.SECOND;
import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * accept-queue-overflow: min_connections 3 within window_ms 10000; an abort RST must follow the
 * 3rd ACK within abort_max_delay_ms 1000.
 */
class AcceptQueueOverflowDetectorTest {
  private static final String LISTENER = "10.0.0.1:8080";

  private int clients;

  private static List<Finding> run(DetectorScript s) {
    return s.run(new AcceptQueueOverflowDetector(
        AcceptQueueOverflowDetector.Config.from(DetectorParams.none(AcceptQueueOverflowDetector.ID))));
  }

  /** A client completing the handshake at t + 0.2 ms and sending its request at t + 0.3 ms. */
  private Conn handshake(DetectorScript s, long t) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 8080)
        .syn(t).synAck(t + ms(0.1)).ack(t + ms(0.2)).data(t + ms(0.3), Role.ORIG, 200);
  }

  /** {@code n} connections that complete and are never accepted (the application is stuck). */
  private void stuck(DetectorScript s, int n, double start) {
    for (int i = 0; i < n; i++) {
      handshake(s, at(start) + i * ms(50));
    }
  }

  /** A connection the kernel resets {@code delayMs} after its 3rd ACK: no ACK flag, seq = ISN+1. */
  private Conn abort(DetectorScript s, long t, double delayMs) {
    Conn c = handshake(s, t);
    return c.abortRst(c.ackNanos + ms(delayMs));
  }

  /**
   * As {@link #abort}, seen from a capture point 600 ms of round trip away from the server (SYN
   * to SYN-ACK 600 ms): the reset may come up to 1201 ms after the ACK, so abort_max_delay_ms rules.
   */
  private Conn farAbort(DetectorScript s, long t, double delayMs) {
    clients++;
    Conn c = s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 8080)
        .syn(t).synAck(t + ms(600)).ack(t + ms(600.1)).data(t + ms(600.2), Role.ORIG, 200);
    return c.abortRst(c.ackNanos + ms(delayMs));
  }

  /** A connection whose 3rd ACK the kernel drops: SYN-ACK retransmitted at +1 s and +3 s. */
  private Conn drop(DetectorScript s, long t) {
    return handshake(s, t).synAckRetransmit(t + SECOND).synAckRetransmit(t + 3 * SECOND);
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @Test
  void abortsBelowMinConnectionsAreNotAFinding() {
    DetectorScript s = new DetectorScript();
    stuck(s, 4, 10);
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    assertEquals(List.of(), run(s));
  }

  @Test
  void abortsAtMinConnectionsAreAnOverflow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 4, 10);
    Conn first = abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    Conn last = abort(s, at(11.2), 0.05);
    Finding f = only(run(s));
    assertEquals(AcceptQueueOverflowDetector.ID, f.detector());
    assertEquals(LISTENER, f.target());
    assertEquals(Severity.HIGH, f.severity());
    assertEquals(first.firstRst[1].timestampNanos(), f.firstSeenNanos());
    assertEquals(last.firstRst[1].timestampNanos(), f.lastSeenNanos());
    Map<String, Object> m = f.metrics();
    assertEquals("abort", m.get("mode"));
    assertEquals(3, m.get("connections_affected"));
    assertEquals(3, m.get("abort_resets"));
    assertEquals(0, m.get("synack_retransmissions_after_ack"));
    assertEquals(4, m.get("estimated_accept_queue_length"));
    assertEquals(3, m.get("estimated_backlog"));
    assertEquals(0L, m.get("rejected_syns"));
    assertEquals(3, f.evidence().size());
    assertEquals(first.id.uid(), f.evidence().get(0).uid());
    assertEquals("RSTR", f.evidence().get(0).connState());
  }

  @Test
  void abortResetWithinAbortMaxDelayCounts() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    farAbort(s, at(11), 999);
    farAbort(s, at(13), 1000);
    farAbort(s, at(15), 999);
    Finding f = only(run(s));
    assertEquals(3, f.metrics().get("abort_resets"));
    assertEquals(2, f.metrics().get("estimated_accept_queue_length"));
  }

  @Test
  void resetLaterThanAbortMaxDelayIsNotAnOverflow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    farAbort(s, at(11), 999);
    farAbort(s, at(13), 1000);
    farAbort(s, at(15), 1001);
    assertEquals(List.of(), run(s));
  }

  @Test
  void abortMaxDelayParameterMovesTheBoundary() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    farAbort(s, at(11), 1001);
    farAbort(s, at(13), 1001);
    farAbort(s, at(15), 1001);
    List<Finding> f = s.run(new AcceptQueueOverflowDetector(AcceptQueueOverflowDetector.Config.from(
        new DetectorParams(AcceptQueueOverflowDetector.ID, Map.of("abort_max_delay_ms", "1001")))));
    assertEquals(3, only(f).metrics().get("abort_resets"));
  }

  @Test
  void aFewAbortsAmongManyHandshakesAreNotAnOverflow() {
    // While the queue is full every new handshake overflows. 3 abort-shaped resets among the 60
    // handshakes from the first to the last of them (5 %) make a finding; among 61 they do not.
    for (int others : new int[] {57, 58}) {
      DetectorScript s = new DetectorScript();
      stuck(s, 2, 10);
      abort(s, at(11), 0.05);
      for (int i = 0; i < others; i++) {
        handshake(s, at(11.1) + i * ms(10)).data(at(11.1) + i * ms(10) + ms(1), Role.RESP, 100); // accepted
      }
      abort(s, at(12), 0.05);
      abort(s, at(12.1), 0.05);
      List<Finding> f = run(s);
      if (others == 57) {
        assertEquals(60L, only(f).metrics().get("handshakes_in_episode"));
        assertEquals(0.05, only(f).metrics().get("share_affected"));
      } else {
        assertEquals(List.of(), f, "3 of 61");
      }
    }
  }

  @Test
  void theKernelsResetComesWithinTwoRoundTripsOfTheAck() {
    // SYN to SYN-ACK 0.1 ms here: the kernel's reset to the 3rd ACK comes within 2 x 0.1 + 1 ms.
    DetectorScript in = new DetectorScript();
    stuck(in, 2, 10);
    abort(in, at(11), 1.2);
    abort(in, at(12), 1.2);
    abort(in, at(13), 0.01);
    assertEquals(3, only(run(in)).metrics().get("abort_resets"));
    // 1.3 ms or 5 ms later is something else: an application or a middlebox, not the queue.
    DetectorScript late = new DetectorScript();
    stuck(late, 2, 10);
    abort(late, at(11), 1.3);
    abort(late, at(12), 5);
    abort(late, at(13), 0.01);
    assertEquals(List.of(), run(late));
  }

  @Test
  void synAckRetransmittedAfterTheAckIsDropMode() {
    DetectorScript s = new DetectorScript();
    stuck(s, 6, 10);
    drop(s, at(11));
    drop(s, at(11.5));
    drop(s, at(12));
    Finding f = only(run(s));
    Map<String, Object> m = f.metrics();
    assertEquals("drop", m.get("mode"));
    assertEquals(3, m.get("connections_affected")); // each connection once, though resent twice
    assertEquals(0, m.get("abort_resets"));
    assertEquals(3, m.get("synack_retransmissions_after_ack"));
    assertEquals(6, m.get("estimated_accept_queue_length"));
    assertEquals(5, m.get("estimated_backlog"));
    assertEquals(at(12), f.firstSeenNanos());
    assertEquals(at(13), f.lastSeenNanos());
  }

  @Test
  void synAckRetransmittedBeforeTheAckIsNotDropMode() {
    // The client's SYN or the SYN-ACK was lost: the SYN-ACK is resent before the handshake completes.
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      long t = at(10) + i * ms(100);
      s.conn(ipN("198.51", i), 40000 + i, ip("10.0.0.1"), 8080)
          .syn(t).synAck(t + ms(0.1)).synAckRetransmit(t + SECOND).ack(t + SECOND + ms(0.1));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void oneLostThirdAckIsNotAFinding() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 50; i++) {
      handshake(s, at(10) + i * ms(20)).data(at(10) + i * ms(20) + ms(1), Role.RESP, 1500);
    }
    Conn lost = handshake(s, at(11));
    lost.synAckRetransmit(at(12)).data(at(12) + ms(1), Role.RESP, 1500);
    assertEquals(List.of(), run(s));
  }

  @Test
  void queueLengthCountsCompletedConnectionsLeftUntouchedBeforeTheFirstOverflow() {
    DetectorScript s = new DetectorScript();
    // Accepted and served: not waiting.
    for (int i = 0; i < 3; i++) {
      handshake(s, at(9) + i * ms(10)).data(at(9) + i * ms(10) + ms(2), Role.RESP, 800);
    }
    // Accepted and closed without a response: not waiting.
    for (int i = 0; i < 2; i++) {
      handshake(s, at(9.5) + i * ms(10)).close(at(9.5) + i * ms(10) + ms(5), Role.ORIG, false);
    }
    // Waiting for accept().
    for (int i = 0; i < 5; i++) {
      Conn c = handshake(s, at(10) + i * ms(50));
      if (i == 0) {
        c.data(at(12), Role.RESP, 800); // accepted only after the overflow: it was waiting then
      }
    }
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    abort(s, at(11.2), 0.05);
    // Completed after the first overflow: not part of the queue it found full.
    stuck(s, 4, 11.5);
    Finding f = only(run(s));
    assertEquals(5, f.metrics().get("estimated_accept_queue_length"));
    assertEquals(4, f.metrics().get("estimated_backlog"));
  }

  @Test
  void closedPortRejectionsAreNotOverflows() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      long t = at(10) + i * ms(100);
      s.conn(ipN("198.51", i), 40000 + i, ip("10.0.0.1"), 8080).syn(t).reject(t + ms(0.1));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void rejectionsAreCountedSeparatelyInAnOverflowFinding() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      long t = at(5) + i * ms(100);
      s.conn(ipN("203.0", i), 40000 + i, ip("10.0.0.1"), 8080).syn(t).reject(t + ms(0.1));
    }
    stuck(s, 1, 10);
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    abort(s, at(11.2), 0.05);
    Finding f = only(run(s));
    assertEquals(5L, f.metrics().get("rejected_syns"));
    assertEquals(3, f.metrics().get("connections_affected"));
    assertEquals(1, f.metrics().get("estimated_accept_queue_length"));
  }

  @Test
  void resetWithAckAfterTheHandshakeIsNotAnOverflow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    for (int i = 0; i < 3; i++) {
      Conn c = handshake(s, at(11) + i * ms(100));
      c.rst(c.ackNanos + ms(0.05), Role.RESP, c.respIsn + 1, true);
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void resetAfterServerDataIsNotAnOverflow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    for (int i = 0; i < 3; i++) {
      Conn c = handshake(s, at(11) + i * ms(100));
      c.data(c.ackNanos + ms(1), Role.RESP, 100).rst(c.ackNanos + ms(2), Role.RESP, c.respIsn + 1, false);
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void resetWithAnotherSequenceNumberIsNotAnOverflow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    for (int i = 0; i < 3; i++) {
      Conn c = handshake(s, at(11) + i * ms(100));
      c.rst(c.ackNanos + ms(0.05), Role.RESP, c.respIsn + 2, false);
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void clientResetsAreNotOverflows() {
    // A stateless scanner completes the handshake and resets at once: no ACK, seq = its ISN+1, no data.
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    for (int i = 0; i < 3; i++) {
      long t = at(11) + i * ms(100);
      Conn c = s.conn(ipN("203.0", i), 61000, ip("10.0.0.1"), 8080).syn(t).synAck(t + ms(0.1)).ack(t + ms(0.2));
      c.rst(t + ms(0.25), Role.ORIG, c.origIsn + 1, false);
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void clustersFartherApartThanTheWindowAreSeparateEpisodes() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    abort(s, at(11.2), 0.05);
    abort(s, at(40), 0.05);
    abort(s, at(40.1), 0.05);
    abort(s, at(40.2), 0.05);
    List<Finding> f = run(s);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals(at(11) + ms(0.25), f.get(0).firstSeenNanos());
    assertEquals(at(40) + ms(0.25), f.get(1).firstSeenNanos());
    assertEquals(3, f.get(1).metrics().get("connections_affected"));
  }

  @Test
  void affectedConnectionsMustClusterWithinTheWindow() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    abort(s, at(40), 0.05);
    assertEquals(List.of(), run(s));
  }
  /** Two listeners overflowing at the end of the capture: 10.0.0.1 from 10 s, 10.0.0.2 from 12 s. */
  private DetectorScript twoOpenEpisodes() {
    DetectorScript s = new DetectorScript();
    stuck(s, 2, 10);
    abort(s, at(11), 0.05);
    abort(s, at(11.1), 0.05);
    abort(s, at(11.2), 0.05);
    for (int i = 0; i < 3; i++) {
      long t = at(12) + i * ms(100);
      Conn c = s.conn(ipN("198.51", 200 + i), 50000 + i, ip("10.0.0.2"), 8080)
          .syn(t).synAck(t + ms(0.1)).ack(t + ms(0.2));
      c.abortRst(c.ackNanos + ms(0.05));
    }
    return s;
  }

  @Test
  void openEpisodesAreListedInTheOrderListenersWereFirstSeen() {
    DetectorScript s = twoOpenEpisodes();
    List<Finding> f = run(s);
    assertEquals(List.of(LISTENER, "10.0.0.2:8080"), f.stream().map(Finding::target).toList());
    // The server 10.0.0.2 was seen first, answering on a connection picked up midstream.
    DetectorScript seenBefore = twoOpenEpisodes();
    seenBefore.conn(ipN("203.0", 1), 61000, ip("10.0.0.2"), 8080).data(at(1), Role.RESP, 100);
    List<Finding> g = run(seenBefore);
    assertEquals(List.of("10.0.0.2:8080", LISTENER), g.stream().map(Finding::target).toList());
  }

  @Test
  void twoInstancesOnOneEventStreamKeepTheirOwnState() {
    DetectorScript s = twoOpenEpisodes();
    Detector first = new AcceptQueueOverflowDetector(
        AcceptQueueOverflowDetector.Config.from(DetectorParams.none(AcceptQueueOverflowDetector.ID)));
    Detector second = new AcceptQueueOverflowDetector(
        AcceptQueueOverflowDetector.Config.from(DetectorParams.none(AcceptQueueOverflowDetector.ID)));
    s.run(new Detector() {
      @Override
      public String id() {
        return "both";
      }

      @Override
      public void onEvent(dev.synscope.flow.ConnectionEvent event) {
        first.onEvent(event);
        second.onEvent(event);
      }

      @Override
      public List<Finding> findings() {
        return List.of();
      }
    });
    for (Detector d : List.of(first, second)) {
      List<Finding> f = d.findings();
      assertEquals(List.of(LISTENER, "10.0.0.2:8080"), f.stream().map(Finding::target).toList());
      assertEquals(2, f.get(0).metrics().get("estimated_accept_queue_length"));
      assertEquals(3, f.get(0).evidence().size());
      assertEquals(3, f.get(1).evidence().size());
    }
  }
}
