package dev.synscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synscope.flow.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * JSON Lines for SIEM ingestion: one object per line, connections first (when the report has
 * them), then findings. Field names follow the Elastic Common Schema ({@code @timestamp},
 * {@code event.*}, {@code source.*}, {@code destination.*}, {@code network.*}, {@code rule.*},
 * {@code observer.*}); synscope's own fields are under {@code synscope.*}.
 */
public final class JsonLinesWriter implements ReportWriter {
  /** The ECS version the field names follow. */
  static final String ECS_VERSION = "8.11.0";

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
      .build();
  private static final ObjectMapper SNAKE = JsonReportWriter.mapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public String extension() {
    return "jsonl";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    if (report.connections() != null) {
      for (Report.ConnectionRecord c : report.connections()) {
        line(connection(version(report), c), out);
      }
    }
    for (Report.ReportFinding f : report.findings()) {
      line(finding(version(report), f), out);
    }
    out.flush();
  }

  private static void line(ObjectNode node, OutputStream out) throws IOException {
    out.write(MAPPER.writeValueAsBytes(node));
    out.write('\n');
  }

  private static String version(Report report) {
    return report.tool() == null ? null : report.tool().version();
  }

  /** One connection as its line, for a stream that writes them one at a time (Kafka). */
  public static String connectionLine(Report.ConnectionRecord c, String toolVersion) throws IOException {
    return MAPPER.writeValueAsString(connection(toolVersion, c));
  }

  /** One finding as its line, for a stream that writes them one at a time (Kafka). */
  public static String findingLine(Report.ReportFinding f, String toolVersion) throws IOException {
    return MAPPER.writeValueAsString(finding(toolVersion, f));
  }

  static ObjectNode connection(String toolVersion, Report.ConnectionRecord c) {
    ObjectNode o = NODES.objectNode();
    o.put("@timestamp", c.ts());
    ObjectNode event = o.putObject("event");
    event.put("kind", "event");
    event.putArray("category").add("network");
    event.putArray("type").add("connection");
    event.put("dataset", "synscope.connection");
    event.put("start", c.ts());
    long durationNanos = Math.round(c.duration() * 1e9);
    event.put("duration", durationNanos);
    if (c.ts() != null) {
      Instant start = Instant.parse(c.ts());
      event.put("end", Timestamps.iso(start.getEpochSecond() * 1_000_000_000L + start.getNano() + durationNanos));
    }
    ObjectNode source = o.putObject("source");
    source.put("ip", c.origH());
    source.put("port", c.origP());
    source.put("packets", c.origPkts());
    source.put("bytes", c.origBytes());
    ObjectNode destination = o.putObject("destination");
    destination.put("ip", c.respH());
    destination.put("port", c.respP());
    destination.put("packets", c.respPkts());
    destination.put("bytes", c.respBytes());
    ObjectNode network = o.putObject("network");
    network.put("transport", "tcp");
    network.put("type", c.origH().indexOf(':') >= 0 ? "ipv6" : "ipv4");
    network.put("packets", c.origPkts() + c.respPkts());
    network.put("bytes", c.origBytes() + c.respBytes());
    ObjectNode related = o.putObject("related");
    ArrayNode ips = related.putArray("ip");
    ips.add(c.origH());
    if (!c.respH().equals(c.origH())) {
      ips.add(c.respH());
    }
    common(toolVersion, o);
    ObjectNode s = o.putObject("synscope");
    s.put("uid", c.uid());
    s.put("conn_state", c.connState());
    s.put("history", c.history());
    s.put("syn_retransmits", c.synRetransmits());
    s.put("synack_retransmits", c.synackRetransmits());
    s.set("rtt", SNAKE.valueToTree(c.rtt()));
    return o;
  }

  static ObjectNode finding(String toolVersion, Report.ReportFinding f) {
    ObjectNode o = NODES.objectNode();
    o.put("@timestamp", f.firstSeen());
    o.put("message", f.summary());
    ObjectNode event = o.putObject("event");
    event.put("kind", "alert");
    event.putArray("category").add("network");
    event.putArray("type").add("info");
    event.put("dataset", "synscope.finding");
    event.put("severity", severityNumber(f.severity()));
    event.put("start", f.firstSeen());
    event.put("end", f.lastSeen());
    ObjectNode rule = o.putObject("rule");
    rule.put("id", f.detector());
    rule.put("name", f.detector());
    rule.put("ruleset", "synscope");
    Endpoints target = Endpoints.parse(f.target());
    if (target != null) {
      if (target.port() >= 0) {
        ObjectNode destination = o.putObject("destination");
        destination.put("ip", target.ip());
        destination.put("port", target.port());
      }
      o.putObject("related").putArray("ip").add(target.ip());
    }
    common(toolVersion, o);
    ObjectNode s = o.putObject("synscope");
    s.put("detector", f.detector());
    s.put("severity", f.severity());
    s.put("target", f.target());
    s.put("first_seen", f.firstSeen());
    s.put("last_seen", f.lastSeen());
    s.set("metrics", SNAKE.valueToTree(f.metrics() == null ? Map.of() : f.metrics()));
    s.set("evidence", SNAKE.valueToTree(f.evidence()));
    s.put("explanation", f.explanation());
    return o;
  }

  private static void common(String toolVersion, ObjectNode o) {
    o.putObject("observer").put("product", "synscope").put("vendor", "synscope").put("type", "sensor")
        .put("version", toolVersion);
    o.putObject("ecs").put("version", ECS_VERSION);
  }

  /**
   * ECS event.severity is numeric; the values of Elastic's own rules' severity mapping (low 21,
   * medium 47, high 73, critical 99), and 1 for info.
   */
  static int severityNumber(String severity) {
    return switch (severity == null ? "" : severity.toLowerCase(Locale.ROOT)) {
      case "critical" -> 99;
      case "high" -> 73;
      case "medium" -> 47;
      case "low" -> 21;
      default -> 1;
    };
  }
}
