package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.flow.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/** simultaneous-open: one info finding per 4-tuple whose SYNs crossed. */
class SimultaneousOpenDetectorTest {

  private static List<Finding> run(DetectorScript s) {
    return s.run(new SimultaneousOpenDetector());
  }

  /** Both peers dial each other from fixed ports: SYNs cross, each answers with a SYN-ACK. */
  private static Conn crossed(DetectorScript s, String a, int aPort, String b, int bPort, long t) {
    return s.conn(a, aPort, b, bPort).syn(t).respSyn(t + ms(0.1)).synAck(t + ms(0.3)).ack(t + ms(0.5));
  }

  @Test
  void crossedSynsAreAnInfoFinding() {
    DetectorScript s = new DetectorScript();
    s.conn("10.0.0.1", 40000, "10.0.0.2", 80).full(at(9), Role.ORIG);
    Conn c = crossed(s, "10.0.0.1", 5000, "10.0.0.2", 6000, at(10));
    List<Finding> f = run(s);
    assertEquals(1, f.size(), () -> "findings: " + f);
    Finding only = f.get(0);
    assertEquals(SimultaneousOpenDetector.ID, only.detector());
    assertEquals(Severity.INFO, only.severity());
    assertEquals("10.0.0.1:5000<->10.0.0.2:6000", only.target());
    assertEquals(at(10), only.firstSeenNanos());
    assertEquals(c.lastNanos, only.lastSeenNanos());
    assertEquals(true, only.metrics().get("handshake_completed"));
    assertEquals(c.origIsn, only.metrics().get("orig_isn"));
    assertEquals(c.respIsn, only.metrics().get("resp_isn"));
    assertEquals(1, only.evidence().size());
    assertEquals(c.id.uid(), only.evidence().get(0).uid());
  }

  @Test
  void eachFourTupleIsItsOwnFinding() {
    DetectorScript s = new DetectorScript();
    crossed(s, "10.0.0.1", 5000, "10.0.0.2", 6000, at(10));
    s.conn("10.0.0.3", 7000, "10.0.0.4", 7001).syn(at(11)).respSyn(at(11) + ms(0.1)); // never completed
    List<Finding> f = run(s);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals("10.0.0.1:5000<->10.0.0.2:6000", f.get(0).target());
    assertEquals("10.0.0.3:7000<->10.0.0.4:7001", f.get(1).target());
    assertEquals(false, f.get(1).metrics().get("handshake_completed"));
  }

  @Test
  void selfConnectIsNotReportedAsSimultaneousOpen() {
    DetectorScript s = new DetectorScript();
    Conn self = s.conn("127.0.0.1", 45000, "127.0.0.1", 45000).syn(at(10));
    self.simultaneousOpen = true; // the socket met its own SYN
    self.synAck(at(10) + ms(0.02)).ack(at(10) + ms(0.04));
    assertEquals(List.of(), run(s));
  }

  @Test
  void ordinaryHandshakesAreNotSimultaneousOpens() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 20; i++) {
      s.conn("10.0.0.1", 40000 + i, "10.0.0.2", 80).full(at(10) + ms(i * 10), Role.ORIG);
    }
    assertEquals(List.of(), run(s));
  }
}
