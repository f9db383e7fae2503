package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks synscope exists to explain must not exhaust its heap: small versions of the
 * adversarial captures of bench/GenerateAdversarial.java, analysed by `synscope analyze` in a
 * child JVM with a 48 MB heap. The flow capacity the default budget gives such a heap (about
 * 48 000 connections) holds only if a connection costs what {@code MemoryBudget.FLOW_BYTES} says:
 * a regression in per-connection memory ends these runs in an OutOfMemoryError (exit 4).
 */
class BoundedMemoryTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  private static final Path GENERATOR = ROOT.resolve("bench").resolve("GenerateAdversarial.java");
  private static final String HEAP = "-Xmx48m";

  @TempDir Path dir;

  @org.junit.jupiter.params.ParameterizedTest(name = "--threads {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {2, 4})
  void aSpoofedFloodFourTimesTheFlowCapacityIsFoundWithExactCounts(int threads) throws Exception {
    // Two threads: the flow stage runs ahead of the detectors; four: a reader and two flow shards
    // that share the one budget (each holds half the connections).
    JsonNode r = analyze(generate("flood", "--syns", "200000", "--answer-every", "10", "--legit", "5"), threads);
    JsonNode flood = only(r, "syn-flood");
    assertEquals("198.19.255.1:80", flood.get("target").asText());
    JsonNode m = flood.get("metrics");
    // Counted on arrival: exact, however many connections the table had to evict.
    assertEquals(200_005, m.get("attempts").asLong());
    assertEquals(5, m.get("completed").asLong());
    assertEquals(20_005, m.get("synacks").asLong());
    JsonNode flows = r.get("stats").get("state").get("flows");
    assertTrue(flows.get("evicted").asLong() > 100_000, flows.toString());
    assertEquals(flows.get("cap").asLong(), flows.get("peak").asLong());
    assertTrue(flows.get("emergencies").size() >= 1, "the table ran in emergency mode: " + flows);
    assertTrue(r.get("warnings").toString().contains("emergency mode"), r.get("warnings").toString());
  }

  @Test
  void aScanOfDistinctTargetsIsNoFloodAndKeepsEachProbeWhole() throws Exception {
    JsonNode r = analyze(generate("scan", "--syns", "100000"));
    for (JsonNode f : r.get("findings")) {
      assertTrue(!f.get("detector").asText().equals("syn-flood"), "a scan is not a flood: " + f);
    }
    // One connection per probe, every one refused: none split by an eviction between SYN and RST.
    assertEquals(100_000, r.get("summary").get("connections").asLong());
    assertEquals(100_000, r.get("summary").get("states").get("REJ").asLong());
    JsonNode listeners = r.get("stats").get("state").get("syn-flood.listeners");
    assertTrue(listeners.get("evicted").asLong() > 0, "the listener table is bounded: " + listeners);
    assertTrue(listeners.get("peak").asLong() <= listeners.get("cap").asLong(), listeners.toString());
  }

  @Test
  void openConnectionsWithinTheCapacityAreAllTracked() throws Exception {
    JsonNode r = analyze(generate("open", "--connections", "25000"));
    assertEquals(25_000, r.get("summary").get("connections").asLong());
    assertEquals(25_000, r.get("summary").get("states").get("S1").asLong());
    assertEquals(0, r.get("stats").get("state").get("flows").get("evicted").asLong());
    assertEquals(0, r.get("findings").size(), r.get("findings").toString());
  }

  private Path generate(String shape, String... args) throws Exception {
    Path capture = dir.resolve(shape + ".pcap");
    List<String> cmd = new ArrayList<>(List.of(java(), GENERATOR.toString(), "--shape", shape));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--seed", "3", "-o", capture.toString()));
    run(cmd, 0);
    return capture;
  }

  private JsonNode analyze(Path capture) throws Exception {
    // Two threads: the flow stage runs ahead of the detectors, within the same budget.
    return analyze(capture, 2);
  }

  private JsonNode analyze(Path capture, int threads) throws Exception {
    Path out = dir.resolve(capture.getFileName() + "." + threads + ".json");
    run(List.of(java(), HEAP, "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
        "dev.synscope.cli.Main", "analyze", "--threads", String.valueOf(threads), "-o", out.toString(),
        capture.toString()), 0);
    return new ObjectMapper().readTree(out.toFile());
  }

  private static JsonNode only(JsonNode report, String detector) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals(detector)) {
        found.add(f);
      }
    }
    assertEquals(1, found.size(), detector + " findings: " + found);
    return found.get(0);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static void run(List<String> command, int expectedExit) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "still running: " + String.join(" ", command));
    assertEquals(expectedExit, p.exitValue(), String.join(" ", command) + "\n" + out);
  }
}
