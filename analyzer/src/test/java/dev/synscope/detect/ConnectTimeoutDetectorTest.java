package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.detect.DetectorScript.Conn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** connect-timeout: min_attempts 2 attempts resent at least min_resends 2 times, none answered; high from 10. */
class ConnectTimeoutDetectorTest {
  private int clients;

  private static List<Finding> run(DetectorScript s) {
    return s.run(new ConnectTimeoutDetector(
        ConnectTimeoutDetector.Config.from(DetectorParams.none(ConnectTimeoutDetector.ID))));
  }

  /** A Linux client trying {@code port}: SYN at t, +1, +3, +7 s, then it gives up. */
  private Conn timesOut(DetectorScript s, long t, int port) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), port).syn(t)
        .synRetransmit(t + ms(1000)).synRetransmit(t + ms(3000)).synRetransmit(t + ms(7000));
  }

  private Conn answered(DetectorScript s, long t, int port) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), port).syn(t).synAck(t + ms(0.1)).ack(t + ms(0.2));
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @Test
  void aPortDroppedWhileTheHostAnswersOnAnother() {
    DetectorScript s = new DetectorScript();
    answered(s, at(9), 8080);
    timesOut(s, at(10), 9090);
    timesOut(s, at(10.5), 9090);
    Finding f = only(run(s));
    assertEquals("10.0.0.1:9090", f.target());
    assertEquals(Severity.MEDIUM, f.severity());
    Map<String, Object> m = f.metrics();
    assertEquals(2L, m.get("attempts_unanswered"));
    assertEquals(6L, m.get("syn_retransmissions"));
    assertEquals(List.of(1.0, 3.0, 7.0), m.get("retransmission_schedule_s"));
    assertEquals("doubling from 1 s (Linux before 6.5)", m.get("schedule"));
    assertEquals(true, m.get("host_answers_other_ports"));
    assertEquals(7.0, m.get("longest_try_s"));
    assertEquals(2, f.evidence().size());
  }

  @Test
  void aHostThatAnswersNothingIsDownOrUnreachable() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      timesOut(s, at(10) + i * ms(100), 443);
    }
    Finding f = only(run(s));
    assertEquals(Severity.HIGH, f.severity(), "10 attempts");
    assertEquals(false, f.metrics().get("host_answers_other_ports"));
    assertEquals(10, f.metrics().get("client_sources_seen"), "ten clients");
  }

  @Test
  void oneAttemptIsNoOutage() {
    DetectorScript s = new DetectorScript();
    timesOut(s, at(10), 9090);
    assertEquals(List.of(), run(s));
  }

  @Test
  void probesResentOnceAreAScansNotAConnectThatKeptTrying() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      clients++;
      long t = at(10) + i * ms(100);
      s.conn(ipN("198.51", clients), 40000, ip("10.0.0.1"), 445).syn(t).synRetransmit(t + ms(700));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void aDestinationThatAnswersOthersIsSaturatedNotDead() {
    DetectorScript s = new DetectorScript();
    answered(s, at(9), 9090);
    timesOut(s, at(10), 9090);
    timesOut(s, at(10.5), 9090);
    assertEquals(List.of(), run(s), "listener-saturation's case");
  }

  @Test
  void aClosedPortRefusesAtOnce() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 3; i++) {
      clients++;
      long t = at(10) + i * ms(100);
      s.conn(ipN("198.51", clients), 40000, ip("10.0.0.1"), 9090).syn(t).reject(t + ms(0.1));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void schedulesAreNamed() {
    assertEquals("doubling from 1 s (Linux before 6.5)", ConnectTimeoutDetector.schedule(List.of(1.0, 3.0, 7.0, 15.0)));
    // Recorded from Linux 6.x (samples/connect-timeout.pcap): five 1 s gaps, then 2 and 4.
    assertEquals("1 s apart for the first 5, then doubling (Linux 6.5+ tcp_syn_linear_timeouts, macOS)",
        ConnectTimeoutDetector.schedule(List.of(1.0, 2.0, 3.1, 4.1, 5.1, 7.1, 11.4)));
    assertEquals("resends at [3.0, 9.0] s", ConnectTimeoutDetector.schedule(List.of(3.0, 9.0)));
    assertEquals("not seen", ConnectTimeoutDetector.schedule(List.of()));
  }
}
