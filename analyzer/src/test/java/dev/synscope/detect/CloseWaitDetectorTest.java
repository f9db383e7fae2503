package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.flow.RemovalCause;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** close-wait: min_age_s 30, min_connections 1; low below 10 leaks, medium below 100, high from 100. */
class CloseWaitDetectorTest {
  private static final String SERVER = "10.0.0.1:8080";
  private int clients;

  private static List<Finding> run(DetectorScript s, Map<String, String> params) {
    return s.run(new CloseWaitDetector(CloseWaitDetector.Config.from(new DetectorParams(CloseWaitDetector.ID, params))));
  }

  private static List<Finding> run(DetectorScript s) {
    return run(s, Map.of());
  }

  /** A client that sends a request and closes at t + 1 s; the server's kernel ACKs the FIN. */
  private Conn clientCloses(DetectorScript s, long t) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 8080).syn(t).synAck(t + ms(0.1))
        .ack(t + ms(0.2)).data(t + ms(0.3), Role.ORIG, 100).fin(t + ms(1000), Role.ORIG).finAck(t + ms(1000.1), Role.ORIG);
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @Test
  void aServerThatNeverClosesAfterEofLeaksCloseWait() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 3; i++) {
      clientCloses(s, at(10) + i * ms(100));
    }
    s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(50)).synAck(at(50) + ms(0.1)).ack(at(50) + ms(0.2));
    Finding f = only(run(s)); // the capture ends at 50 s: 39 s after the FINs
    assertEquals(CloseWaitDetector.ID, f.detector());
    assertEquals(SERVER, f.target());
    assertEquals(Severity.LOW, f.severity());
    Map<String, Object> m = f.metrics();
    assertEquals(3L, m.get("leaked_connections"));
    assertEquals(3L, m.get("close_wait_peak"));
    assertEquals(3L, m.get("close_wait_at_end"));
    assertTrue((double) m.get("max_age_s") >= 39.0, m.toString());
    assertEquals(3, f.evidence().size());
  }

  @Test
  void youngerThanMinAgeIsNoLeakButCountsAtTheEnd() {
    for (String minAge : new String[] {"30", "5"}) {
      DetectorScript s = new DetectorScript();
      clientCloses(s, at(10));
      s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(20)).synAck(at(20) + ms(0.1));
      List<Finding> f = run(s, Map.of("min_age_s", minAge));
      if (minAge.equals("30")) {
        assertEquals(List.of(), f, "10 s: not yet a leak");
      } else {
        assertEquals(1L, only(f).metrics().get("close_wait_at_end"));
      }
    }
  }

  @Test
  void aFinNeverAcknowledgedLeftNoCloseWait() {
    DetectorScript s = new DetectorScript();
    clients++;
    s.conn(ipN("198.51", clients), 40000, ip("10.0.0.1"), 8080).syn(at(10)).synAck(at(10) + ms(0.1))
        .ack(at(10) + ms(0.2)).fin(at(11), Role.ORIG);
    s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(List.of(), run(s), "the server's socket never took the FIN (gone, or the FIN lost)");
  }

  @Test
  void aServerStillSendingAfterTheFinHalfClosesOnPurpose() {
    DetectorScript s = new DetectorScript();
    clientCloses(s, at(10)).data(at(12), Role.RESP, 1000).data(at(45), Role.RESP, 1000);
    s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(List.of(), run(s));
  }

  @Test
  void aResetEndsCloseWait() {
    DetectorScript s = new DetectorScript();
    clientCloses(s, at(10)).rst(at(15), Role.RESP, 0, true);
    s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(List.of(), run(s));
  }

  @Test
  void severityGrowsWithTheLeaks() {
    DetectorScript ten = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      clientCloses(ten, at(10) + i * ms(10));
    }
    ten.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(Severity.MEDIUM, only(run(ten)).severity());
    DetectorScript hundred = new DetectorScript();
    for (int i = 0; i < 100; i++) {
      clientCloses(hundred, at(10) + i * ms(10));
    }
    hundred.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(Severity.HIGH, only(run(hundred)).severity());
  }

  @Test
  void aGracefulCloseIsNoCloseWait() {
    DetectorScript s = new DetectorScript();
    clients++;
    s.conn(ipN("198.51", clients), 40000, ip("10.0.0.1"), 8080).syn(at(10)).synAck(at(10) + ms(0.1))
        .ack(at(10) + ms(0.2)).close(at(11), Role.ORIG, false);
    s.conn(ip("198.51.9.9"), 50000, ip("10.0.0.1"), 8080).syn(at(60)).synAck(at(60) + ms(0.1));
    assertEquals(List.of(), run(s));
  }
}
