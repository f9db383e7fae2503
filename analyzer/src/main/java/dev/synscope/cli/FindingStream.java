package dev.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synscope.detect.Finding;
import dev.synscope.detect.Severity;
import dev.synscope.report.JsonLinesWriter;
import dev.synscope.report.Report;
import dev.synscope.report.ReportBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live JSON Lines stream: the objects of {@code --format jsonl} (the same writer makes them),
 * each finding's with {@code event.action} saying why it is printed now: {@code finding-opened}
 * the first time a finding is seen, {@code finding-escalated} when its severity rises, {@code
 * finding-final} once per finding when the capture has ended. A finding is known by its detector,
 * target and first-seen time.
 */
final class FindingStream {
  static final String OPENED = "finding-opened";
  static final String ESCALATED = "finding-escalated";
  static final String FINAL = "finding-final";
  private static final ObjectMapper MAPPER = JsonMapper.builder().build();

  private record Key(String detector, String target, long firstSeenNanos) {}

  private final PrintStream out;
  private final Object lock;
  private final String version;
  private final Map<Key, Severity> seen = new HashMap<>();

  FindingStream(PrintStream out, Object lock, String version) {
    this.out = out;
    this.lock = lock;
    this.version = version;
  }

  /** Prints what opened or escalated since the last call; returns the number of objects printed. */
  int update(List<Finding> current) throws IOException {
    List<Report.ReportFinding> opened = new ArrayList<>();
    List<Report.ReportFinding> escalated = new ArrayList<>();
    for (Finding f : current) {
      Key k = new Key(f.detector(), f.target(), f.firstSeenNanos());
      Severity before = seen.get(k);
      if (before == null) {
        opened.add(ReportBuilder.finding(f));
        seen.put(k, f.severity());
      } else if (f.severity().compareTo(before) > 0) {
        escalated.add(ReportBuilder.finding(f));
        seen.put(k, f.severity());
      }
    }
    print(findingsOnly(opened), OPENED);
    print(findingsOnly(escalated), ESCALATED);
    return opened.size() + escalated.size();
  }

  /**
   * Prints the final objects: every finding of the report, and with {@code whole} its connection
   * records too (the stream then is the report in JSON Lines).
   */
  void finish(Report report, boolean whole) throws IOException {
    print(whole ? report : findingsOnly(report.findings()), FINAL);
  }

  private Report findingsOnly(List<Report.ReportFinding> findings) {
    return new Report(Report.SCHEMA_VERSION, new Report.Tool("synscope", version), null, List.of(), null, null,
        List.of(), findings, null);
  }

  private void print(Report r, String action) throws IOException {
    if (r.findings().isEmpty() && r.connections() == null) {
      return;
    }
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    new JsonLinesWriter().write(r, buffer);
    StringBuilder text = new StringBuilder();
    for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node = MAPPER.readTree(line);
      if (node.path("event") instanceof ObjectNode event
          && "synscope.finding".equals(event.path("dataset").asText())) {
        event.put("action", action);
        line = MAPPER.writeValueAsString(node);
      }
      text.append(line).append('\n');
    }
    synchronized (lock) {
      out.print(text);
      out.flush();
    }
  }
}
