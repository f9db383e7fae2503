package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** self-connect: one self-connected ip:port is a finding, medium when the handshake completed. */
class SelfConnectDetectorTest {

  private static List<Finding> run(DetectorScript s, Map<String, String> params) {
    return s.run(new SelfConnectDetector(SelfConnectDetector.Config.from(
        new DetectorParams(SelfConnectDetector.ID, params))));
  }

  /** connect() to a local port with nothing listening picks that port: SYN, SYN-ACK, ACK to itself. */
  private static Conn selfConnect(DetectorScript s, String host, int port, long t) {
    return s.conn(host, port, host, port).syn(t).synAck(t + ms(0.02)).ack(t + ms(0.04));
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @Test
  void completedSelfConnectionIsMedium() {
    DetectorScript s = new DetectorScript();
    s.conn("127.0.0.1", 41000, "127.0.0.1", 8080).full(at(9), Role.ORIG);
    Conn c = selfConnect(s, "127.0.0.1", 45000, at(10)).data(at(10) + ms(1), Role.ORIG, 10);
    Finding f = only(run(s, Map.of()));
    assertEquals(SelfConnectDetector.ID, f.detector());
    assertEquals("127.0.0.1:45000", f.target());
    assertEquals(Severity.MEDIUM, f.severity());
    assertEquals(at(10), f.firstSeenNanos());
    assertEquals(c.lastNanos, f.lastSeenNanos());
    assertEquals(45000, f.metrics().get("port"));
    assertEquals(1L, f.metrics().get("connections"));
    assertEquals(1L, f.metrics().get("handshakes_completed"));
    assertEquals(true, f.metrics().get("port_in_ephemeral_range"));
    assertEquals("32768-60999", f.metrics().get("ephemeral_range"));
    assertEquals(1, f.evidence().size());
    assertEquals(c.id.uid(), f.evidence().get(0).uid());
  }

  @Test
  void selfConnectionThatNeverCompletesIsLow() {
    // A LAND-style SYN: source == destination, from a non-local address, never answered.
    DetectorScript s = new DetectorScript();
    s.conn("192.0.2.7", 80, "192.0.2.7", 80).syn(at(10), DetectorScript.Options.bare());
    Finding f = only(run(s, Map.of()));
    assertEquals("192.0.2.7:80", f.target());
    assertEquals(Severity.LOW, f.severity());
    assertEquals(80, f.metrics().get("port"));
    assertEquals(0L, f.metrics().get("handshakes_completed"));
    assertEquals(false, f.metrics().get("port_in_ephemeral_range"));
  }

  @Test
  void repeatedSelfConnectionsOnOnePortAreOneFinding() {
    DetectorScript s = new DetectorScript();
    Conn first = selfConnect(s, "10.1.1.1", 50000, at(10)).close(at(10) + ms(5), Role.ORIG, false);
    first.remove(at(12), dev.synscope.flow.RemovalCause.IDLE_TIMEOUT);
    Conn second = s.conn("10.1.1.1", 50000, "10.1.1.1", 50000).syn(at(20)); // a retry: never completes
    selfConnect(s, "10.1.1.1", 50001, at(30));
    List<Finding> f = run(s, Map.of());
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals("10.1.1.1:50000", f.get(0).target());
    assertEquals(2L, f.get(0).metrics().get("connections"));
    assertEquals(1L, f.get(0).metrics().get("handshakes_completed"));
    assertEquals(Severity.MEDIUM, f.get(0).severity());
    assertEquals(at(10), f.get(0).firstSeenNanos());
    assertEquals(second.lastNanos, f.get(0).lastSeenNanos());
    assertEquals("10.1.1.1:50001", f.get(1).target());
  }

  @Test
  void portOutsideTheConfiguredEphemeralRangeIsSaidSo() {
    DetectorScript s = new DetectorScript();
    selfConnect(s, "127.0.0.1", 45000, at(10));
    Finding f = only(run(s, Map.of("ephemeral_low", "49152", "ephemeral_high", "65535")));
    assertEquals(false, f.metrics().get("port_in_ephemeral_range"));
    assertEquals("49152-65535", f.metrics().get("ephemeral_range"));
  }

  @Test
  void ordinaryConnectionsAreNotSelfConnections() {
    DetectorScript s = new DetectorScript();
    s.conn("127.0.0.1", 45000, "127.0.0.1", 45001).full(at(10), Role.ORIG); // same host, other port
    s.conn("127.0.0.1", 45000, "127.0.0.2", 45000).full(at(11), Role.ORIG); // same port, other host
    assertEquals(List.of(), run(s, Map.of()));
  }

  /**
   * A LAND flood: SYNs with source == destination on thousands of random ports. The target table
   * stays at its cap and counts what it evicts; the real self-connect among them (its handshake
   * completed) is kept and reported with its exact counts.
   */
  @Test
  void aLandFloodIsBoundedAndTheRealSelfConnectStays() {
    DetectorScript s = new DetectorScript();
    Conn real = selfConnect(s, "127.0.0.1", 45000, at(1));
    for (int k = 0; k < 3000; k++) {
      s.conn("198.18.0.9", 1024 + k, "198.18.0.9", 1024 + k).syn(at(2) + k * ms(1), DetectorScript.Options.bare());
    }
    SelfConnectDetector d = new SelfConnectDetector(SelfConnectDetector.Config.from(
        new DetectorParams(SelfConnectDetector.ID, Map.of("max_targets", "100"))));
    List<Finding> f = s.run(d);
    StateTableStats table = d.stateTables().get(0);
    assertEquals("self-connect.targets", table.name());
    assertEquals(100, table.peak());
    assertEquals(3001 - 100, table.evicted());
    assertEquals(0, table.evictedBusy());
    assertEquals(100, f.size());
    Finding kept = f.stream().filter(x -> x.target().equals("127.0.0.1:45000")).findFirst().orElseThrow();
    assertEquals(Severity.MEDIUM, kept.severity());
    assertEquals(1L, kept.metrics().get("connections"));
    assertEquals(real.id.uid(), kept.evidence().get(0).uid());
  }
}
