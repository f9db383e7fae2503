package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.detect.Finding;
import dev.synscope.detect.Severity;
import dev.synscope.report.Report;
import dev.synscope.report.ReportBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The live JSON Lines stream: opened once, escalated only upwards, one final object per finding. */
class LiveFindingStreamTest {
  private static final long T = 1_700_000_000_000_000_000L;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final FindingStream stream =
      new FindingStream(new PrintStream(bytes, true, StandardCharsets.UTF_8), new Object(), "9.9");

  private static Finding finding(String detector, String target, Severity severity, long first) {
    return new Finding(detector, severity, target, first, first + 1_000_000_000L, detector + " on " + target,
        Map.of("n", 1), List.of(), "why");
  }

  private List<JsonNode> take() throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : bytes.toString(StandardCharsets.UTF_8).lines().toList()) {
      out.add(new ObjectMapper().readTree(line));
    }
    bytes.reset();
    return out;
  }

  @Test
  void opensEscalatesAndFinishes() throws Exception {
    Finding flood = finding("syn-flood", "10.0.0.1:80", Severity.MEDIUM, T);
    assertEquals(1, stream.update(List.of(flood)));
    List<JsonNode> lines = take();
    assertEquals(1, lines.size());
    JsonNode opened = lines.get(0);
    assertEquals("finding-opened", opened.path("event").path("action").asText());
    assertEquals("synscope.finding", opened.path("event").path("dataset").asText());
    assertEquals("syn-flood", opened.path("rule").path("id").asText());
    assertEquals(80, opened.path("destination").path("port").asInt());
    assertEquals("9.9", opened.path("observer").path("version").asText());

    assertEquals(0, stream.update(List.of(flood)), "nothing new");
    assertEquals(0, stream.update(List.of(finding("syn-flood", "10.0.0.1:80", Severity.LOW, T))), "never downwards");
    assertEquals(List.of(), take());

    Finding worse = finding("syn-flood", "10.0.0.1:80", Severity.HIGH, T);
    Finding other = finding("syn-cookies", "10.0.0.1:80", Severity.INFO, T + 5);
    Finding later = finding("syn-flood", "10.0.0.1:80", Severity.LOW, T + 60_000_000_000L); // a second episode
    assertEquals(3, stream.update(List.of(worse, other, later)));
    lines = take();
    assertEquals(List.of("finding-opened", "finding-opened", "finding-escalated"),
        lines.stream().map(n -> n.path("event").path("action").asText()).toList());
    assertEquals("high", lines.get(2).path("synscope").path("severity").asText());

    Report report = new Report(1, new Report.Tool("synscope", "9.9"), "now", List.of(), null, null, List.of(),
        List.of(ReportBuilder.finding(worse), ReportBuilder.finding(other), ReportBuilder.finding(later)), null);
    stream.finish(report, false);
    lines = take();
    assertEquals(3, lines.size());
    for (JsonNode n : lines) {
      assertEquals("finding-final", n.path("event").path("action").asText());
    }
  }
}
