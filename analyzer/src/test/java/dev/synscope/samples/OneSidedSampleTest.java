package dev.synscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real-kernel mixed sample as a span port that sees only the clients' direction (every frame
 * the server 10.77.0.1 sent is dropped): the handshakes it cannot show were answered, and only
 * what the visible side proves is reported.
 */
class OneSidedSampleTest {
  private static final byte[] SERVER = {10, 77, 0, 1};

  @Test
  void theClientsDirectionAloneKeepsTheFloodAndAddsNoFalseOne(@TempDir Path dir) throws IOException {
    Path mixed = SampleCaptures.samples().resolve("mixed.pcap");
    Path oneSided = dir.resolve("mixed-clients-only.pcap");
    int dropped = keepFrames(mixed, oneSided);
    assertTrue(dropped > 1000, "dropped " + dropped);

    JsonNode both = SampleCaptures.analyze(mixed);
    JsonNode one = SampleCaptures.analyze(oneSided);
    long handshakes = both.at("/summary/handshakes_completed").asLong();
    assertEquals(33, handshakes);
    assertEquals(0, one.at("/summary/handshakes_completed").asLong(), "no handshake is visible");
    // Every handshake the two-sided capture shows is one the one-sided capture proves answered.
    assertEquals(handshakes, one.at("/summary/answered_unseen").asLong());
    // The census counts the connections whose one visible side sent more than its SYNs: the 33
    // handshakes and nothing of the flood (bare SYNs are attempts, silent or not).
    assertEquals(33, one.at("/summary/one_direction").asLong());
    assertTrue(one.get("warnings").toString().contains("one direction only of 33 connection(s)"), one.get("warnings").toString());
    assertTrue(both.at("/summary/answered_unseen").isMissingNode(), "absent when both directions are there");
    assertTrue(both.at("/summary/one_direction").isMissingNode());

    List<String> verdicts = new ArrayList<>();
    for (JsonNode f : one.get("findings")) {
      verdicts.add(f.get("detector").asText() + " " + f.get("target").asText());
    }
    // The spoofed flood on 8443 is still a flood: its SYNs are never ACKed. Nothing else is:
    // the accept-queue RSTs and the cookie SYN-ACKs came from the server, which this tap misses.
    assertEquals(List.of("syn-flood 10.77.0.1:8443"), verdicts);
    JsonNode flood = one.get("findings").get(0);
    assertEquals(both.at("/findings").findValue("attempts"), flood.at("/metrics/attempts"));
  }

  /** Copies a classic Ethernet pcap without the frames whose IPv4 source is the server. */
  private static int keepFrames(Path in, Path out) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0xa1b2c3d4, b.getInt(0), "a little-endian classic pcap");
    ByteBuffer o = ByteBuffer.allocate(b.capacity()).order(ByteOrder.LITTLE_ENDIAN);
    o.put(b.array(), 0, 24);
    int dropped = 0;
    for (int pos = 24; pos + 16 <= b.limit(); ) {
      int captured = b.getInt(pos + 8);
      int frame = pos + 16;
      boolean ipv4 = captured >= 34 && (b.get(frame + 12) & 0xff) == 0x08 && b.get(frame + 13) == 0x00;
      boolean fromServer = ipv4 && b.get(frame + 26) == SERVER[0] && b.get(frame + 27) == SERVER[1]
          && b.get(frame + 28) == SERVER[2] && b.get(frame + 29) == SERVER[3];
      if (fromServer) {
        dropped++;
      } else {
        o.put(b.array(), pos, 16 + captured);
      }
      pos = frame + captured;
    }
    Files.write(out, java.util.Arrays.copyOf(o.array(), o.position()));
    return dropped;
  }
}
