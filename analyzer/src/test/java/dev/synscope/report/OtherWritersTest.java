package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.detect.Detectors;
import dev.synscope.detect.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** JSON Lines, Zeek-style TSV, JUnit XML and the JSON report's new sections. */
class OtherWritersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static String write(ReportWriter w, Report r) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    w.write(r, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonLinesUseEcsNames() throws IOException {
    List<String> lines = write(new JsonLinesWriter(), SyntheticReports.withFindings()).lines().toList();
    assertEquals(3, lines.size(), "one connection, then two findings");
    JsonNode c = JSON.readTree(lines.get(0));
    assertEquals("2024-05-01T10:00:01.000000000Z", c.get("@timestamp").asText());
    assertEquals("event", c.at("/event/kind").asText());
    assertEquals("network", c.at("/event/category/0").asText());
    assertEquals("10.0.0.2", c.at("/source/ip").asText());
    assertEquals(40000, c.at("/source/port").asInt());
    assertEquals("10.0.0.1", c.at("/destination/ip").asText());
    assertEquals(80, c.at("/destination/port").asInt());
    assertEquals("tcp", c.at("/network/transport").asText());
    assertEquals(3_100_000_000L, c.at("/event/duration").asLong());
    assertEquals("2024-05-01T10:00:04.100000000Z", c.at("/event/end").asText());
    assertEquals("RSTR", c.at("/synscope/conn_state").asText());
    JsonNode f = JSON.readTree(lines.get(1));
    assertEquals("alert", f.at("/event/kind").asText());
    assertEquals("accept-queue-overflow", f.at("/rule/id").asText());
    assertEquals(73, f.at("/event/severity").asInt());
    assertEquals("10.0.0.1", f.at("/destination/ip").asText());
    assertEquals(80, f.at("/destination/port").asInt());
    assertEquals("high", f.at("/synscope/severity").asText());
    assertEquals(7, f.at("/synscope/metrics/connections_affected").asInt());
    assertEquals("CAbc1", f.at("/synscope/evidence/0/uid").asText());
    JsonNode v6 = JSON.readTree(lines.get(2));
    assertEquals("fd00::1", v6.at("/destination/ip").asText());
    assertEquals(443, v6.at("/destination/port").asInt());
  }

  @Test
  void jsonLinesWithoutConnectionsHoldOnlyFindings() throws IOException {
    Report r = SyntheticReports.withFindings();
    Report noConn = new Report(r.schemaVersion(), r.tool(), r.generatedAt(), r.inputs(), r.stats(), r.summary(), r.warnings(),
        r.findings(), null);
    assertEquals(2, write(new JsonLinesWriter(), noConn).lines().count());
    assertEquals("", write(new JsonLinesWriter(), SyntheticReports.empty()));
  }

  @Test
  void tsvIsZeekConnLogShaped() throws IOException {
    List<String> lines = write(new TsvWriter(), SyntheticReports.withFindings()).lines().toList();
    assertEquals("#separator \\x09", lines.get(0));
    assertEquals("#path\tconn", lines.get(4));
    String[] fields = lines.get(6).split("\t");
    assertEquals("#fields", fields[0]);
    assertEquals(List.of("ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto"),
        List.of(fields).subList(1, 8));
    String[] types = lines.get(7).split("\t");
    assertEquals(fields.length, types.length);
    String[] row = lines.get(8).split("\t");
    assertEquals(fields.length - 1, row.length);
    assertEquals("1714557601.000000", row[0]);
    assertEquals("CAbc1", row[1]);
    assertEquals("3.100000", row[7]);
    assertEquals("RSTR", row[10]);
    assertEquals("0.000120", row[16]);
    assertTrue(lines.get(lines.size() - 1).startsWith("#close\t"));
    String empty = write(new TsvWriter(), SyntheticReports.empty());
    assertTrue(empty.contains("#comment\tno connection records: run with --connections"));
  }

  @Test
  void junitHasASuitePerDetectorAndAFailurePerFailingFinding() throws Exception {
    Report r = SyntheticReports.withFindings();
    Verdict v = Verdict.of(r, Severity.LOW, f -> null);
    Document doc = xml(write(new JunitWriter(v), r));
    Element root = doc.getDocumentElement();
    assertEquals("testsuites", root.getTagName());
    assertEquals("2", root.getAttribute("failures"));
    NodeList suites = doc.getElementsByTagName("testsuite");
    for (Detectors.Entry e : Detectors.all()) {
      boolean found = false;
      for (int i = 0; i < suites.getLength(); i++) {
        found |= ((Element) suites.item(i)).getAttribute("name").equals("synscope." + e.id());
      }
      assertTrue(found, "suite for " + e.id());
    }
    NodeList failures = doc.getElementsByTagName("failure");
    assertEquals(2, failures.getLength());
    Element f = (Element) failures.item(0);
    assertEquals("high", f.getAttribute("type"));
    assertTrue(f.getAttribute("message").contains("<script>"), "attribute text round-trips");
    assertTrue(f.getTextContent().contains("evidence CAbc1 10.0.0.2:40000 -> 10.0.0.1:80"));
    assertEquals("10.0.0.1:80 (high)", ((Element) f.getParentNode()).getAttribute("name"));
  }

  @Test
  void junitSkipsAcceptedAndPassesBelowThreshold() throws Exception {
    Report r = SyntheticReports.withFindings();
    Verdict v = Verdict.of(r, Severity.MEDIUM, f -> f.detector().equals("accept-queue-overflow") ? "known" : null);
    Document doc = xml(write(new JunitWriter(v), r));
    assertEquals(0, doc.getElementsByTagName("failure").getLength());
    assertEquals(1, doc.getElementsByTagName("skipped").getLength());
    assertEquals("accepted by policy: known", ((Element) doc.getElementsByTagName("skipped").item(0)).getAttribute("message"));
    assertTrue(doc.getElementsByTagName("system-out").item(0).getTextContent().startsWith("below --fail-on medium"));
  }

  @Test
  void verdictJudgesEachFinding() {
    Report r = SyntheticReports.withFindings();
    Verdict v = Verdict.defaults(r);
    assertTrue(v.failed());
    assertEquals(List.of(Verdict.Outcome.FAILS, Verdict.Outcome.BELOW_THRESHOLD),
        v.judgements().stream().map(Verdict.Judgement::outcome).toList());
    assertFalse(Verdict.of(r, Severity.CRITICAL, f -> null).failed());
    assertFalse(Verdict.of(r, Severity.INFO, f -> "all accepted").failed());
  }

  @Test
  void jsonReportKeepsLongSeriesOnOneLine() throws IOException {
    String json = write(new JsonReportWriter(), SyntheticReports.withFindings());
    assertTrue(json.contains("\"syn\" : [0, 3, 2, 1, 0, 0, 1, 2, 1, 0],"), json);
    assertTrue(json.contains("\"upper_bounds_ms\" : [0.05, 0.1, 0.2, 0.5, 1.0,"));
    JsonNode tree = JSON.readTree(json);
    assertEquals(10, tree.at("/timeline/half_open").size());
    assertEquals("10.0.0.1:80", tree.at("/listeners/by_failures/0/listener").asText());
    // valueToTree (no pretty printer) gets ordinary arrays.
    assertTrue(JsonReportWriter.mapper().valueToTree(SyntheticReports.withFindings()).at("/timeline/syn").isArray());
  }

  private static Document xml(String text) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }
}
