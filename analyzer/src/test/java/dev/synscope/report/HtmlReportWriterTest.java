package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.hostcounters.HostCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HtmlReportWriterTest {
  static String render(Report r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new HtmlReportWriter().write(r, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The page without its inline scripts (Chart.js mentions URLs in its comments). */
  static String withoutScripts(String html) {
    return html.replaceAll("(?s)<script>.*?</script>", "<script></script>");
  }

  static JsonNode dataIsland(String html) throws IOException {
    Matcher m = Pattern.compile("(?s)<script type=\"application/json\" id=\"synscope-data\">(.*?)</script>").matcher(html);
    assertTrue(m.find(), "data island present");
    return new ObjectMapper().readTree(m.group(1));
  }

  @Test
  void everyFindingIsShownWithItsEvidenceAndEscaped() throws IOException {
    String html = render(SyntheticReports.withFindings());
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertTrue(html.contains("<article class=\"finding sev-high\" id=\"finding-0\" data-detector=\"accept-queue-overflow\" data-target=\"10.0.0.1:80\""));
    assertTrue(html.contains("id=\"finding-1\" data-detector=\"syn-cookies\" data-target=\"[fd00::1]:443\""));
    assertFalse(html.contains("<script>alert(1)"), "finding text is escaped");
    assertTrue(html.contains("overflowed &lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("a warning with &lt;b&gt;markup&lt;/b&gt;"));
    assertTrue(html.contains("<p>The listener&#39;s accept queue was full.</p>"), "explanation paragraphs");
    assertTrue(html.contains("Check somaxconn &amp; the backlog."));
    // Two ladder diagrams for the first finding (three evidence connections), none for the second.
    assertEquals(2, count(html, "<svg class=\"ladder\""));
    assertTrue(html.contains("data-uid=\"CAbc1\"") && html.contains("data-uid=\"CAbc2\"") && !html.contains("data-uid=\"CAbc3\""));
    assertTrue(html.contains("client&#39;s 3rd ACK dropped; &lt;resp&gt; reset"));
    // Verdict: the high finding fails the default gate, the low one is below it.
    assertTrue(html.contains("1 finding at or above medium"));
    assertTrue(html.contains("check --fail-on medium would fail (exit 1)"));
    assertTrue(html.contains("below --fail-on medium"));
    // Metrics, tables.
    assertTrue(html.contains("<th scope=\"row\">estimated_backlog</th><td>14.500</td>"));
    assertTrue(html.contains("<td class=\"mono\">RSTR</td><td>established, resp aborted (RST)</td>"));
    assertTrue(html.contains("<td class=\"mono\">10.0.0.1:80</td>"));
    // Each detector's findings are shaded on the time series.
    assertTrue(html.contains("<li data-intervals=\"2024-05-01T10:00:01Z,2024-05-01T10:00:09.500Z\" "
        + "data-colour=\"" + HtmlReportWriter.episodeColour("accept-queue-overflow") + "\" data-detector=\"accept-queue-overflow\">"));
  }

  @Test
  void selfContainedAndOffline() throws IOException {
    String html = render(SyntheticReports.withFindings());
    assertTrue(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    assertTrue(html.contains("Chart.js v" + HtmlReportWriter.ChartJs.VERSION), "Chart.js inlined");
    String markup = withoutScripts(html);
    for (String bad : List.of("src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http", "@import")) {
      assertFalse(markup.contains(bad), "no external reference: " + bad);
    }
    assertFalse(html.contains("<script src"), "no external script");
    assertFalse(html.contains("<link"), "no external stylesheet");
    for (String id : List.of("chart-rates", "chart-half-open", "chart-time-wait", "chart-hist-syn-synack", "chart-hist-synack-ack")) {
      assertTrue(html.contains("<canvas id=\"" + id + "\""), id);
    }
  }

  @Test
  void dataIslandCarriesTheReportWithoutConnections() throws IOException {
    String html = render(SyntheticReports.withFindings());
    JsonNode data = dataIsland(html);
    assertEquals(2, data.get("findings").size());
    assertFalse(data.has("connections"), "per-connection records stay out of the page");
    assertEquals(10, data.get("timeline").get("syn").size());
    assertEquals("10.0.0.2", data.get("timeline").get("time_wait").get(0).get("host").asText());
    assertEquals(19, data.get("handshake_histogram").get("syn_to_synack").size());
    assertTrue(data.get("findings").get(0).get("summary").asText().contains("<script>"), "text survives, escaped as \\u003c");
    String island = html.substring(html.indexOf("id=\"synscope-data\">"), html.indexOf("</script>", html.indexOf("id=\"synscope-data\">")));
    assertFalse(island.contains("<"), "no '<' inside the data island");
  }

  @Test
  void emptyCaptureRendersAPassingPage() throws IOException {
    String html = render(SyntheticReports.empty());
    assertTrue(html.contains("No handshake problems found"));
    assertTrue(html.contains("No detector reported a finding."));
    assertTrue(html.contains("No connection events: nothing to plot."));
    assertTrue(html.contains("<canvas id=\"chart-rates\""));
  }

  @Test
  void sizeStaysSmallForALongCapture() throws IOException {
    Report r = SyntheticReports.withFindings();
    long[] big = new long[TimelineBuilder.MAX_BUCKETS];
    Arrays.fill(big, 123_456);
    List<Report.HostSeries> hosts = new ArrayList<>();
    for (int i = 0; i < TimelineBuilder.TOP_HOSTS; i++) {
      hosts.add(new Report.HostSeries("10.0.0." + i, 123_456, big));
    }
    Report.Timeline tl = new Report.Timeline("2024-05-01T00:00:00.000000000Z", 128, big.length, big, big, big, big, big, big,
        60, hosts, 300);
    Report huge = new Report(r.schemaVersion(), r.tool(), r.generatedAt(), r.inputs(), r.stats(), r.summary(), r.warnings(),
        r.findings(), r.connections(), r.listeners(), r.handshakeHistogram(), tl);
    String html = render(huge);
    assertTrue(html.length() < 450_000, "page size " + html.length());
    assertTrue(html.contains("widened so the report stays small"));
  }

  @Test
  void manyFindingsBeyondTheFullOnesGetOneRowEach() throws IOException {
    Report r = SyntheticReports.withFindings();
    List<Report.ReportFinding> many = new ArrayList<>();
    for (int i = 0; i < HtmlReportWriter.FULL_FINDINGS + 20; i++) {
      Report.ReportFinding f = r.findings().get(0);
      many.add(new Report.ReportFinding(f.detector(), f.severity(), "10.0.0." + i + ":80", f.firstSeen(), f.lastSeen(),
          f.summary(), f.metrics(), f.evidence(), f.explanation()));
    }
    Report big = new Report(r.schemaVersion(), r.tool(), r.generatedAt(), r.inputs(), r.stats(), r.summary(), r.warnings(),
        many, null, r.listeners(), r.handshakeHistogram(), r.timeline());
    String html = render(big);
    assertEquals(HtmlReportWriter.FULL_FINDINGS, count(html, "<article class=\"finding"));
    assertEquals(20, count(html, "<tr class=\"finding-row\""));
    for (int i = 0; i < many.size(); i++) {
      assertTrue(html.contains("id=\"finding-" + i + "\" data-detector=\"accept-queue-overflow\" data-target=\"10.0.0." + i + ":80\""));
    }
    assertEquals(2 * HtmlReportWriter.FULL_FINDINGS, count(html, "<svg class=\"ladder\""));
    JsonNode island = dataIsland(html).get("findings");
    assertEquals(many.size(), island.size());
    assertEquals(2, island.get(0).get("evidence").size());
    assertEquals(0, island.get(HtmlReportWriter.FULL_FINDINGS).get("evidence").size());
    // Overlapping episodes of one detector shade as one band.
    assertEquals(1, count(html, "<li data-intervals="));
  }

  @Test
  void ladderFollowsTheTimestampsInTimeOrder() {
    Report.ReportEvidence e = SyntheticReports.evidence("C1", "10.0.0.2:40000", "10.0.0.1:80", "ShADar");
    List<LadderDiagram.Arrow> arrows = LadderDiagram.arrows(e);
    assertEquals(List.of("SYN", "SYN, ACK", "ACK", "RST"), arrows.stream().map(LadderDiagram.Arrow::label).toList());
    assertEquals(List.of(true, false, true, false), arrows.stream().map(LadderDiagram.Arrow::fromOrig).toList());
    String svg = LadderDiagram.svg(e, "x");
    assertTrue(svg.contains(">+0.000 ms<") && svg.contains(">+0.120 ms<") && svg.contains(">+20.500 ms<")
        && svg.contains(">+3.100000 s<"), svg);
    assertTrue(svg.contains("history ShADar · conn_state RSTR · frames 11, 12, 13, 20"));
  }

  @Test
  void evidenceOfAConnectionSpanningFilesNamesTheInputOfLaterPackets() {
    Report.ReportEvidence e = new Report.ReportEvidence("C3", "a:1", "b:2", "ShArD", "RSTR", null, 0, List.of(50L, 51L),
        List.of(new dev.synscope.detect.InputFrame(1, 7), new dev.synscope.detect.InputFrame(1, 8),
            new dev.synscope.detect.InputFrame(2, 1)), null);
    assertEquals("50, 51; input 1: 7, 8; input 2: 1", e.framesText());
    assertEquals("input 1: 7, 8; input 2: 1", e.laterFramesText());
    assertTrue(LadderDiagram.svg(e, "z").contains("input 1: 7, 8; input 2: 1"));
  }

  @Test
  void ladderFooterCutsALongPacketListWhereTheFullTextDoesNot() {
    List<Long> frames = java.util.stream.LongStream.rangeClosed(1, 9).boxed().toList();
    Report.ReportEvidence e = new Report.ReportEvidence("C4", "a:1", "b:2", "ShAF", "SF", null, 0, frames, List.of(), null);
    assertEquals("1, 2, 3, 4, 5, 6, 7, 8, 9", e.framesText());
    assertEquals("1, 2, 3, 4, 5, 6, 7, 8, 9", e.firstInputFramesText(9));
    assertEquals("1, 2, 3, 4, 5, 6, 7, 8, …", e.firstInputFramesText(8));
    assertTrue(LadderDiagram.svg(e, "w").contains("· frames 1, 2, 3, 4, 5, 6, 7, 8, … ·"));
  }

  @Test
  void ladderFallsBackToHistoryLetters() {
    Report.ReportEvidence e = new Report.ReportEvidence("C2", "a:1", "b:2", "ShR", "RSTOS0", null, 0, List.of(), List.of(), null);
    assertEquals(List.of("SYN", "SYN, ACK", "RST"), LadderDiagram.arrows(e).stream().map(LadderDiagram.Arrow::label).toList());
    assertTrue(LadderDiagram.svg(e, "y").contains("order from history, no times"));
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  /** A live report's capture statistics travel in the page's embedded data. */
  @Test
  void liveCaptureSectionIsKeptInTheEmbeddedData() throws IOException {
    Report live = SyntheticReports.withFindings().withLive(
        new Report.Capture("eth0", "tcp", 160, "2024-05-02T00:00:00Z", "2024-05-02T00:01:00Z", "duration",
            1000, 17, 0, 3),
        null, List.of());
    String html = render(live);
    assertTrue(html.contains("\"dropped_by_kernel\":17"), "capture section missing from the HTML data");
    assertTrue(html.contains("\"handoff_dropped\":3"));
  }

  /** The page draws a live report's capture losses and the kernel's counters beside the findings. */
  @Test
  void liveCaptureAndKernelCountersAreShown() throws IOException {
    HostCounters counters = new HostCounters("/proc/net (this namespace)", 1.0, 61, "2024-05-02T00:00:00Z",
        "2024-05-02T00:01:00Z", new java.util.LinkedHashMap<>(Map.of("TcpExtListenOverflows", 7L, "TcpExtSyncookiesSent", 0L)),
        Map.of("TcpExtListenOverflows", 3.0),
        new HostCounters.Sockets(Map.of("established", 4L), Map.of("established", 2L, "time_wait", 9L),
            Map.of("established", 5L, "time_wait", 9L), false),
        List.of(new HostCounters.Comparison("accept-queue-overflow", "TcpExtListenOverflows", "agree", 1,
            List.of("10.0.0.1:80"), 7L, 7L, "both show <7> overflows")),
        null);
    Report live = SyntheticReports.withFindings().withLive(
        new Report.Capture("eth0", "tcp port 80", 160, "2024-05-02T00:00:00Z", "2024-05-02T00:01:00Z", "duration",
            1000, 17, 0, 3),
        counters, List.of());
    String html = withoutScripts(render(live));
    assertTrue(html.contains("<h2>Live capture</h2>"));
    assertTrue(html.contains("<a href=\"#live-capture\">Live capture</a>") && html.contains("<a href=\"#kernel-counters\">"));
    assertTrue(html.contains("<td class=\"mono\">tcp port 80</td>"));
    assertTrue(html.contains("20 packets were lost before synscope saw them"), "17 + 0 + 3 lost");
    assertTrue(html.contains("<h2>Kernel counters</h2>"));
    assertTrue(html.contains("<tr class=\"verdict-agree\"><td class=\"mono\">accept-queue-overflow</td>"));
    assertTrue(html.contains("both show &lt;7&gt; overflows"), "statements are escaped");
    assertTrue(html.contains("<td class=\"mono\">TcpExtListenOverflows</td><td class=\"num\" data-sort=\"7\">7</td><td class=\"num\">3.0</td>"));
    assertFalse(html.contains("<td class=\"mono\">TcpExtSyncookiesSent</td>"), "counters that did not move are left to the JSON");
    assertTrue(html.contains("<td class=\"mono\">time_wait</td><td class=\"num\">-</td><td class=\"num\">9</td><td class=\"num\">9</td>"));
  }

  @Test
  void anOfflineReportHasNoLiveSections() throws IOException {
    String html = withoutScripts(render(SyntheticReports.withFindings()));
    assertFalse(html.contains("Live capture"));
    assertFalse(html.contains("Kernel counters"));
  }
}
