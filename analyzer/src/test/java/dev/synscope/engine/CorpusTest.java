package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.InputSummary;
import dev.synscope.capture.RawFrame;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.Report;
import dev.synscope.testing.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every capture of the shared corpus ({@code ../shared/corpus}, described by its README and
 * {@code expected.json}) is analysed in-process and compared with the figures tshark computed
 * independently. All figures are compared exactly: where synscope and the oracle legitimately
 * differ, the comparison is made on equal terms (see {@link #oracleTerms}) rather than loosened.
 */
class CorpusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MALFORMED = "malformed";

  @TempDir static Path tmp;

  static Path corpusDir() {
    return Path.of(System.getProperty("synscope.root", "."), "..", "shared", "corpus").normalize();
  }

  @TestFactory
  Stream<DynamicTest> everyCorpusFileAgreesWithTheOracle() throws IOException {
    Path dir = corpusDir();
    Path expectedJson = dir.resolve("expected.json");
    if (!Files.isRegularFile(expectedJson)) {
      String why = "corpus not found (" + expectedJson + "): corpus comparison skipped";
      return Stream.of(DynamicTest.dynamicTest("corpus", () -> Assumptions.abort(why)));
    }
    JsonNode files = JSON.readTree(expectedJson.toFile()).path("files");
    assertTrue(files.isArray() && files.size() > 0, "expected.json lists no files");
    List<DynamicTest> tests = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (JsonNode entry : files) {
      String name = entry.path("file").asText();
      Path capture = dir.resolve(name);
      if (!Files.isRegularFile(capture)) {
        missing.add(name);
        tests.add(DynamicTest.dynamicTest(name + " (missing)",
            () -> Assumptions.abort(name + " is listed in expected.json but missing from " + dir)));
        continue;
      }
      tests.add(DynamicTest.dynamicTest(entry.path("category").asText() + ": " + name, () -> check(capture, entry)));
    }
    if (!missing.isEmpty()) {
      System.err.println("CorpusTest: " + missing.size() + " file(s) listed in expected.json are missing: " + missing);
    }
    return tests.stream();
  }

  /** One run of the command line: exit code, the report (when written), stderr. */
  record Run(int exitCode, JsonNode report, String stderr) {}

  static Run analyze(Path capture) throws IOException {
    Path out = Files.createTempFile(tmp, capture.getFileName().toString(), ".json");
    Files.delete(out);
    Cli.Result result = Cli.run("analyze", capture.toString(), "--connections", "-o", out.toString());
    JsonNode report = Files.exists(out) ? JSON.readTree(out.toFile()) : null;
    return new Run(result.exitCode(), report, result.stderr());
  }

  private static void check(Path capture, JsonNode entry) throws IOException {
    Run run = analyze(capture);
    String name = capture.getFileName().toString();
    assertNotEquals(4, run.exitCode(), name + ": internal error: " + run.stderr());
    assertFalse(run.stderr().contains("\tat ") || run.stderr().contains("Exception"),
        name + ": stack trace or exception name on stderr: " + run.stderr());
    if (MALFORMED.equals(entry.path("category").asText())) {
      checkRobustness(name, run);
      return;
    }
    assertEquals(0, run.exitCode(), name + ": " + run.stderr());
    assertEquals("", run.stderr(), name + ": a readable capture prints nothing on stderr");
    JsonNode expected = entry.path("expected");
    if (damagedMidFile(run.report())) {
      // synscope resynchronises after a corrupt record and reads on; tshark (and libpcap) stop
      // there, so the oracle's figures are those of the frames before the damage.
      Report prefix = oracleTerms(capture);
      JsonNode prefixJson = JsonReportWriter.mapper().valueToTree(prefix);
      compare(name + " (frames before the damage)", expected, figures(prefixJson));
      Map<String, Long> full = figures(run.report());
      Map<String, Long> before = figures(prefixJson);
      assertAll(before.keySet().stream().map(k -> (Executable) () -> assertTrue(full.get(k) >= before.get(k),
          name + ": reading past the damage cannot lose " + k)));
      assertTrue(full.get("packets") > before.get("packets"), name + ": frames after the damage were recovered");
    } else {
      compare(name, expected, figures(run.report()));
    }
  }

  /**
   * Malformed inputs: never a crash. Either exit 0 with the damage visible in the report (a
   * warning, an anomaly, an unsupported link type, or simply no packets), or exit 3 with one line.
   */
  private static void checkRobustness(String name, Run run) {
    if (run.exitCode() == 3) {
      String err = run.stderr().strip();
      assertFalse(err.isEmpty(), name + ": exit 3 without a message");
      assertFalse(err.contains("\n"), name + ": the error is one line: " + err);
      assertTrue(err.startsWith("synscope: "), name + ": " + err);
      return;
    }
    assertEquals(0, run.exitCode(), name + ": exit code " + run.exitCode() + ": " + run.stderr());
    JsonNode r = run.report();
    assertTrue(r != null && r.path("stats").isObject(), name + ": exit 0 must leave a report");
    JsonNode stats = r.path("stats");
    boolean visible = r.path("warnings").size() > 0
        || stats.path("anomalies").size() > 0
        || stats.path("unsupported_link_types").size() > 0
        || stats.path("packets").asLong() == 0;
    assertTrue(visible, name + ": partial result must say what was wrong: " + r);
  }

  /** Whether a reader had to skip damage in the middle of an input (and then read on). */
  private static boolean damagedMidFile(JsonNode report) {
    for (JsonNode input : report.path("inputs")) {
      for (JsonNode w : input.path("warnings")) {
        String text = w.asText();
        if (text.startsWith("corrupt record") || text.startsWith("corrupt block")) {
          if (!text.contains("no readable")) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The analysis of the frames before the first mid-file damage, which is what the oracle saw. */
  static Report oracleTerms(Path capture) throws IOException {
    AnalysisOptions options = new AnalysisOptions(FlowConfig.defaults(), true, "test", "2000-01-01T00:00:00Z");
    try (CaptureSource source = new StopAtFirstWarning(
        FileCaptureSource.open(List.of(capture.toString()), InputStream.nullInputStream()))) {
      return new Analyzer(options, List.of()).run(source, () -> false, List.of());
    }
  }

  /** Ends the stream at the first frame read after a reader reported damage. */
  private static final class StopAtFirstWarning implements CaptureSource {
    private final CaptureSource in;
    private boolean stopped;

    StopAtFirstWarning(CaptureSource in) {
      this.in = in;
    }

    @Override
    public boolean next(RawFrame frame) throws IOException {
      if (stopped || !in.next(frame)) {
        return false;
      }
      for (InputSummary s : in.inputs()) {
        if (!s.warnings().isEmpty()) {
          stopped = true;
          return false;
        }
      }
      return true;
    }

    @Override
    public List<InputSummary> inputs() {
      return in.inputs();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** synscope's figures under the oracle's names. */
  static Map<String, Long> figures(JsonNode report) {
    JsonNode stats = report.path("stats");
    JsonNode flags = stats.path("tcp_flags");
    JsonNode summary = report.path("summary");
    Map<String, Long> f = new LinkedHashMap<>();
    f.put("packets", stats.path("packets").asLong(-1));
    // The oracle's base filter leaves out TCP headers quoted in ICMP errors; synscope does not
    // decode ICMP payloads at all, so the two agree without a tolerance.
    f.put("tcp_packets", stats.path("tcp_packets").asLong(-1));
    f.put("syn_packets", flags.path("syn").asLong(-1));
    f.put("synack_packets", flags.path("synack").asLong(-1));
    f.put("rst_packets", flags.path("rst").asLong(-1));
    f.put("fin_packets", flags.path("fin").asLong(-1));
    f.put("tcp_4tuples", (long) distinct4Tuples(report.path("connections")));
    // handshakes_strict is sequence-checked like synscope's handshake test (SYN, SYN-ACK acking
    // it, ACK acking the SYN-ACK, TFO data allowed); tshark's completeness count is not used.
    f.put("handshakes_strict", summary.path("handshakes_completed").asLong(-1));
    f.put("self_connection_streams", summary.path("self_connections").asLong(-1));
    return f;
  }

  private static int distinct4Tuples(JsonNode connections) {
    Set<String> tuples = new HashSet<>();
    for (JsonNode c : connections) {
      String a = c.path("orig_h").asText() + "|" + c.path("orig_p").asInt();
      String b = c.path("resp_h").asText() + "|" + c.path("resp_p").asInt();
      tuples.add(a.compareTo(b) <= 0 ? a + "<>" + b : b + "<>" + a);
    }
    return tuples.size();
  }

  private static void compare(String name, JsonNode expected, Map<String, Long> actual) {
    List<Executable> checks = new ArrayList<>();
    for (Map.Entry<String, Long> e : actual.entrySet()) {
      JsonNode want = expected.path(e.getKey());
      if (want.isMissingNode() || want.isNull()) {
        continue; // a figure the oracle did not give for this file
      }
      checks.add(() -> assertEquals(want.asLong(), e.getValue(), name + ": " + e.getKey()));
    }
    assertFalse(checks.isEmpty(), name + ": expected.json gives no figure to compare");
    assertAll(name, checks);
  }
}
