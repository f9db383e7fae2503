package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.detect.Detectors;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.Report;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark's tools, run as a user runs them: bench/GenerateCapture.java makes a small
 * capture and says what it wrote (connections by shape, segments by flag); synscope must count
 * the same, shape by shape where a shape has a conn_state of its own. bench/Stages.java must run
 * every stage over it. So the speed figures are measured on a capture synscope reads right, with
 * tools that still work.
 */
class BenchmarkCaptureTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  private static final Path BENCH = ROOT.resolve("bench");
  private static final int PACKETS = 60_000;
  private static final int CONNECTIONS = 6_000;

  @TempDir static Path dir;
  private static Path capture;
  private static Map<String, Long> generated;

  @BeforeAll
  static void generate() throws Exception {
    capture = dir.resolve("bench.pcap");
    String out = run(List.of(java(), BENCH.resolve("GenerateCapture.java").toString(),
        "--packets", String.valueOf(PACKETS), "--connections", String.valueOf(CONNECTIONS), "--seed", "7",
        "-o", capture.toString()));
    generated = new HashMap<>();
    // "normal=4,183 reset-closed-port=238 ... SYN=6,201 SYN-ACK=5,180 RST=600 FIN=8,770 ... connections=6000"
    Matcher m = Pattern.compile("([a-zA-Z-]+)=([0-9,]+)").matcher(out);
    while (m.find()) {
      generated.put(m.group(1), Long.parseLong(m.group(2).replace(",", "")));
    }
    assertEquals((long) PACKETS, generated.get("packets"), out);
  }

  @Test
  void synscopeCountsWhatTheGeneratorWrote() throws Exception {
    Report r;
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      // Some generated connections idle longer than the default 5 minutes (Zeek's inactivity
      // timeout) before they close, and like Zeek synscope then reports the close as a
      // connection of its own; tshark, with no timeout, counts one. An hour keeps them whole.
      FlowConfig flows = new FlowConfig(FlowConfig.DEFAULT_MAX_FLOWS, 75_000_000_000L, 3_600_000_000_000L, 60_000_000_000L);
      r = new Analyzer(new AnalysisOptions(flows, false, "test", "test"),
          Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    }
    assertEquals(generated.get("packets"), r.stats().packets());
    assertEquals(generated.get("packets"), r.stats().tcpPackets());
    assertEquals(generated.get("SYN"), r.stats().tcpFlags().syn());
    assertEquals(generated.get("SYN-ACK"), r.stats().tcpFlags().synack());
    assertEquals(generated.get("RST"), r.stats().tcpFlags().rst());
    assertEquals(generated.get("FIN"), r.stats().tcpFlags().fin());
    // Every connection has a 4-tuple of its own: no port reuse, one tracked connection each.
    assertEquals(generated.get("connections"), r.summary().connections());
    assertEquals(0, r.stats().portReuses());
    // SYN answered by RST from a closed port: REJ, and nothing else is.
    assertEquals(generated.get("reset-closed-port"), r.summary().states().getOrDefault("REJ", 0L));
    // SYN-ACK resent 1 s later, then completed: one retransmission each.
    assertEquals(generated.get("synack-retrans"), r.summary().synackRetransmissions());
    assertEquals(0, r.stats().anomalies().size(), "the generator writes well-formed packets");
    if (generated.get("syn-flood") > 0) {
      assertTrue(r.findings().stream().anyMatch(f -> f.detector().equals("syn-flood")), "the flood is found");
    }
  }

  @Test
  void stagesRunsEveryStage() throws Exception {
    String out = run(List.of(java(), "-cp", System.getProperty("java.class.path"), BENCH.resolve("Stages.java").toString(),
        "--rounds", "1", "--detectors", "syn-flood", capture.toString()));
    List<String> stages = new ArrayList<>();
    for (String line : out.split("\n")) {
      Matcher m = Pattern.compile("^(\\w+) +round 1: ([0-9,]+) frames in .* M frames/s").matcher(line);
      if (m.find()) {
        stages.add(m.group(1));
        assertEquals(PACKETS, Long.parseLong(m.group(2).replace(",", "")), line);
      }
    }
    assertEquals(List.of("read", "decode", "floor", "flow", "analyze"), stages, out);
    // The floor's table finds every 4-tuple (one per generated connection) and counts every packet.
    assertTrue(out.contains(String.format("(%,d 4-tuples, %,d packets counted)", CONNECTIONS, PACKETS)), out);
    assertTrue(out.contains("(1 detectors,"), out);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + out);
    return out;
  }
}
