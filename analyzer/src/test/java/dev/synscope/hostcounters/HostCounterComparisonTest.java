package dev.synscope.hostcounters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.Finding;
import dev.synscope.detect.Severity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Every verdict of the wire-versus-kernel comparison, and which targets count as this host. */
class HostCounterComparisonTest {
  private static final Predicate<String> LOCAL =
      LocalAddresses.of(List.of(new byte[] {10, 0, 0, 1}, LocalAddresses.literal("fd00::1")));

  private static Finding finding(String detector, String target, Map<String, Object> metrics) {
    return new Finding(detector, Severity.HIGH, target, 0, 1, "s", metrics, List.of(), "e");
  }

  private static HostCounters counters(Map<String, Long> deltas, long timeWaitPeak) {
    Map<String, Long> peak = new LinkedHashMap<>();
    peak.put("time_wait", timeWaitPeak);
    return new HostCounters("/proc/net", 5, 3, "a", "b", deltas, Map.of(),
        new HostCounters.Sockets(Map.of(), Map.of(), peak, false), List.of(), null);
  }

  private static Map<String, Long> deltas(long overflows, long cookies, long reqFull) {
    Map<String, Long> d = new LinkedHashMap<>();
    d.put("TcpExtListenOverflows", overflows);
    d.put("TcpExtListenDrops", overflows);
    d.put("TcpExtSyncookiesSent", cookies);
    d.put("TcpExtSyncookiesRecv", 0L);
    d.put("TcpExtSyncookiesFailed", 0L);
    d.put("TcpExtTCPReqQFullDrop", reqFull);
    d.put("TcpExtTCPTimeWaitOverflow", 0L);
    return d;
  }

  private static HostCounters.Comparison only(String detector, List<Finding> findings, HostCounters c) {
    return WireKernelComparison.compare(findings, c, LOCAL).stream()
        .filter(x -> x.detector().equals(detector)).findFirst().orElseThrow();
  }

  @Test
  void acceptQueueOverflowInAllFourCases() {
    List<Finding> aqo = List.of(finding("accept-queue-overflow", "10.0.0.1:8081",
        Map.of("abort_resets", 3, "synack_retransmissions_after_ack", 0L)));
    HostCounters.Comparison both = only("accept-queue-overflow", aqo, counters(deltas(5, 0, 0), 0));
    assertEquals("agree", both.verdict());
    assertEquals(3L, both.wireValue());
    assertEquals(5, both.kernelValue());
    assertEquals(List.of("10.0.0.1:8081"), both.wireTargets());
    assertEquals("TcpExtListenOverflows", both.kernelCounter());

    HostCounters.Comparison wireOnly = only("accept-queue-overflow", aqo, counters(deltas(0, 0, 0), 0));
    assertEquals("disagree", wireOnly.verdict());
    assertTrue(wireOnly.statement().contains("another host"), wireOnly.statement());

    HostCounters.Comparison kernelOnly = only("accept-queue-overflow", List.of(), counters(deltas(4, 0, 0), 0));
    assertEquals("disagree", kernelOnly.verdict());
    assertTrue(kernelOnly.statement().contains("tcp_abort_on_overflow=0"), kernelOnly.statement());
    assertNull(kernelOnly.wireValue());

    HostCounters.Comparison neither = only("accept-queue-overflow", List.of(), counters(deltas(0, 0, 0), 0));
    assertEquals("agree", neither.verdict());
    assertTrue(neither.statement().startsWith("Neither"));
  }

  @Test
  void findingsAboutAnotherHostCannotBeConfirmedHere() {
    List<Finding> f = List.of(finding("accept-queue-overflow", "192.0.2.9:80", Map.of("abort_resets", 3)));
    HostCounters.Comparison c = only("accept-queue-overflow", f, counters(deltas(0, 0, 0), 0));
    assertEquals("not-comparable", c.verdict());
    assertEquals(0, c.wireFindings());
    assertTrue(c.statement().contains("192.0.2.9:80"), c.statement());
    // unknown local addresses: every finding counts as this host's
    HostCounters.Comparison unknown = WireKernelComparison.compare(f, counters(deltas(0, 0, 0), 0), null).get(0);
    assertEquals("disagree", unknown.verdict());
  }

  @Test
  void cookiesAndFloodAgainstSynQueueCounters() {
    List<Finding> f = List.of(
        finding("syn-flood", "[fd00::1]:443", Map.of("attempts", 1500L)),
        finding("syn-cookies", "[fd00::1]:443", Map.of("judged_cookies", 31L)));
    HostCounters withCookies = counters(deltas(0, 1400, 0), 0);
    assertEquals("agree", only("syn-flood", f, withCookies).verdict());
    assertEquals(1500L, only("syn-flood", f, withCookies).wireValue());
    assertEquals(1400, only("syn-flood", f, withCookies).kernelValue());
    assertEquals("agree", only("syn-cookies", f, withCookies).verdict());
    assertEquals(31L, only("syn-cookies", f, withCookies).wireValue());

    HostCounters dropsOnly = counters(deltas(0, 0, 80), 0);
    assertEquals("agree", only("syn-flood", f, dropsOnly).verdict(), "a full SYN queue without cookies");
    assertEquals("disagree", only("syn-cookies", f, dropsOnly).verdict());

    HostCounters quiet = counters(deltas(0, 0, 0), 0);
    assertEquals("disagree", only("syn-flood", f, quiet).verdict());
    assertTrue(only("syn-flood", f, quiet).statement().contains("backlog absorbed it"));
    assertEquals("disagree", only("syn-cookies", List.of(), withCookies).verdict());
    assertEquals("disagree", only("syn-flood", List.of(), dropsOnly).verdict());
    assertEquals("agree", only("syn-cookies", List.of(), quiet).verdict());
  }

  @Test
  void timeWaitPileupAgainstTheSocketCount() {
    List<Finding> f = List.of(finding("time-wait-pileup", "10.0.0.1", Map.of("peak_time_wait", 2500L)));
    assertEquals("agree", only("time-wait-pileup", f, counters(deltas(0, 0, 0), 2400)).verdict());
    HostCounters.Comparison fewer = only("time-wait-pileup", f, counters(deltas(0, 0, 0), 300));
    assertEquals("disagree", fewer.verdict());
    assertTrue(fewer.statement().contains("tcp_max_tw_buckets"));
    assertEquals("disagree", only("time-wait-pileup", List.of(), counters(deltas(0, 0, 0), 5000)).verdict());
    assertEquals("agree", only("time-wait-pileup", List.of(), counters(deltas(0, 0, 0), 12)).verdict());
    List<Finding> clients = List.of(finding("time-wait-pileup", "10.0.0.2", Map.of("peak_time_wait", 2500L)));
    assertEquals("not-comparable", only("time-wait-pileup", clients, counters(deltas(0, 0, 0), 3)).verdict());
  }

  @Test
  void aKernelWithoutTheCounterIsNotComparable() {
    HostCounters c = counters(Map.of(), 0);
    assertEquals("not-comparable", only("accept-queue-overflow", List.of(), c).verdict());
    assertEquals(-1, only("syn-cookies", List.of(), c).kernelValue());
  }

  @Test
  void targetsAreParsedWithoutResolvingNames() {
    assertEquals("10.0.0.1", LocalAddresses.hostOf("10.0.0.1:80"));
    assertEquals("fd00::1", LocalAddresses.hostOf("[fd00::1]:80"));
    assertEquals("fd00::1", LocalAddresses.hostOf("fd00::1"));
    assertEquals("10.0.0.1", LocalAddresses.hostOf("10.0.0.1"));
    assertNull(LocalAddresses.hostOf("10.0.0.1:1<->10.0.0.2:2"));
    assertNull(LocalAddresses.literal("example.com"));
    assertNull(LocalAddresses.literal("abc"));
    assertNull(LocalAddresses.literal("1234"));
    assertArrayEquals(new byte[] {10, 0, 0, 1}, LocalAddresses.literal("10.0.0.1"));
    assertTrue(LOCAL.test("[fd00:0::1]:443"));
    assertFalse(LOCAL.test("10.0.0.2:80"));
    assertTrue(LocalAddresses.ofThisHost() == null || LocalAddresses.ofThisHost().test("127.0.0.1:1"));
  }

  @Test
  void targetListsNameThreeAndCountTheRest() {
    List<Finding> five = new java.util.ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      five.add(finding("syn-flood", "10.0.0." + i + ":80", Map.of()));
    }
    WireKernelComparison.Split split = new WireKernelComparison.Split("syn-flood", five, five.subList(0, 2));
    assertEquals("10.0.0.1:80, 10.0.0.2:80, 10.0.0.3:80 and 2 more", split.targetText());
    assertEquals("10.0.0.1:80, 10.0.0.2:80", split.otherText());
  }
}
