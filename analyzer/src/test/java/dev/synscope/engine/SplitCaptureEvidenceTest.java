package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.testing.Cli;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A capture split into two files (as tcpdump -C/-G rotates them) must name each evidence packet
 * by the file it is in: packet numbers restart in every input, so a connection that spans the
 * cut has packets in the first input and packets in the second.
 */
class SplitCaptureEvidenceTest {
  private static final Path SAMPLE = Path.of("..", "samples", "accept-overflow-abort.pcap");
  private static final int CUT = 60; // the first file keeps packets 1..60

  @TempDir Path dir;

  @Test
  void evidencePacketsAreNamedByTheInputTheyAreIn() throws IOException {
    byte[] whole = Files.readAllBytes(SAMPLE);
    List<byte[]> parts = split(whole, CUT);
    Path first = Files.write(dir.resolve("part-1.pcap"), parts.get(0));
    Path second = Files.write(dir.resolve("part-2.pcap"), parts.get(1));

    Map<String, JsonNode> single = evidenceByUid(analyze(SAMPLE));
    Map<String, JsonNode> split = evidenceByUid(analyze(first, second));
    assertEquals(single.keySet(), split.keySet());

    int spanning = 0;
    for (Map.Entry<String, JsonNode> e : single.entrySet()) {
      JsonNode one = e.getValue();
      JsonNode two = split.get(e.getKey());
      assertEquals(0, one.path("input").asInt());
      assertFalse(one.has("frames_in_later_inputs"), "one input: no later inputs");
      List<Long> expectedFirst = new ArrayList<>();
      List<String> expectedLater = new ArrayList<>();
      // A connection that starts after the cut lives in the second input: its packet numbers
      // count there, and it has no later input.
      boolean startsLater = two.path("input").asInt() == 1;
      for (JsonNode f : one.path("frames")) {
        long n = f.asLong();
        if (startsLater) {
          assertTrue(n > CUT, e.getKey() + ": a packet before the cut in a connection that starts after it");
          expectedFirst.add(n - CUT);
        } else if (n <= CUT) {
          expectedFirst.add(n);
        } else {
          expectedLater.add("1:" + (n - CUT));
        }
      }
      List<Long> actualFirst = new ArrayList<>();
      two.path("frames").forEach(f -> actualFirst.add(f.asLong()));
      List<String> actualLater = new ArrayList<>();
      two.path("frames_in_later_inputs").forEach(f -> actualLater.add(f.path("input").asInt() + ":" + f.path("frame").asLong()));
      assertEquals(expectedFirst, actualFirst, e.getKey());
      assertEquals(expectedLater, actualLater, e.getKey());
      if (!expectedFirst.isEmpty() && !expectedLater.isEmpty()) {
        spanning++;
      }
    }
    assertTrue(spanning > 0, "the cut must fall inside at least one evidence connection");
  }

  private JsonNode analyze(Path... inputs) throws IOException {
    List<String> args = new ArrayList<>(List.of("analyze", "-o", dir.resolve("r.json").toString()));
    for (Path p : inputs) args.add(p.toString());
    Cli.Result run = Cli.run(args.toArray(new String[0]));
    assertEquals(0, run.exitCode(), run.stderr());
    return new ObjectMapper().readTree(dir.resolve("r.json").toFile());
  }

  private static Map<String, JsonNode> evidenceByUid(JsonNode report) {
    Map<String, JsonNode> out = new HashMap<>();
    for (JsonNode finding : report.path("findings")) {
      for (JsonNode ev : finding.path("evidence")) {
        out.put(finding.path("detector").asText() + "/" + ev.path("uid").asText(), ev);
      }
    }
    assertFalse(out.isEmpty(), "the sample must have evidence");
    return out;
  }

  /** Splits a classic pcap after {@code keep} records: two files with the same global header. */
  private static List<byte[]> split(byte[] pcap, int keep) {
    ByteBuffer b = ByteBuffer.wrap(pcap);
    int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    b.order(magic == 0xa1b2c3d4 || magic == 0xa1b23c4d ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int at = 24;
    for (int i = 0; i < keep; i++) {
      at += 16 + b.getInt(at + 8);
    }
    byte[] one = java.util.Arrays.copyOfRange(pcap, 0, at);
    byte[] two = new byte[24 + pcap.length - at];
    System.arraycopy(pcap, 0, two, 0, 24);
    System.arraycopy(pcap, at, two, 24, pcap.length - at);
    return List.of(one, two);
  }
}
