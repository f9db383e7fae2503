package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.report.SarifSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** {@code synscope check} in-process: exit codes, policy, SARIF and JUnit files. */
class CheckCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  /** A recorded accept-queue overflow: the detectors report at least one finding on it. */
  static final Path FINDING_SAMPLE = ROOT.resolve("samples/accept-overflow-drop.pcap");
  /** A clean three-way handshake (shared corpus). */
  static final Path CLEAN = ROOT.resolve("../shared/corpus/chrissanders-tcp_handshake.pcapng").normalize();

  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** The findings' detectors on the sample (so the tests follow the detectors as they evolve). */
  static JsonNode findings(Path capture) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"analyze", capture.toString()}, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
    assertEquals(0, code);
    return JSON.readTree(out.toByteArray()).get("findings");
  }

  @BeforeAll
  static void samplesPresent() {
    assumeTrue(Files.exists(FINDING_SAMPLE), "sample missing: " + FINDING_SAMPLE);
  }

  @Test
  void cleanHandshakePasses() {
    assumeTrue(Files.exists(CLEAN), "corpus capture missing: " + CLEAN);
    Run r = run("check", CLEAN.toString());
    assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("synscope check: PASS: no finding at or above medium"), r.out());
  }

  @Test
  void findingAtOrAboveFailOnExitsOneAndWritesSarifAndJunit() throws Exception {
    JsonNode findings = findings(FINDING_SAMPLE);
    assumeTrue(findings.size() > 0, "no detector fires on " + FINDING_SAMPLE);
    Path sarif = tmp.resolve("out/synscope.sarif");
    Files.createDirectories(sarif.getParent());
    Path junit = tmp.resolve("out/junit.xml");
    Path reports = tmp.resolve("reports");
    Run r = run("check", "--fail-on", "info", "--sarif", sarif.toString(), "--junit", junit.toString(),
        "--format", "json,html", "-o", reports.toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.FINDINGS, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("synscope check: FAIL: " + findings.size() + " finding"), r.out());
    for (JsonNode f : findings) {
      assertTrue(r.out().contains(f.get("detector").asText()), "verdict lists " + f.get("detector"));
    }
    JsonNode s = JSON.readTree(sarif.toFile());
    SarifSchema.assertValid(s);
    assertEquals(findings.size(), s.at("/runs/0/results").size());
    assertTrue(s.at("/runs/0/artifacts/0/location/uri").asText().endsWith("accept-overflow-drop.pcap"));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    assertEquals(findings.size(), doc.getElementsByTagName("failure").getLength());
    assertTrue(Files.size(reports.resolve("accept-overflow-drop.json")) > 0);
    String html = Files.readString(reports.resolve("accept-overflow-drop.html"));
    assertTrue(html.contains("check --fail-on info would fail (exit 1)"), "the page shows the check's own gate");
  }

  @Test
  void failOnAboveEveryFindingPasses() throws IOException {
    JsonNode findings = findings(FINDING_SAMPLE);
    boolean critical = false;
    for (JsonNode f : findings) {
      critical |= f.get("severity").asText().equals("critical");
    }
    assumeTrue(!critical, "the sample has a critical finding");
    Run r = run("check", "--fail-on", "critical", FINDING_SAMPLE.toString());
    assertEquals(ExitCode.OK, r.code(), r.out());
    assertTrue(r.out().contains("PASS: no finding at or above critical"), r.out());
  }

  @Test
  void yamlPolicyAcceptsKnownFindings() throws IOException {
    JsonNode findings = findings(FINDING_SAMPLE);
    assumeTrue(findings.size() > 0, "no detector fires on " + FINDING_SAMPLE);
    StringBuilder yaml = new StringBuilder("fail_on: info\naccept:\n");
    for (JsonNode f : findings) {
      yaml.append("  - detector: ").append(f.get("detector").asText()).append('\n')
          .append("    target: \"").append(f.get("target").asText().replaceAll(":\\d+$", ":*")).append("\"\n")
          .append("    reason: known overload in the soak test\n");
    }
    yaml.append("  - detector: syn-flood\n    target: 192.0.2.1:1\n");
    Path policy = tmp.resolve("policy.yaml");
    Files.writeString(policy, yaml);
    Path sarif = tmp.resolve("s.sarif");
    Run r = run("check", "--policy", policy.toString(), "--sarif", sarif.toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("accepted by policy: known overload in the soak test"), r.out());
    assertTrue(r.out().contains("note: policy accepts 'syn-flood 192.0.2.1:1', which matched no finding"), r.out());
    JsonNode s = JSON.readTree(sarif.toFile());
    SarifSchema.assertValid(s);
    assertEquals("accepted", s.at("/runs/0/results/0/suppressions/0/status").asText());
    // --fail-on on the command line wins over the policy's fail_on; acceptance still holds.
    assertEquals(ExitCode.OK, run("check", "--policy", policy.toString(), "--fail-on", "low", FINDING_SAMPLE.toString()).code());
  }

  @Test
  void jsonPolicySetsDetectorsAndThresholds() throws IOException {
    Set<String> detectors = new LinkedHashSet<>();
    for (JsonNode f : findings(FINDING_SAMPLE)) {
      detectors.add(f.get("detector").asText());
    }
    assumeTrue(!detectors.isEmpty(), "no detector fires on " + FINDING_SAMPLE);
    // Running only a detector that stays quiet on the sample passes.
    List<String> quiet = new ArrayList<>();
    for (dev.synscope.detect.Detectors.Entry e : dev.synscope.detect.Detectors.all()) {
      if (!detectors.contains(e.id())) {
        quiet.add('"' + e.id() + '"');
      }
    }
    assumeTrue(!quiet.isEmpty());
    Path policy = tmp.resolve("policy.json");
    Files.writeString(policy, "{\"fail_on\": \"info\", \"detectors\": [" + String.join(", ", quiet) + "]}");
    Run r = run("check", "--policy", policy.toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.OK, r.code(), r.out() + r.err());
    // A parameter the detector does not know is a usage error, as with --param.
    Files.writeString(policy, "{\"params\": {\"" + detectors.iterator().next() + "\": {\"no_such_key\": 3}}}");
    Run bad = run("check", "--policy", policy.toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.USAGE, bad.code(), bad.err());
    assertTrue(bad.err().contains("no_such_key"), bad.err());
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    String capture = FINDING_SAMPLE.toString();
    assertEquals(ExitCode.USAGE, run("check", "--fail-on", "severe", capture).code());
    assertEquals(ExitCode.USAGE, run("check").code());
    Run fmt = run("check", "--format", "html", capture);
    assertEquals(ExitCode.USAGE, fmt.code());
    assertTrue(fmt.err().contains("-o"), fmt.err());
    Path policy = tmp.resolve("p.yaml");
    Files.writeString(policy, "fail_on: high\nacept: []\n");
    Run typo = run("check", "--policy", policy.toString(), capture);
    assertEquals(ExitCode.USAGE, typo.code());
    assertTrue(typo.err().contains("unknown key 'acept'"), typo.err());
    Files.writeString(policy, "accept: [ {detector: x\n");
    assertEquals(ExitCode.USAGE, run("check", "--policy", policy.toString(), capture).code());
    Files.writeString(policy, "fail_on: sometimes\n");
    assertEquals(ExitCode.USAGE, run("check", "--policy", policy.toString(), capture).code());
    // An empty list would silently mean "all": it is refused, [none] says what it means.
    Files.writeString(policy, "detectors: []\n");
    Run empty = run("check", "--policy", policy.toString(), capture);
    assertEquals(ExitCode.USAGE, empty.code());
    assertTrue(empty.err().contains("write [none]"), empty.err());
    Run emptyOption = run("check", "--detectors", "", capture);
    assertEquals(ExitCode.USAGE, emptyOption.code());
    assertTrue(emptyOption.err().contains("--detectors needs detector ids, or none"), emptyOption.err());
  }

  @Test
  void detectorsNoneTracksConnectionsAndJudgesNothing() throws IOException {
    Path out = tmp.resolve("none.json");
    Run r = run("analyze", "--detectors", "none", "-o", out.toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.OK, r.code(), r.err());
    com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toFile());
    assertEquals(0, report.path("findings").size());
    assertTrue(report.path("summary").path("connections").asLong() > 0);
    Path policy = tmp.resolve("none.yaml");
    Files.writeString(policy, "detectors: [none]\n");
    assertEquals(ExitCode.OK, run("check", "--policy", policy.toString(), FINDING_SAMPLE.toString()).code(),
        "no detector, no finding: the gate passes");
  }

  @Test
  void missingInputsExitThree() {
    assertEquals(ExitCode.INPUT, run("check", tmp.resolve("nope.pcap").toString()).code());
    Run r = run("check", "--policy", tmp.resolve("nope.yaml").toString(), FINDING_SAMPLE.toString());
    assertEquals(ExitCode.INPUT, r.code());
    assertTrue(r.err().contains("policy file not found"), r.err());
  }

  @Test
  void helpListsTheGateOptions() {
    Run r = run("check", "--help");
    assertEquals(ExitCode.OK, r.code());
    for (String o : List.of("--fail-on", "--policy", "--sarif", "--junit", "--format")) {
      assertTrue(r.out().contains(o), o);
    }
    assertTrue(run("--help").out().contains("check"));
  }

  @Test
  void policyGlobMatchesTargets() {
    assertTrue(CheckPolicy.glob("10.0.0.1:*").matcher("10.0.0.1:80").matches());
    assertTrue(CheckPolicy.glob("*:443").matcher("[fd00::1]:443").matches());
    assertFalse(CheckPolicy.glob("10.0.0.1:8*").matcher("10.0.0.11:80").matches());
    assertTrue(CheckPolicy.glob("[fd00::1]:443").matcher("[fd00::1]:443").matches(), "brackets are literal");
  }
}
