package dev.synscope.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synscope.detect.Detectors;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps): one rule per registered
 * detector, one result per finding with the capture as its artifact and the listener or 4-tuple as
 * its logical location. Fingerprints hash detector, target and occurrence, not times, so the same
 * problem in the next run's capture is recognised as the same alert. Findings the policy accepts
 * carry an external, accepted suppression.
 */
public final class SarifWriter implements ReportWriter {
  static final String SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
  static final String FINGERPRINT = "synscopeFinding/v1";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Verdict verdict;

  public SarifWriter() {
    this(null);
  }

  /** @param verdict the check's verdict, or null for the default gate */
  public SarifWriter(Verdict verdict) {
    this.verdict = verdict;
  }

  @Override
  public String extension() {
    return "sarif";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    ObjectMapper mapper = JsonReportWriter.mapper();
    mapper.writerWithDefaultPrettyPrinter().writeValue(out, sarif(report, verdict == null ? Verdict.defaults(report) : verdict));
    out.write('\n');
    out.flush();
  }

  static ObjectNode sarif(Report report, Verdict verdict) {
    ObjectNode root = NODES.objectNode();
    root.put("$schema", SCHEMA);
    root.put("version", "2.1.0");
    ObjectNode run = root.putArray("runs").addObject();
    ObjectNode driver = run.putObject("tool").putObject("driver");
    driver.put("name", "synscope");
    String version = report.tool() == null ? null : report.tool().version();
    if (version != null) {
      driver.put("version", version);
      if (version.matches("\\d+\\.\\d+\\.\\d+([-+].*)?")) {
        driver.put("semanticVersion", version);
      }
    }
    Map<String, Integer> ruleIndex = new LinkedHashMap<>();
    ArrayNode rules = driver.putArray("rules");
    for (Detectors.Entry e : Detectors.all()) {
      ruleIndex.put(e.id(), ruleIndex.size());
      rule(rules, e.id(), e.description());
    }
    for (Report.ReportFinding f : report.findings()) {
      if (!ruleIndex.containsKey(f.detector())) {
        ruleIndex.put(f.detector(), ruleIndex.size());
        rule(rules, f.detector(), "synscope detector " + f.detector());
      }
    }
    ObjectNode invocation = run.putArray("invocations").addObject();
    invocation.put("executionSuccessful", true);
    invocation.putObject("properties").put("failOn", verdict.failOn().label())
        .put("failed", verdict.failed());
    ArrayNode artifacts = run.putArray("artifacts");
    List<Report.Input> inputs = report.inputs() == null ? List.of() : report.inputs();
    for (Report.Input i : inputs) {
      ObjectNode a = artifacts.addObject();
      artifactLocation(a.putObject("location"), i.path(), -1);
      a.put("length", i.bytes());
      a.putArray("roles").add("analysisTarget");
      if (i.format() != null) {
        a.put("mimeType", mimeType(i.format()));
      }
    }
    ArrayNode results = run.putArray("results");
    Map<String, Integer> occurrences = new HashMap<>();
    for (int n = 0; n < report.findings().size(); n++) {
      Report.ReportFinding f = report.findings().get(n);
      Verdict.Judgement j = n < verdict.judgements().size() ? verdict.judgements().get(n) : null;
      ObjectNode r = results.addObject();
      r.put("ruleId", f.detector());
      r.put("ruleIndex", ruleIndex.get(f.detector()));
      r.put("level", level(f.severity()));
      r.putObject("message").put("text", f.summary() == null ? f.detector() + " on " + f.target() : f.summary());
      ObjectNode location = r.putArray("locations").addObject();
      int input = f.evidence() == null || f.evidence().isEmpty() ? 0 : f.evidence().get(0).input();
      if (input >= 0 && input < inputs.size()) {
        ObjectNode physical = location.putObject("physicalLocation");
        artifactLocation(physical.putObject("artifactLocation"), inputs.get(input).path(), input);
        // Code-scanning UIs want a region; a capture has no lines, so the alert points at its start.
        physical.putObject("region").put("startLine", 1);
      }
      ObjectNode logical = location.putArray("logicalLocations").addObject();
      logical.put("name", f.target());
      logical.put("fullyQualifiedName", f.target());
      logical.put("kind", "resource");
      String key = f.detector() + "|" + f.target();
      int occurrence = occurrences.merge(key, 1, Integer::sum);
      r.putObject("partialFingerprints").put(FINGERPRINT, sha256(key + "|" + occurrence));
      if (j != null && j.outcome() == Verdict.Outcome.ACCEPTED) {
        ObjectNode s = r.putArray("suppressions").addObject();
        s.put("kind", "external");
        s.put("status", "accepted");
        if (j.reason() != null && !j.reason().isEmpty()) {
          s.put("justification", j.reason());
        }
      }
      ObjectNode p = r.putObject("properties");
      p.put("severity", f.severity());
      p.put("target", f.target());
      p.put("firstSeen", f.firstSeen());
      p.put("lastSeen", f.lastSeen());
      if (j != null) {
        p.put("gate", j.outcome().name().toLowerCase(Locale.ROOT));
      }
      p.set("metrics", JsonReportWriter.mapper().valueToTree(f.metrics() == null ? Map.of() : f.metrics()));
      p.set("evidence", JsonReportWriter.mapper().valueToTree(f.evidence() == null ? List.of() : f.evidence()));
      if (f.explanation() != null) {
        p.put("explanation", f.explanation());
      }
    }
    return root;
  }

  private static void rule(ArrayNode rules, String id, String description) {
    ObjectNode rule = rules.addObject();
    rule.put("id", id);
    rule.put("name", pascal(id));
    rule.putObject("shortDescription").put("text", description == null || description.isBlank() ? id : description);
    rule.putObject("defaultConfiguration").put("level", "warning");
    rule.putObject("properties").putArray("tags").add("network").add("tcp");
  }

  private static void artifactLocation(ObjectNode location, String path, int index) {
    location.put("uri", uri(path));
    if (!path.equals("-") && !Path.of(path).isAbsolute()) {
      location.put("uriBaseId", "%SRCROOT%");
    }
    if (index >= 0) {
      location.put("index", index);
    }
  }

  /** A relative path stays relative (forward slashes, percent-encoded); absolute ones are file: URIs. */
  static String uri(String path) {
    if (path == null || path.equals("-")) {
      return "stdin";
    }
    Path p = Path.of(path);
    if (p.isAbsolute()) {
      return p.toUri().toString();
    }
    try {
      return new URI(null, null, path.replace('\\', '/'), null).toASCIIString();
    } catch (URISyntaxException e) {
      return path.replace('\\', '/');
    }
  }

  /** critical, high: error; medium: warning; low, info: note. */
  static String level(String severity) {
    return switch (severity == null ? "" : severity) {
      case "critical", "high" -> "error";
      case "medium" -> "warning";
      default -> "note";
    };
  }

  private static String mimeType(String format) {
    return format.toLowerCase(Locale.ROOT).contains("pcapng") ? "application/x-pcapng" : "application/vnd.tcpdump.pcap";
  }

  static String pascal(String kebab) {
    StringBuilder sb = new StringBuilder();
    for (String part : kebab.split("[-_.]")) {
      if (!part.isEmpty()) {
        sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return sb.toString();
  }

  private static String sha256(String text) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
