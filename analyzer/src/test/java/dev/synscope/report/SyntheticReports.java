package dev.synscope.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hand-made reports with findings, for writer tests (the detectors need not fire). */
public final class SyntheticReports {
  private SyntheticReports() {}

  public static Report.ReportEvidence evidence(String uid, String orig, String resp, String history) {
    Map<String, String> ts = new LinkedHashMap<>();
    ts.put("syn", "2024-05-01T10:00:01.000000000Z");
    ts.put("synack", "2024-05-01T10:00:01.000120000Z");
    ts.put("ack", "2024-05-01T10:00:01.020500000Z");
    ts.put("resp_rst", "2024-05-01T10:00:04.100000000Z");
    ts.put("last", "2024-05-01T10:00:04.100000000Z");
    return new Report.ReportEvidence(uid, orig, resp, history, "RSTR", ts, 0, List.of(11L, 12L, 13L, 20L), List.of(),
        "client's 3rd ACK dropped; <resp> reset");
  }

  /** Two findings (high and low), time series, histograms and listeners. */
  public static Report withFindings() {
    Map<String, Object> m1 = new LinkedHashMap<>();
    m1.put("connections_affected", 7);
    m1.put("estimated_backlog", 14.5);
    m1.put("mode", "drop");
    Report.ReportFinding high = new Report.ReportFinding(
        "accept-queue-overflow", "high", "10.0.0.1:80", "2024-05-01T10:00:01.000000000Z",
        "2024-05-01T10:00:09.500000000Z", "accept queue of 10.0.0.1:80 overflowed <script>alert(1)</script>", m1,
        List.of(evidence("CAbc1", "10.0.0.2:40000", "10.0.0.1:80", "ShADar"),
            evidence("CAbc2", "10.0.0.2:40002", "10.0.0.1:80", "ShADar"),
            evidence("CAbc3", "10.0.0.2:40004", "10.0.0.1:80", "ShADar")),
        "The listener's accept queue was full.\n\nCheck somaxconn & the backlog.");
    Report.ReportFinding low = new Report.ReportFinding(
        "syn-cookies", "low", "[fd00::1]:443", "2024-05-01T10:00:03.000000000Z",
        "2024-05-01T10:00:05.000000000Z", "SYN cookies sent by [fd00::1]:443", Map.of("cookies", 12L),
        List.of(), "SYN cookies mean the SYN queue overflowed.");
    Report.Input input = new Report.Input("captures/test run.pcap", "pcap", Map.of("EN10MB", 40L), 40, 4000,
        "2024-05-01T10:00:00.500000000Z", "2024-05-01T10:00:10.000000000Z", List.of());
    Report.Stats stats = new Report.Stats(40, 38, 2, new Report.TcpFlagCounts(10, 9, 3, 4), Map.of("not_ip", 2L), Map.of(),
        Map.of(), new Report.Flows(8, 0, 0, 8, 5, 1_000_000), 0, Map.of());
    Map<String, Long> states = new LinkedHashMap<>();
    states.put("SF", 5L);
    states.put("REJ", 1L);
    states.put("RSTR", 2L);
    Report.Summary summary = new Report.Summary(8, 7, 1, states,
        new Report.HandshakeRtt(new Report.Percentiles(7, 0.12, 0.2, 0.3, 0.31), new Report.Percentiles(7, 20.5, 21.0, 22.0, 22.1)),
        1, 0, 0, 0);
    long[] zeros = new long[10];
    Report.Timeline timeline = new Report.Timeline("2024-05-01T10:00:00.000000000Z", 1, 10,
        new long[] {0, 3, 2, 1, 0, 0, 1, 2, 1, 0}, new long[] {0, 3, 2, 1, 0, 0, 1, 1, 1, 0},
        new long[] {0, 3, 2, 1, 0, 0, 1, 0, 0, 0}, new long[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
        new long[] {0, 0, 0, 0, 2, 0, 0, 0, 0, 0}, new long[] {0, 1, 1, 0, 0, 0, 1, 2, 1, 0}, 60,
        List.of(new Report.HostSeries("10.0.0.2", 5, new long[] {0, 2, 4, 5, 5, 5, 5, 5, 5, 5}),
            new Report.HostSeries("10.0.0.1", 0, zeros)), 0);
    Report.HandshakeHistogram hist = new Report.HandshakeHistogram(
        HandshakeHistograms.UPPER_BOUNDS_MS.clone(),
        new long[] {0, 0, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        new long[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    Report.Listener l = new Report.Listener("10.0.0.1:80", 8, 7, 1, 1, 0, 1);
    Report.Listeners listeners = new Report.Listeners(1, 0, List.of(l), List.of(l));
    Report.ConnectionRecord c = new Report.ConnectionRecord("CAbc1", "2024-05-01T10:00:01.000000000Z", "10.0.0.2", 40000,
        "10.0.0.1", 80, 3.1, "RSTR", "ShADar", 4, 3, 100, 0, 0, 0, new Report.Rtt(0.12, 20.5));
    return new Report(1, new Report.Tool("synscope", "0.1.0"), "2024-05-02T00:00:00Z", List.of(input), stats, summary,
        List.of("a warning with <b>markup</b>"), List.of(high, low), List.of(c), listeners, hist, timeline);
  }

  /** A report of an empty capture: no findings, no connections, no timeline. */
  public static Report empty() {
    Report.Stats stats = new Report.Stats(0, 0, 0, new Report.TcpFlagCounts(0, 0, 0, 0), Map.of(), Map.of(), Map.of(),
        new Report.Flows(0, 0, 0, 0, 0, 1_000_000), 0, Map.of());
    Report.Summary summary = new Report.Summary(0, 0, 0, Map.of(),
        new Report.HandshakeRtt(new Report.Percentiles(0, null, null, null, null), new Report.Percentiles(0, null, null, null, null)),
        0, 0, 0, 0);
    return new Report(1, new Report.Tool("synscope", "0.1.0"), "2024-05-02T00:00:00Z",
        List.of(new Report.Input("empty.pcap", "pcap", Map.of(), 0, 0, null, null, List.of())), stats, summary, List.of(),
        List.of(), null);
  }
}
