package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.DetectorScript.Conn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * listener-saturation: window_s 3, min_affected 3 attempts that needed a client's retry
 * (min_rto_ms 200 after the first SYN) and min_share 0.05 of the window's attempts, while the
 * listener answered others; then either the listener proved its accept queue full (3 signs, 5 %
 * of its handshakes, in 10 s) or the retries are beyond chance against its own earlier share
 * (prior 5 % over 50 attempts, floor 1 %, alpha 0.01 over every window examined); quiet_s 10.
 */
class ListenerSaturationDetectorTest {
  private static final String LISTENER = "10.0.0.1:8080";
  private int clients;

  private static List<Finding> run(DetectorScript s) {
    return s.run(new ListenerSaturationDetector(
        ListenerSaturationDetector.Config.from(DetectorParams.none(ListenerSaturationDetector.ID))));
  }

  private Conn client(DetectorScript s, long t) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 8080).syn(t);
  }

  /** {@code n} clients answered at once, from {@code start} s, 50 ms apart. */
  private void answered(DetectorScript s, int n, double start) {
    for (int i = 0; i < n; i++) {
      long t = at(start) + i * ms(50);
      client(s, t).synAck(t + ms(0.1)).ack(t + ms(0.2));
    }
  }

  /** A client whose first SYN was dropped: its timer resends it after 1 s, and that one is answered. */
  private Conn answeredAfterRetry(DetectorScript s, long t) {
    return client(s, t).synRetransmit(t + ms(1000)).synAck(t + ms(1000.1)).ack(t + ms(1000.2));
  }

  /** A client that is never answered: SYN at t, +1 s, +3 s, then it gives up. */
  private Conn neverAnswered(DetectorScript s, long t) {
    return client(s, t).synRetransmit(t + ms(1000)).synRetransmit(t + ms(3000));
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  /** A minute of healthy traffic, 10 attempts a second, none retried: the listener's history. */
  private void history(DetectorScript s) {
    answered(s, 600, 0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> significance(Finding f) {
    return (Map<String, Object>) f.metrics().get("significance");
  }

  @Test
  void attemptsAnsweredOnlyAfterARetryWhileOthersAreAnsweredAtOnce() {
    DetectorScript s = new DetectorScript();
    history(s);
    answered(s, 10, 70);
    for (int i = 0; i < 6; i++) {
      answeredAfterRetry(s, at(70.1) + i * ms(10));
    }
    Finding f = only(run(s));
    assertEquals(ListenerSaturationDetector.ID, f.detector());
    assertEquals(LISTENER, f.target());
    assertEquals(Severity.MEDIUM, f.severity(), "every attempt was answered in the end");
    Map<String, Object> m = f.metrics();
    assertEquals(6L, m.get("attempts_retried"));
    assertEquals(6L, m.get("answered_after_retry"));
    assertEquals(0L, m.get("never_answered"));
    @SuppressWarnings("unchecked")
    Map<String, Object> latency = (Map<String, Object>) m.get("added_connect_latency_s");
    assertEquals(1.0, latency.get("p50"));
    assertEquals(1.0, latency.get("max"));
    assertEquals(false, significance(f).get("queue_full_proven"));
    assertEquals(0.01, significance(f).get("chance_rate"), "the floor: no retry in a minute before");
    assertTrue((double) significance(f).get("p_value") < 1e-6);
    assertEquals(5, f.evidence().size());
  }

  @Test
  void attemptsNeverAnsweredAreConnectTimeoutsAndHigh() {
    DetectorScript s = new DetectorScript();
    history(s);
    answered(s, 10, 70);
    for (int i = 0; i < 6; i++) {
      neverAnswered(s, at(70.6) + i * ms(10));
    }
    Finding f = only(run(s));
    assertEquals(Severity.HIGH, f.severity());
    assertEquals(6L, f.metrics().get("never_answered"));
    assertTrue(f.summary().contains("6 never answered"), f.summary());
  }

  @Test
  void twoRetriedAttemptsAreBelowMinAffected() {
    DetectorScript s = new DetectorScript();
    history(s);
    answeredAfterRetry(s, at(70.1));
    answeredAfterRetry(s, at(70.2));
    assertEquals(List.of(), run(s));
  }

  @Test
  void aSteadyShareOfRetriesIsTheListenersLossNotSaturation() {
    // 10 attempts a second for two minutes, one in twenty retried all along (a lossy path): the
    // retries of any few seconds are what this listener always shows.
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 1200; i++) {
      long t = at(0) + i * ms(100);
      if (i % 20 == 7) {
        answeredAfterRetry(s, t);
      } else {
        client(s, t).synAck(t + ms(0.1)).ack(t + ms(0.2));
      }
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void threeRetriesWithoutHistoryAreChanceButProvenWhenTheQueueShowsFull() {
    // 16 clients answered, then 3 whose SYNs are dropped: 3 of 19 against a 5 % prior is chance.
    DetectorScript chance = new DetectorScript();
    answered(chance, 16, 10);
    for (int i = 0; i < 3; i++) neverAnswered(chance, at(11) + i * ms(1));
    assertEquals(List.of(), run(chance));
    // The same while the listener resends SYN-ACKs to clients that already sent their 3rd ACK
    // (the kernel dropped those ACKs: its accept queue is full): the cause is proven.
    DetectorScript proven = new DetectorScript();
    for (int i = 0; i < 16; i++) {
      long t = at(10) + i * ms(10);
      Conn c = client(proven, t).synAck(t + ms(0.1)).ack(t + ms(0.2));
      if (i >= 12) {
        c.synAckRetransmit(t + ms(1000));
      }
    }
    for (int i = 0; i < 3; i++) neverAnswered(proven, at(11) + i * ms(1));
    Finding f = only(run(proven));
    assertEquals(true, significance(f).get("queue_full_proven"));
    assertEquals(3L, f.metrics().get("never_answered"));
    assertTrue(String.valueOf(f.metrics().get("inferred_cause")).startsWith("accept queue full (proven"));
  }

  @Test
  void aPortThatAnswersNobodyIsNotSaturatedButDead() {
    DetectorScript dead = new DetectorScript();
    for (int i = 0; i < 8; i++) {
      long t = at(10) + i * ms(100);
      clients++;
      dead.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 9999).syn(t)
          .synRetransmit(t + ms(1000)).synRetransmit(t + ms(3000));
    }
    assertEquals(List.of(), run(dead), "connect-timeout's, not a saturated listener's");
  }

  @Test
  void duplicateSynsMillisecondsApartAreNoClientsTimer() {
    DetectorScript s = new DetectorScript();
    history(s);
    for (int i = 0; i < 6; i++) {
      long t = at(70.1) + i * ms(10);
      client(s, t).synRetransmit(t + ms(20)).synAck(t + ms(20.1)).ack(t + ms(20.2));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void aClosedPortRefusesInsteadOfDropping() {
    DetectorScript s = new DetectorScript();
    history(s);
    for (int i = 0; i < 6; i++) {
      long t = at(70.2) + i * ms(10);
      client(s, t).synRetransmit(t + ms(1000)).reject(t + ms(1000.1));
    }
    assertEquals(List.of(), run(s), "RSTs: the port closed, not a full queue");
  }

  @Test
  void quietSecondsEndAnEpisode() {
    DetectorScript s = new DetectorScript();
    history(s);
    for (int i = 0; i < 6; i++) answeredAfterRetry(s, at(70.5) + i * ms(10));
    answered(s, 200, 80);
    for (int i = 0; i < 6; i++) answeredAfterRetry(s, at(100.5) + i * ms(10));
    List<Finding> f = run(s);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals(6L, f.get(1).metrics().get("attempts_retried"));
  }

  /** A client whose handshake completes but whose data the server never acknowledges (resent at +0.2, +0.6 s). */
  private Conn stalled(DetectorScript s, long t) {
    return client(s, t).synAck(t + ms(0.1)).ack(t + ms(20)).data(t + ms(20.1), dev.synscope.flow.Role.ORIG, 80)
        .dataRetransmit(t + ms(220), dev.synscope.flow.Role.ORIG).dataRetransmit(t + ms(620), dev.synscope.flow.Role.ORIG);
  }

  @Test
  void handshakesWhoseDataTheServerNeverAcknowledgesAreConnectionsItNeverHad() {
    DetectorScript s = new DetectorScript();
    answered(s, 2, 10);
    for (int i = 0; i < 18; i++) {
      stalled(s, at(10.2) + i * ms(1));
    }
    Finding f = only(run(s));
    assertEquals(Severity.HIGH, f.severity());
    assertEquals("stalled-after-handshake", f.metrics().get("kind"));
    assertEquals(18, f.metrics().get("connections_stalled"));
    assertEquals(36L, f.metrics().get("client_segments_retransmitted"));
    assertEquals(5, f.evidence().size());
  }

  @Test
  void twoStalledConnectionsOrAServerThatAnswersAreNoFinding() {
    DetectorScript two = new DetectorScript();
    stalled(two, at(10));
    stalled(two, at(10.1));
    assertEquals(List.of(), run(two), "below min_affected");
    DetectorScript answeredLate = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      stalled(answeredLate, at(10) + i * ms(10)).data(at(11), dev.synscope.flow.Role.RESP, 100);
    }
    assertEquals(List.of(), run(answeredLate), "the server's kernel had the socket: it answered");
  }
}
