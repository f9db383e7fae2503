package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * time-wait-pileup: min_peak 1000 concurrent entries on the host that closes first, time_wait_ms
 * 60000, ephemeral range 32768-60999, high_ratio 0.5 and critical_ratio 0.8 of it per destination.
 */
class TimeWaitPileupDetectorTest {
  private static final String CLIENT = "10.0.0.5";
  private static final String SERVER = "10.0.0.9";

  private static TimeWaitPileupDetector detector(Map<String, String> params) {
    return new TimeWaitPileupDetector(TimeWaitPileupDetector.Config.from(
        new DetectorParams(TimeWaitPileupDetector.ID, params)));
  }

  /** {@code n} connections from CLIENT to SERVER:port, one every {@code spacingMs} from {@code start}, closed by {@code closer}. */
  private static void closes(DetectorScript s, int n, double start, double spacingMs, int port, Role closer) {
    for (int i = 0; i < n; i++) {
      s.conn(CLIENT, 32768 + (i + port) % 28232, SERVER, port).full(at(start) + ms(i * spacingMs), closer);
    }
  }

  /** A connection whose Closed event (its second FIN) is at {@code closedAt}; orig closes first. */
  private static Conn closedAt(DetectorScript s, int port, long closedAt) {
    long t = closedAt - ms(2);
    return s.conn(CLIENT, port, SERVER, 80).syn(t).synAck(t + ms(0.2)).ack(t + ms(0.4))
        .close(closedAt - ms(0.2), Role.ORIG, false);
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @Test
  void peakJustBelowMinPeakIsNotAFinding() {
    DetectorScript s = new DetectorScript();
    closes(s, 999, 10, 20, 80, Role.ORIG);
    assertEquals(List.of(), s.run(detector(Map.of())));
  }

  @Test
  void clientClosingFirstUpToMinPeakPilesUpTimeWait() {
    DetectorScript s = new DetectorScript();
    closes(s, 1000, 10, 20, 80, Role.ORIG);
    Finding f = only(s.run(detector(Map.of())));
    assertEquals(TimeWaitPileupDetector.ID, f.detector());
    assertEquals(CLIENT, f.target());
    assertEquals(Severity.INFO, f.severity(), "3.5 % of the port range toward its destination: a load, no risk");
    long firstClose = at(10) + ms(1.7);
    assertEquals(firstClose, f.firstSeenNanos());
    assertEquals(firstClose + ms(999 * 20), f.lastSeenNanos());
    Map<String, Object> m = f.metrics();
    assertEquals("client", m.get("side"));
    assertEquals(1000L, m.get("peak_time_wait"));
    assertEquals(1000L, m.get("time_wait_at_end"));
    assertEquals(1000L, m.get("closes_first"));
    assertEquals(1000L, m.get("closes_as_client"));
    assertEquals(0L, m.get("closes_as_server"));
    assertEquals(60000L, m.get("time_wait_ms"));
    assertTrue(String.valueOf(m.get("busiest_destination")).endsWith("10.0.0.9:80"), m.toString());
    assertEquals(1000L, m.get("busiest_destination_peak"));
    assertEquals("32768-60999", m.get("ephemeral_range"));
    assertEquals(0.035, m.get("port_range_used_ratio")); // 1000 / 28232
    assertEquals(0L, m.get("reuses_in_time_wait"));
    // Evidence is collected once the pile is half way to min_peak: from the 500th close.
    assertEquals(5, f.evidence().size());
    assertEquals(s.conns().get(499).id.uid(), f.evidence().get(0).uid());
    assertEquals("SF", f.evidence().get(0).connState());
  }

  @Test
  void serverClosingFirstPilesUpOnTheServer() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 1000; i++) {
      s.conn(ipN("172.16", i % 100), 40000 + i, ip(SERVER), 80).full(at(10) + ms(i * 10), Role.RESP);
    }
    Finding f = only(s.run(detector(Map.of())));
    assertEquals(SERVER, f.target());
    assertEquals(Severity.INFO, f.severity(), "1000 of the 131072 TIME_WAIT buckets");
    assertEquals(0.008, f.metrics().get("time_wait_table_ratio"));
    assertEquals("server", f.metrics().get("side"));
    assertEquals(1000L, f.metrics().get("closes_as_server"));
    assertEquals(0L, f.metrics().get("closes_as_client"));
    assertFalse(f.metrics().containsKey("busiest_destination"), f.metrics().toString());
    assertFalse(f.metrics().containsKey("port_range_used_ratio"), f.metrics().toString());
  }

  @Test
  void connectionsEndedByResetLeaveNoTimeWait() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 1500; i++) {
      long t = at(10) + ms(i * 10);
      Conn c = s.conn(CLIENT, 33000 + i, SERVER, 80).syn(t).synAck(t + ms(0.2)).ack(t + ms(0.4))
          .data(t + ms(0.5), Role.ORIG, 100).data(t + ms(1), Role.RESP, 1000);
      c.rst(t + ms(1.5), Role.ORIG, c.origIsn + 101, true); // SO_LINGER 0
    }
    assertEquals(List.of(), s.run(detector(Map.of())));
  }

  @Test
  void entriesExpireAfterTimeWaitMillis() {
    DetectorScript s = new DetectorScript();
    closedAt(s, 40001, at(1.0));
    closedAt(s, 40002, at(1.1));
    closedAt(s, 40003, at(1.2001)); // ends exactly when the capture does: gone
    closedAt(s, 40004, at(1.2002)); // ends 0.1 ms after it: still there
    closedAt(s, 40005, at(1.3));
    closedAt(s, 40006, at(1.4));
    closedAt(s, 40007, at(11.05));
    closedAt(s, 40008, at(11.2)); // its last ACK at 11.2001 s ends the capture
    Finding f = only(s.run(detector(Map.of("time_wait_ms", "10000", "min_peak", "6"))));
    assertEquals(6L, f.metrics().get("peak_time_wait"));
    assertEquals("2023-11-14T22:13:21.400000000Z", f.metrics().get("peak_at"));
    assertEquals(5L, f.metrics().get("time_wait_at_end"));
    assertEquals(8L, f.metrics().get("closes_first"));
    assertEquals(10000L, f.metrics().get("time_wait_ms"));
  }

  @Test
  void peakCountsOnlyEntriesStillInTimeWait() {
    // 6 closes, then 6 more after the first ones expired: never more than 6 at once.
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 6; i++) {
      closedAt(s, 40001 + i, at(1) + ms(i * 100));
      closedAt(s, 41001 + i, at(12) + ms(i * 100));
    }
    assertEquals(List.of(), s.run(detector(Map.of("time_wait_ms", "10000", "min_peak", "7"))));
  }

  private static List<Finding> simultaneousCloses(boolean simultaneous) {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 3; i++) {
      long t = at(10) + ms(i * 100);
      s.conn(CLIENT, 40000 + i, SERVER, 80).syn(t).synAck(t + ms(0.2)).ack(t + ms(0.4))
          .close(t + ms(5), Role.ORIG, simultaneous);
    }
    return s.run(detector(Map.of("min_peak", "3")));
  }

  @Test
  void simultaneousCloseLeavesTimeWaitOnBothHosts() {
    List<Finding> f = simultaneousCloses(true);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals(CLIENT, f.get(0).target());
    assertEquals("client", f.get(0).metrics().get("side"));
    assertEquals(3L, f.get(0).metrics().get("closes_as_client"));
    assertEquals(3L, f.get(0).metrics().get("peak_time_wait"));
    assertEquals(SERVER, f.get(1).target());
    assertEquals("server", f.get(1).metrics().get("side"));
    assertEquals(3L, f.get(1).metrics().get("closes_as_server"));
    assertEquals(3L, f.get(1).metrics().get("peak_time_wait"));
  }

  @Test
  void ordinaryCloseLeavesTimeWaitOnlyOnTheFirstCloser() {
    assertEquals(CLIENT, only(simultaneousCloses(false)).target());
  }

  /** A 100-port range (40000-40099), min_peak 10: client-first closes toward one server ip:port. */
  private static Finding withSmallRange(int closes, Map<String, String> extra) {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < closes; i++) {
      s.conn(CLIENT, 40000 + i, SERVER, 443).full(at(10) + ms(i * 50), Role.ORIG);
    }
    Map<String, String> params = new java.util.HashMap<>(Map.of(
        "ephemeral_low", "40000", "ephemeral_high", "40099", "min_peak", "10"));
    params.putAll(extra);
    return only(s.run(detector(params)));
  }

  @Test
  void serverSeverityFollowsTheTimeWaitTable() {
    for (String[] c : new String[][] {{"10001", "INFO"}, {"10000", "LOW"}, {"2001", "LOW"}, {"2000", "MEDIUM"},
        {"1001", "MEDIUM"}, {"1000", "HIGH"}}) {
      DetectorScript s = new DetectorScript();
      for (int i = 0; i < 1000; i++) {
        s.conn(ipN("172.16", i % 100), 40000 + i, ip(SERVER), 80).full(at(10) + ms(i * 10), Role.RESP);
      }
      Finding f = only(s.run(detector(Map.of("max_tw_buckets", c[0]))));
      assertEquals(Severity.valueOf(c[1]), f.severity(), "1000 TIME_WAIT of max_tw_buckets " + c[0]);
    }
  }

  @Test
  void clientSeverityBelowHighFollowsThePortRange() {
    assertEquals(Severity.INFO, withSmallRange(10, Map.of("low_ratio", "0.11")).severity());
    assertEquals(Severity.LOW, withSmallRange(10, Map.of()).severity()); // 0.10 >= low_ratio 0.05
    assertEquals(Severity.LOW, withSmallRange(24, Map.of()).severity());
    assertEquals(Severity.MEDIUM, withSmallRange(25, Map.of()).severity()); // medium_ratio 0.25
  }

  @Test
  void portRangeUseJustBelowHighRatioIsMedium() {
    Finding f = withSmallRange(49, Map.of());
    assertEquals(0.49, f.metrics().get("port_range_used_ratio"));
    assertEquals("40000-40099", f.metrics().get("ephemeral_range"));
    assertEquals(Severity.MEDIUM, f.severity());
  }

  @Test
  void portRangeUseAtHighRatioIsHigh() {
    Finding f = withSmallRange(50, Map.of());
    assertEquals(0.5, f.metrics().get("port_range_used_ratio"));
    assertEquals(Severity.HIGH, f.severity());
  }

  @Test
  void portRangeUseJustBelowCriticalRatioIsHigh() {
    Finding f = withSmallRange(79, Map.of());
    assertEquals(0.79, f.metrics().get("port_range_used_ratio"));
    assertEquals(Severity.HIGH, f.severity());
  }

  @Test
  void portRangeUseAtCriticalRatioIsCritical() {
    Finding f = withSmallRange(80, Map.of());
    assertEquals(0.8, f.metrics().get("port_range_used_ratio"));
    assertEquals(80L, f.metrics().get("busiest_destination_peak"));
    assertEquals(Severity.CRITICAL, f.severity());
  }

  @Test
  void ratioParametersMoveTheSeverities() {
    assertEquals(Severity.HIGH, withSmallRange(45, Map.of("high_ratio", "0.45")).severity());
    assertEquals(Severity.HIGH, withSmallRange(80, Map.of("critical_ratio", "0.81")).severity());
  }

  @Test
  void busiestDestinationIsTheWorstServerPort() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 60; i++) {
      s.conn(CLIENT, 40000 + i, SERVER, 443).full(at(10) + ms(i * 50), Role.ORIG);
    }
    for (int i = 0; i < 30; i++) {
      s.conn(CLIENT, 40000 + i, SERVER, 8443).full(at(10) + ms(i * 50 + 25), Role.ORIG);
    }
    Finding f = only(s.run(detector(Map.of("ephemeral_low", "40000", "ephemeral_high", "40099", "min_peak", "10"))));
    assertEquals(90L, f.metrics().get("peak_time_wait"));
    assertTrue(String.valueOf(f.metrics().get("busiest_destination")).endsWith("10.0.0.9:443"), f.metrics().toString());
    assertEquals(60L, f.metrics().get("busiest_destination_peak"));
    assertEquals(0.6, f.metrics().get("port_range_used_ratio"));
    assertEquals(Severity.HIGH, f.severity());
  }

  @Test
  void newSynOnATupleInTimeWaitIsCountedAcceptedOrRejected() {
    DetectorScript s = new DetectorScript();
    Conn a1 = s.conn(CLIENT, 40001, SERVER, 80).full(at(1), Role.ORIG);
    Conn a2 = s.conn(CLIENT, 40002, SERVER, 80).full(at(1.1), Role.ORIG);
    Conn a3 = s.conn(CLIENT, 40003, SERVER, 80).full(at(1.2), Role.ORIG);
    a1.reusedAt(at(5)).syn(at(5)).synAck(at(5) + ms(0.2)).ack(at(5) + ms(0.4)); // accepted
    a2.reusedAt(at(6)).syn(at(6)).reject(at(6) + ms(0.2)); // refused: never completed
    a3.reusedAt(at(70)).syn(at(70)).synAck(at(70) + ms(0.2)).ack(at(70) + ms(0.4)); // TIME_WAIT was over
    Finding f = only(s.run(detector(Map.of("min_peak", "3"))));
    assertEquals(CLIENT, f.target());
    assertEquals(2L, f.metrics().get("reuses_in_time_wait"));
    assertEquals(1L, f.metrics().get("reuses_accepted"));
    assertEquals(1L, f.metrics().get("reuses_rejected"));
    assertEquals(0L, f.metrics().get("time_wait_at_end"));
    assertTrue(f.explanation().contains("2 new SYN(s) reopened a 4-tuple still in TIME_WAIT (1 accepted, 1 not completed)"),
        f.explanation());
  }

  @Test
  void reuseOfAServerSideTimeWaitIsCountedOnTheServer() {
    DetectorScript s = new DetectorScript();
    Conn a1 = s.conn(CLIENT, 40001, SERVER, 80).full(at(1), Role.RESP);
    s.conn(CLIENT, 40002, SERVER, 80).full(at(1.1), Role.RESP);
    a1.reusedAt(at(2)).syn(at(2)).synAck(at(2) + ms(0.2)).ack(at(2) + ms(0.4));
    Finding f = only(s.run(detector(Map.of("min_peak", "2"))));
    assertEquals(SERVER, f.target());
    assertEquals(1L, f.metrics().get("reuses_in_time_wait"));
    assertEquals(1L, f.metrics().get("reuses_accepted"));
    assertEquals(0L, f.metrics().get("reuses_rejected"));
  }

  /**
   * Thousands of hosts each closing a connection first: the host table stays at max_hosts,
   * evicting the host that closed least recently; a host piling up TIME_WAIT (closing over and
   * over, so never the least recent) keeps its finding.
   */
  @Test
  void manyClosingHostsAreBoundedAndTheBusyOneKeepsItsFinding() {
    DetectorScript s = new DetectorScript();
    closes(s, 1200, 10, 20, 80, Role.ORIG); // CLIENT: 1200 closes in 24 s
    for (int k = 0; k < 2000; k++) {
      s.conn("198.18." + (k / 250) + "." + (k % 250 + 1), 40000, SERVER, 443).full(at(10) + ms(k * 10), Role.ORIG);
    }
    TimeWaitPileupDetector d = detector(Map.of("max_hosts", "50"));
    Finding f = only(s.run(d));
    assertEquals(CLIENT, f.target());
    StateTableStats hosts = d.stateTables().get(0);
    assertEquals("time-wait-pileup.hosts", hosts.name());
    assertEquals(50, hosts.peak());
    assertTrue(hosts.evicted() >= 2000 - 50, hosts.toString());
    assertEquals(0, hosts.evictedBusy(), "the piling host was never the least recent");
  }
}
