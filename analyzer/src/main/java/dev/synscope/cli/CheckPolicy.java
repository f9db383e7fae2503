package dev.synscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.synscope.detect.Severity;
import dev.synscope.report.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A check policy file (JSON, or YAML when the name ends in .yaml/.yml or the text is not JSON):
 *
 * <pre>
 * fail_on: high                  # optional; --fail-on wins
 * detectors: [syn-flood, accept-queue-overflow]   # optional; --detectors wins
 * params:                        # per-detector thresholds; --param wins
 *   syn-flood: {min_rate: 200}
 * accept:                        # known findings that must not fail the gate
 *   - detector: syn-cookies
 *     target: "10.0.0.1:443"     # optional; '*' matches any text, absent matches every target
 *     reason: cookies are expected in the load test
 * </pre>
 */
record CheckPolicy(Severity failOn, List<String> detectors, Map<String, String> params, List<Acceptance> accept) {

  static final CheckPolicy NONE = new CheckPolicy(null, List.of(), Map.of(), List.of());

  /** One accepted finding pattern. */
  record Acceptance(String detector, String target, String reason) {
    boolean matches(Report.ReportFinding f) {
      if (!detector.equals("*") && !detector.equals(f.detector())) {
        return false;
      }
      return target == null || glob(target).matcher(f.target() == null ? "" : f.target()).matches();
    }

    String describe() {
      return detector + (target == null ? "" : " " + target);
    }
  }

  private static final Set<String> TOP_KEYS = Set.of("fail_on", "detectors", "params", "accept");
  private static final Set<String> ACCEPT_KEYS = Set.of("detector", "target", "reason");

  /** The policy's reason for accepting a finding, or null ("" when it gives none). */
  String acceptance(Report.ReportFinding f) {
    for (Acceptance a : accept) {
      if (a.matches(f)) {
        return a.reason() == null ? "" : a.reason();
      }
    }
    return null;
  }

  /** Accept entries that matched no finding (stale entries a team may want to remove). */
  List<Acceptance> unused(List<Report.ReportFinding> findings) {
    List<Acceptance> out = new ArrayList<>();
    for (Acceptance a : accept) {
      if (findings.stream().noneMatch(a::matches)) {
        out.add(a);
      }
    }
    return out;
  }

  /**
   * Reads a policy file.
   *
   * @throws NoSuchFileException (exit 3) when it is missing
   * @throws UsageException (exit 2) when it is malformed
   */
  static CheckPolicy read(Path file) throws IOException, UsageException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(file + ": policy file not found");
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml") || !text.stripLeading().startsWith("{");
    ObjectMapper mapper = yaml ? new YAMLMapper() : JsonMapper.builder().build();
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (IOException e) {
      throw new UsageException("policy " + file + ": not valid " + (yaml ? "YAML" : "JSON") + ": "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
    try {
      return parse(root);
    } catch (IllegalArgumentException e) {
      throw new UsageException("policy " + file + ": " + e.getMessage());
    }
  }

  static CheckPolicy parse(JsonNode root) {
    if (root == null || root.isMissingNode() || root.isNull()) {
      return NONE;
    }
    if (!root.isObject()) {
      throw new IllegalArgumentException("expected a mapping with fail_on, detectors, params, accept");
    }
    checkKeys(root, TOP_KEYS, "");
    Severity failOn = null;
    if (root.hasNonNull("fail_on")) {
      failOn = Severity.parse(root.get("fail_on").asText());
    }
    List<String> detectors = new ArrayList<>();
    JsonNode d = root.get("detectors");
    if (d != null && !d.isNull()) {
      if (!d.isArray()) {
        throw new IllegalArgumentException("detectors: expected a list of detector ids");
      }
      d.forEach(n -> detectors.add(n.asText()));
      if (detectors.isEmpty()) {
        throw new IllegalArgumentException("detectors: an empty list; leave it out for all, or write [none]");
      }
    }
    Map<String, String> params = new LinkedHashMap<>();
    JsonNode p = root.get("params");
    if (p != null && !p.isNull()) {
      if (!p.isObject()) {
        throw new IllegalArgumentException("params: expected detector-id: {key: value}");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> det = it.next();
        if (!det.getValue().isObject()) {
          throw new IllegalArgumentException("params." + det.getKey() + ": expected {key: value}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> kv = det.getValue().fields(); kv.hasNext(); ) {
          Map.Entry<String, JsonNode> e = kv.next();
          if (!e.getValue().isValueNode()) {
            throw new IllegalArgumentException("params." + det.getKey() + "." + e.getKey() + ": expected a value");
          }
          params.put(det.getKey() + "." + e.getKey(), e.getValue().asText());
        }
      }
    }
    List<Acceptance> accept = new ArrayList<>();
    JsonNode a = root.get("accept");
    if (a != null && !a.isNull()) {
      if (!a.isArray()) {
        throw new IllegalArgumentException("accept: expected a list of {detector, target, reason}");
      }
      int i = 0;
      for (JsonNode n : a) {
        if (!n.isObject() || !n.hasNonNull("detector")) {
          throw new IllegalArgumentException("accept[" + i + "]: expected {detector, target, reason} with a detector");
        }
        checkKeys(n, ACCEPT_KEYS, "accept[" + i + "].");
        accept.add(new Acceptance(
            n.get("detector").asText(),
            n.hasNonNull("target") ? n.get("target").asText() : null,
            n.hasNonNull("reason") ? n.get("reason").asText() : null));
        i++;
      }
    }
    return new CheckPolicy(failOn, List.copyOf(detectors), Map.copyOf(params), List.copyOf(accept));
  }

  private static void checkKeys(JsonNode node, Set<String> known, String prefix) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!known.contains(k)) {
        throw new IllegalArgumentException("unknown key '" + prefix + k + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  /** '*' matches any run of characters; everything else literally. */
  static Pattern glob(String pattern) {
    String[] parts = pattern.split("\\*", -1);
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        re.append(".*");
      }
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString());
  }
}
