package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.flow.Role;
import dev.synscope.flow.MemoryBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: ids, parameter routing and usage errors. */
class DetectorsTest {

  @Test
  void allDetectorsByDefaultInRegistryOrder() {
    List<String> ids = Detectors.create(List.of(), Map.of()).stream().map(Detector::id).toList();
    assertEquals(List.of("syn-flood", "accept-queue-overflow", "listener-saturation", "close-wait", "connect-timeout", "syn-cookies", "time-wait-pileup", "self-connect",
        "simultaneous-open"), ids);
    assertEquals(ids, Detectors.all().stream().map(Detectors.Entry::id).toList());
  }

  @Test
  void chosenDetectorsInTheGivenOrder() {
    List<Detector> d = Detectors.create(List.of("self-connect", "syn-flood"), Map.of());
    assertEquals(List.of("self-connect", "syn-flood"), d.stream().map(Detector::id).toList());
    assertTrue(d.get(0) instanceof SelfConnectDetector);
    assertTrue(d.get(1) instanceof SynFloodDetector);
  }

  @Test
  void unknownDetectorIdIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of("syn-flod"), Map.of()));
    assertTrue(e.getMessage().contains("unknown detector 'syn-flod'"), e.getMessage());
    assertTrue(e.getMessage().contains("syn-flood"), e.getMessage());
  }

  @Test
  void aDetectorListedTwiceIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of("syn-flood", "self-connect", "syn-flood"), Map.of()));
    assertEquals("detector 'syn-flood' is listed twice", e.getMessage());
  }

  @Test
  void noneRunsNoDetectorAndTakesNoCompany() {
    assertTrue(Detectors.create(List.of("none"), Map.of()).isEmpty());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of("none", "syn-flood"), Map.of()));
    assertEquals("'none' cannot be combined with detector ids", e.getMessage());
  }

  @Test
  void parameterForAnUnknownDetectorIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of(), Map.of("synflood.min_rate", "5")));
    assertTrue(e.getMessage().contains("no detector 'synflood'"), e.getMessage());
  }

  @Test
  void unknownParameterKeyIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of("syn-flood"), Map.of("syn-flood.min_rat", "5")));
    assertTrue(e.getMessage().contains("unknown parameter syn-flood.min_rat"), e.getMessage());
    assertTrue(e.getMessage().contains("min_rate"), e.getMessage());
  }

  @Test
  void simultaneousOpenTakesNoParameters() {
    assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of("simultaneous-open"), Map.of("simultaneous-open.min", "1")));
  }

  @Test
  void nonNumericValueIsAUsageError() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Detectors.create(List.of(), Map.of("time-wait-pileup.min_peak", "many")));
    assertTrue(e.getMessage().contains("time-wait-pileup.min_peak"), e.getMessage());
  }

  private static Map<String, String> pairs(String... keysAndValues) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  @Test
  void parametersReachEachConfig() {
    MemoryBudget budget = MemoryBudget.parse("100m"); // 2 % of it per table: 4096 entries of 512 bytes
    assertEquals(new SynFloodDetector.Config(3, 7.5, 2, 0.25, 11, 4, 6, 8, 2, 70, 80, 300_000, 200, 1_000), SynFloodDetector.Config.from(
        new DetectorParams("syn-flood", pairs("window_s", "3", "min_rate", "7.5", "baseline_factor", "2",
            "max_completion", "0.25", "min_half_open", "11", "quiet_s", "4", "min_ports", "6", "min_sources", "8",
            "max_evidence", "2", "max_listeners", "70", "max_hosts", "80", "max_sources", "300000"), budget)));
    assertEquals(new SynFloodDetector.Config(5, 100, 10, 0.5, 200, 10, 10, 20, 5, 4096, 4096, 16_384, 200, 1_000),
        SynFloodDetector.Config.from(new DetectorParams("syn-flood", Map.of(), budget)));
    // 160-byte entries: 13 107 in 2 % of 100 MB.
    assertEquals(new AcceptQueueOverflowDetector.Config(3, 10_000, 1_000, 5, 4096, 13_107, 0.05, 1_000),
        AcceptQueueOverflowDetector.Config.from(new DetectorParams("accept-queue-overflow", Map.of(), budget)));
    assertEquals(new AcceptQueueOverflowDetector.Config(4, 500, 20, 1, 9, 7, 0.2, 1_000), AcceptQueueOverflowDetector.Config.from(
        new DetectorParams("accept-queue-overflow", Map.of("min_connections", "4", "window_ms", "500",
            "abort_max_delay_ms", "20", "max_evidence", "1", "max_listeners", "9", "max_queued", "7", "min_share", "0.2"), budget)));
    assertEquals(new SynCookiesDetector.Config(5, 0.01, 10, 2, 3_500, 3, 5, 5, 2048, 2048, 13_107, 13_107, 1_000),
        SynCookiesDetector.Config.from(new DetectorParams("syn-cookies", Map.of(), budget)));
    assertEquals(new TimeWaitPileupDetector.Config(60_000, 32768, 60999, 1000, 0.5, 0.8, 5, 2048, 0.05, 0.25, 131_072),
        TimeWaitPileupDetector.Config.from(new DetectorParams("time-wait-pileup", Map.of(), budget)));
    assertEquals(new SelfConnectDetector.Config(1024, 5000, 1024), SelfConnectDetector.Config.from(
        new DetectorParams("self-connect", Map.of("ephemeral_low", "1024", "ephemeral_high", "5000"), budget)));
  }

  @Test
  void parametersGivenToCreateChangeTheDetectorsBehaviour() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 3; i++) {
      s.conn("10.0.0.5", 40000 + i, "10.0.0.9", 80).full(at(10) + ms(i * 100), Role.ORIG);
    }
    Detector defaults = Detectors.create(List.of("time-wait-pileup"), Map.of()).get(0);
    assertEquals(List.of(), s.run(defaults));
    Detector tuned = Detectors.create(List.of("time-wait-pileup"),
        Map.of("time-wait-pileup.min_peak", "3", "time-wait-pileup.time_wait_ms", "30000")).get(0);
    List<Finding> f = s.run(tuned);
    assertEquals(1, f.size(), () -> "findings: " + f);
    assertEquals("10.0.0.5", f.get(0).target());
    assertEquals(30000L, f.get(0).metrics().get("time_wait_ms"));
  }
}
