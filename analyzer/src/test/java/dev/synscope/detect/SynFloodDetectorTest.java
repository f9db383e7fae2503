package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.detect.DetectorScript.Options;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * syn-flood: window_s 5, min_rate 100 SYN/s (500 attempts in the window), baseline_factor 10,
 * max_completion 0.5, min_half_open 200, quiet_s 10, min_ports 10, min_sources 20.
 */
class SynFloodDetectorTest {
  private static final String SERVER = "10.0.0.1";
  private static final String LISTENER = "10.0.0.1:80";

  /** What one scripted connection of a burst does, given its index and start time. */
  @FunctionalInterface
  interface Step {
    void apply(int i, Conn c, long t);
  }

  private static SynFloodDetector detector(Map<String, String> params) {
    return new SynFloodDetector(SynFloodDetector.Config.from(new DetectorParams(SynFloodDetector.ID, params)));
  }

  private static List<Finding> run(DetectorScript s) {
    return s.run(detector(Map.of()));
  }

  /**
   * {@code n} spoofed SYNs to 10.0.0.1:80 spread evenly over [start, start + seconds): one SYN per
   * random source, no options, TTLs 30..229, never retransmitted; {@code then} adds the rest.
   */
  private static void spoofed(DetectorScript s, int n, double start, double seconds, Step then) {
    for (int i = 0; i < n; i++) {
      long t = at(start) + Math.round(i * seconds * 1e9 / n);
      Conn c = s.conn(ipN("100." + (64 + (int) start % 64), i), 1024 + i % 60000, ip(SERVER), 80)
          .syn(t, Options.bare().withTtl(30 + i % 200));
      then.apply(i, c, t);
    }
  }

  private static void spoofed(DetectorScript s, int n, double start, double seconds) {
    spoofed(s, n, start, seconds, (i, c, t) -> {});
  }

  /** Healthy clients completing their handshakes: {@code perSecond} over [from, to). */
  private static void healthy(DetectorScript s, double from, double to, int perSecond) {
    int n = (int) Math.round((to - from) * perSecond);
    for (int i = 0; i < n; i++) {
      long t = at(from) + Math.round(i * 1e9 / perSecond);
      s.conn(ipN("192.168", i % 200), 30000 + i % 30000, ip(SERVER), 80)
          .syn(t).synAck(t + ms(0.2)).ack(t + ms(0.4));
    }
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  /** A flood that starts and stops: every burst an episode, kept up to max_episodes, the rest counted. */
  @Test
  void episodesPastTheirCapAreCountedNotKept() {
    List<Finding> all = flapping().run(detector(Map.of()));
    assertEquals(5, all.size(), () -> "findings: " + all);
    SynFloodDetector capped = detector(Map.of("max_episodes", "2"));
    List<Finding> kept = flapping().run(capped);
    assertEquals(all.subList(0, 2), kept, "the first two, as without the cap");
    StateTableStats log = capped.stateTables().stream().filter(t -> t.name().equals("syn-flood.episodes"))
        .findFirst().orElseThrow();
    assertEquals(2, log.cap());
    assertEquals(2, log.peak());
    assertEquals(3, log.refused());
  }

  private static DetectorScript flapping() {
    DetectorScript s = new DetectorScript();
    for (int k = 0; k < 5; k++) {
      spoofed(s, 2000, 30.0 * k, 5); // 400 SYNs/s for 5 s, then 25 quiet seconds
    }
    return s;
  }

  @Test
  void rateJustBelowMinRateIsNotAFlood() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 495, 10, 5); // 99 in every second, and 99/s over the window
    assertEquals(List.of(), run(s));
  }

  @Test
  void rateAtMinRateIsAFloodWithItsNumbersAndEvidence() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 500, 10, 5);
    Finding f = only(run(s));
    assertEquals(SynFloodDetector.ID, f.detector());
    assertEquals(LISTENER, f.target());
    assertEquals(Severity.HIGH, f.severity());
    assertEquals(at(10), f.firstSeenNanos());
    assertEquals(at(10) + ms(499 * 10), f.lastSeenNanos());
    Map<String, Object> m = f.metrics();
    assertEquals(500L, m.get("attempts"));
    assertEquals(0L, m.get("completed"));
    assertEquals(0.0, m.get("completion_ratio"));
    assertEquals(0L, m.get("synacks"));
    assertEquals(0L, m.get("syn_retransmissions"));
    assertEquals(100.0, m.get("peak_rate_per_s"));
    assertEquals(4.99, m.get("duration_s"));
    assertEquals(500L, m.get("connections_ended"));
    assertEquals(500, m.get("distinct_sources"));
    assertEquals(1.0, m.get("one_syn_source_share"));
    assertEquals(30, m.get("ttl_min"));
    assertEquals(229, m.get("ttl_max"));
    assertEquals(1, m.get("ports"));
    assertEquals(true, m.get("spoofing_likely"));
    assertEquals("unanswered", m.get("server_response"));
    assertEquals(5, f.evidence().size());
    assertEquals(s.conns().get(0).id.uid(), f.evidence().get(0).uid());
    assertEquals("S0", f.evidence().get(0).connState());
  }

  /** Each connection's listener target is cached on its FlowId, per instance. */
  @Test
  void twoInstancesFedTheSameEventsKeepTheirOwnState() {
    SideBySide.assertInstancesIndependent(() -> {
      DetectorScript s = new DetectorScript();
      spoofed(s, 500, 10, 5);
      return s;
    }, () -> detector(Map.of()));
  }

  @Test
  void rateAboveMinRateReportsThePeakRate() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 600, 10, 5);
    Finding f = only(run(s));
    assertEquals(600L, f.metrics().get("attempts"));
    assertEquals(120.0, f.metrics().get("peak_rate_per_s"));
  }

  /** 1000 attempts in 5 s, every even one completing, plus {@code extra} more completions in the first second. */
  private static List<Finding> halfCompleted(int extra) {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 1000; i++) {
      long t = at(10) + i * ms(5);
      Conn c = s.conn(ipN("172.16", i), 40000 + i, ip(SERVER), 80).syn(t).synAck(t + ms(0.3));
      if (i % 2 == 0 || (i % 2 == 1 && i < 2 * extra)) {
        c.ack(t + ms(0.6));
      }
    }
    return run(s);
  }

  @Test
  void completionAtMaxCompletionIsAFlood() {
    Finding f = only(halfCompleted(0));
    assertEquals(1000L, f.metrics().get("attempts"));
    assertEquals(500L, f.metrics().get("completed"));
    assertEquals(0.5, f.metrics().get("completion_ratio"));
    assertEquals(200.0, f.metrics().get("peak_rate_per_s"));
    assertEquals("answered", f.metrics().get("server_response"));
  }

  @Test
  void flashCrowdJustAboveMaxCompletionIsNotAFlood() {
    assertEquals(List.of(), halfCompleted(1)); // 501 of 1000 completed
  }

  @Test
  void thousandsOfCompletedShortConnectionsAreNotAFlood() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5000; i++) {
      s.conn(ipN("172.20", i % 300), 20000 + i, ip(SERVER), 80).full(at(10) + i * ms(1), Role.ORIG);
    }
    assertEquals(List.of(), run(s));
  }

  /** 500 attempts in 5 s, {@code completed} of them completing (spread, the first second gets the rest). */
  private static List<Finding> halfOpen(int completed, Map<String, String> params) {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 500; i++) {
      long t = at(10) + i * ms(10);
      Conn c = s.conn(ipN("172.16", i), 40000 + i, ip(SERVER), 80).syn(t).synAck(t + ms(0.3));
      if (i % 5 < 2 || (completed > 200 && i == 2)) {
        c.ack(t + ms(0.6));
      }
    }
    return s.run(detector(params));
  }

  @Test
  void halfOpenAtMinHalfOpenIsAFlood() {
    Finding f = only(halfOpen(200, Map.of("min_half_open", "300")));
    assertEquals(500L, f.metrics().get("attempts"));
    assertEquals(200L, f.metrics().get("completed"));
    assertEquals(0.4, f.metrics().get("completion_ratio"));
  }

  @Test
  void halfOpenJustBelowMinHalfOpenIsNotAFlood() {
    assertEquals(List.of(), halfOpen(201, Map.of("min_half_open", "300")));
  }

  @Test
  void defaultMinHalfOpenKeepsTheSameTrafficAFlood() {
    assertEquals(LISTENER, only(halfOpen(201, Map.of())).target());
  }

  @Test
  void listenerWithAHighHealthyBaselineNeedsTenTimesIt() {
    // 50 SYN/s completing for 300 s: the baseline approaches 50/s, so a flood needs about 500/s.
    DetectorScript s = new DetectorScript();
    healthy(s, 0, 305, 50);
    spoofed(s, 1000, 300, 5); // 200/s (250/s with the healthy traffic): far above min_rate
    assertEquals(List.of(), run(s));
  }

  @Test
  void floodAboveTenTimesTheBaselineIsReported() {
    DetectorScript s = new DetectorScript();
    healthy(s, 0, 305, 50);
    spoofed(s, 3000, 300, 5); // 600/s
    Finding f = only(run(s));
    assertEquals(LISTENER, f.target());
    assertEquals(650.0, f.metrics().get("peak_rate_per_s"));
  }

  @Test
  void sameFloodWithoutHealthyHistoryIsReported() {
    DetectorScript s = new DetectorScript();
    healthy(s, 300, 305, 50);
    spoofed(s, 1000, 300, 5);
    Finding f = only(run(s));
    assertEquals(LISTENER, f.target());
    assertEquals(250.0, f.metrics().get("peak_rate_per_s"));
    assertEquals(1250L, f.metrics().get("attempts"));
    assertEquals(250L, f.metrics().get("completed"));
  }

  @Test
  void serverAnsweringEverySynIsAnswered() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 500, 10, 5, (i, c, t) -> c.synAck(t + ms(0.1), Options.bare().withMss(1460)));
    Finding f = only(run(s));
    assertEquals("answered", f.metrics().get("server_response"));
    assertEquals(500L, f.metrics().get("synacks"));
    assertEquals(1.0, f.metrics().get("synack_ratio"));
    assertEquals(Severity.HIGH, f.severity());
    assertTrue(f.summary().contains("SYN cookies likely"), f.summary());
  }

  @Test
  void ninetyPercentSynAcksIsAnsweredAndJustBelowIsUnanswered() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 500, 10, 5, (i, c, t) -> {
      if (i < 450) c.synAck(t + ms(0.1));
    });
    assertEquals("answered", only(run(s)).metrics().get("server_response"));

    DetectorScript below = new DetectorScript();
    spoofed(below, 500, 10, 5, (i, c, t) -> {
      if (i < 449) c.synAck(t + ms(0.1));
    });
    Finding f = only(run(below));
    assertEquals("unanswered", f.metrics().get("server_response"));
    assertEquals(0.898, f.metrics().get("synack_ratio"));
  }

  @Test
  void legitimateClientsRetransmittingSynsMeanSynDrops() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 500, 10, 5);
    for (int i = 0; i < 10; i++) {
      long t = at(11) + i * ms(100);
      s.conn(ipN("192.168", i), 50000 + i, ip(SERVER), 80).syn(t).synRetransmit(t + DetectorScript.SECOND);
    }
    Finding f = only(run(s));
    assertEquals("syn-drops", f.metrics().get("server_response"));
    assertEquals(Severity.CRITICAL, f.severity());
    assertEquals(510L, f.metrics().get("attempts"));
    assertEquals(10L, f.metrics().get("syn_retransmissions"));
    assertEquals(510, f.metrics().get("distinct_sources"));
    assertEquals(true, f.metrics().get("spoofing_likely"));
  }

  @Test
  void realSourcesSendingManySynsAreNotLikelySpoofed() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 500; i++) {
      long t = at(10) + i * ms(10);
      s.conn(ipN("198.18", i % 25), 1024 + i, ip(SERVER), 80).syn(t);
    }
    Finding f = only(run(s));
    assertEquals(25, f.metrics().get("distinct_sources"));
    assertEquals(0.0, f.metrics().get("one_syn_source_share"));
    assertEquals(false, f.metrics().get("spoofing_likely"));
  }

  /** 500 unanswered SYNs in 5 s to 10.0.0.1, over {@code ports} ports from {@code sources} sources. */
  private static List<Finding> spread(int ports, int sources) {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 500; i++) {
      long t = at(10) + i * ms(10);
      s.conn(ipN("198.18", i % sources), 1024 + i, ip(SERVER), 8000 + i % ports).syn(t);
    }
    return run(s);
  }

  @Test
  void hostAlarmAcrossMinPortsAndMinSources() {
    Finding f = only(spread(10, 20));
    assertEquals(SERVER, f.target());
    assertEquals(500L, f.metrics().get("attempts"));
    assertEquals(10, f.metrics().get("ports"));
    assertEquals(20, f.metrics().get("distinct_sources"));
    assertTrue(f.summary().startsWith("SYN flood against host 10.0.0.1 (10 ports)"), f.summary());
  }

  @Test
  void hostAlarmNeedsMinPorts() {
    assertEquals(List.of(), spread(9, 20));
  }

  @Test
  void hostAlarmNeedsMinSources() {
    assertEquals(List.of(), spread(10, 19));
  }

  @Test
  void portScanFromOneSourceIsNotAFlood() {
    DetectorScript s = new DetectorScript();
    for (int port = 1; port <= 1000; port++) {
      long t = at(10) + (port - 1) * ms(5);
      Conn c = s.conn("203.0.113.66", 61000, SERVER, port).syn(t, Options.bare().withMss(1460).withTtl(49));
      if (port == 22 || port == 80) {
        c.synAck(t + ms(0.2)).rst(t + ms(0.4), Role.ORIG, c.origIsn + 1, false);
      } else {
        c.reject(t + ms(0.2));
      }
    }
    assertEquals(List.of(), run(s));
  }

  /** Two 500-SYN bursts (10-15 s and {@code second}-{@code second}+5 s) over 2 healthy connections/s. */
  private static List<Finding> twoBursts(double second) {
    DetectorScript s = new DetectorScript();
    healthy(s, 0, 40, 2);
    spoofed(s, 500, 10, 5);
    spoofed(s, 500, second, 5);
    return run(s);
  }

  @Test
  void burstAfterQuietSecondsIsASecondFinding() {
    // Windows ending at 15..24 s are below the thresholds (the burst has left the newest second,
    // and the window's average falls): 10 quiet seconds end the first episode before the second
    // burst alarms at 26 s; its episode starts with its first second at min_rate, 25 s.
    List<Finding> f = twoBursts(25);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals(LISTENER, f.get(0).target());
    assertEquals(LISTENER, f.get(1).target());
    assertEquals(at(10), f.get(0).firstSeenNanos());
    assertEquals(at(10) + ms(499 * 10), f.get(0).lastSeenNanos());
    assertEquals(at(25), f.get(1).firstSeenNanos());
    assertEquals(at(25) + ms(499 * 10), f.get(1).lastSeenNanos());
  }

  @Test
  void burstWithinQuietSecondsContinuesTheEpisode() {
    // Windows ending at 15..23 s are quiet (9 s); the second burst's second second, 24, alarms
    // again (its first alone leaves fewer than min_half_open attempts).
    Finding f = only(twoBursts(23));
    assertEquals(at(10), f.firstSeenNanos());
    assertEquals(at(23) + ms(499 * 10), f.lastSeenNanos());
  }

  @Test
  void duplicateSynsMillisecondsApartAreTheToolsNotDroppedClients() {
    // A flood tool that sends some SYNs twice, 20 ms apart: no stack's timer fires that soon
    // (Linux: 1 s), so they say nothing about legitimate clients whose SYNs were dropped.
    DetectorScript tool = new DetectorScript();
    spoofed(tool, 1000, 10, 5, (i, c, t) -> {
      if (i % 50 == 0) c.synRetransmit(t + ms(20));
    });
    Finding f = only(run(tool));
    assertEquals(Severity.HIGH, f.severity());
    assertEquals("unanswered", f.metrics().get("server_response"));
    assertEquals(20L, f.metrics().get("syn_duplicates"));
    assertEquals(0L, f.metrics().get("syn_retransmissions"));
    // The same repeats a second later are clients' timers: their SYNs were dropped.
    DetectorScript clients = new DetectorScript();
    spoofed(clients, 1000, 10, 5, (i, c, t) -> {
      if (i % 50 == 0) c.synRetransmit(t + ms(1000));
    });
    Finding g = only(run(clients));
    assertEquals(Severity.CRITICAL, g.severity());
    assertEquals(20L, g.metrics().get("syn_retransmissions"));
  }

  @Test
  void aBurstShorterThanTheWindowIsJudgedByItsOwnRate() {
    // 250 SYNs in 200 ms (the whole capture): 50/s averaged over the 5 s window, 250 in its
    // only second. A capture's length is no evidence; the rate and the half-open count are.
    DetectorScript s = new DetectorScript();
    spoofed(s, 250, 10, 0.2);
    Finding f = only(run(s));
    assertEquals(250.0, f.metrics().get("peak_rate_per_s"));
    DetectorScript few = new DetectorScript();
    spoofed(few, 199, 10, 0.2); // below min_half_open
    assertEquals(List.of(), run(few));
  }

  @Test
  void burstsSeparatedBySilenceLongerThanQuietSecondsAreTwoFindings() {
    DetectorScript s = new DetectorScript();
    spoofed(s, 500, 10, 5);
    spoofed(s, 500, 40, 5);
    List<Finding> f = run(s);
    assertEquals(2, f.size(), () -> "findings: " + f);
    assertEquals(500L, f.get(0).metrics().get("attempts"));
    assertEquals(at(10) + ms(499 * 10), f.get(0).lastSeenNanos());
    assertEquals(500L, f.get(1).metrics().get("attempts"));
    assertEquals(at(40), f.get(1).firstSeenNanos());
  }
}
