package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The terminal summary: its parts, colour only when asked, and a long list of findings cut short. */
class TextReportWriterTest {
  private static String text(Report r, boolean colour) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new TextReportWriter(null, colour).write(r, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theSummaryHasItsPartsInOrder() throws IOException {
    String t = text(SyntheticReports.withFindings(), false);
    int header = t.indexOf("input       captures/test run.pcap (pcap, 40 packets, 4000 B on the wire)");
    int findings = t.indexOf("FINDINGS  2 (1 high, 1 low)");
    int listeners = t.indexOf("LISTENERS");
    int states = t.indexOf("CONNECTIONS BY STATE");
    assertTrue(header > 0 && findings > header && listeners > findings && states > listeners, t);
    assertTrue(t.contains("warning     a warning with <b>markup</b>"), t);
    assertTrue(t.contains("connections_affected 7 · estimated_backlog 14.5 · mode drop"), t);
    assertTrue(t.strip().endsWith("-F html -o report.html"), t);
    assertFalse(t.contains("\u001b["), t);
    assertTrue(text(SyntheticReports.withFindings(), true).contains("\u001b[1;31mhigh"));
  }

  @Test
  void anEmptyCaptureSaysSo() throws IOException {
    String t = text(SyntheticReports.empty(), false);
    assertTrue(t.contains("FINDINGS  none"), t);
    assertFalse(t.contains("LISTENERS"), t);
  }

  @Test
  void pastTwentyFindingsTheRestAreCountedByDetector() throws IOException {
    Report r = SyntheticReports.withFindings();
    List<Report.ReportFinding> many = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      many.add(new Report.ReportFinding(i % 5 == 0 ? "syn-cookies" : "syn-flood", "high", "10.0.0." + i + ":80",
          "2024-05-01T10:00:01.000000000Z", "2024-05-01T10:00:02.000000000Z", "finding " + i, Map.of(), List.of(), null));
    }
    Report big = new Report(r.schemaVersion(), r.tool(), r.generatedAt(), r.inputs(), r.stats(), r.summary(),
        r.warnings(), many, null, r.listeners(), r.handshakeHistogram(), r.timeline());
    String t = text(big, false);
    assertTrue(t.contains("finding 19"), t);
    assertFalse(t.contains("finding 20"), t);
    assertTrue(t.contains("5 more, less severe or later: 1 syn-cookies, 4 syn-flood; all of them with -F json"), t);
    assertEquals(20, t.lines().filter(l -> l.startsWith("high ")).count());
  }
}
