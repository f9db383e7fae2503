package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.testing.Cli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * No verdict by chance: bench/GenerateBenign.java writes ordinary server stacks (random and
 * per-pair timestamp offsets, no timestamps, a load balancer stripping options on some SYN-ACKs,
 * random loss, Fast Open, ECN, server-side closes, port reuse), on many quiet listeners or on a
 * few busy ones. synscope must report nothing at low or above: every such finding would be a
 * false alarm on a CI gate.
 */
class BenignCapturesTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;

  @ParameterizedTest(name = "{0} connections on {1} listeners over {2} s")
  @CsvSource({"20000, 2000, 60, 3", "60000, 18, 120, 4"})
  void benignStacksGetNoFindingAtLowOrAbove(int connections, int listeners, int seconds, long seed) throws Exception {
    Path capture = dir.resolve("benign.pcap");
    String out = generate(connections, listeners, seconds, seed, capture);
    assertTrue(out.contains("connections=" + connections), out);
    Cli.Result r = Cli.run("analyze", capture.toString());
    assertEquals(0, r.exitCode(), r.stderr());
    JsonNode report = new ObjectMapper().readTree(r.stdout());
    assertEquals(connections, report.at("/summary/handshakes_completed").asLong(), "every handshake completes");
    assertEquals(connections, report.at("/summary/states/SF").asLong(), report.at("/summary/states").toString());
    List<String> alarms = new ArrayList<>();
    for (JsonNode f : report.get("findings")) {
      if (!f.get("severity").asText().equals("info")) {
        alarms.add(f.get("severity").asText() + " " + f.get("detector").asText() + " " + f.get("target").asText()
            + ": " + f.get("summary").asText());
      }
    }
    assertEquals(List.of(), alarms, "benign traffic, " + out);
  }

  private static String generate(int connections, int listeners, int seconds, long seed, Path out)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), ROOT.resolve("bench").resolve("GenerateBenign.java").toString(),
        "--connections", String.valueOf(connections), "--listeners", String.valueOf(listeners),
        "--seconds", String.valueOf(seconds), "--seed", String.valueOf(seed), "-o", out.toString())
        .redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), text);
    return text;
  }
}
