package dev.synscope.engine;

import static dev.synscope.testing.FrameBuilder.ACK;
import static dev.synscope.testing.FrameBuilder.FIN;
import static dev.synscope.testing.FrameBuilder.PSH;
import static dev.synscope.testing.FrameBuilder.RST;
import static dev.synscope.testing.FrameBuilder.SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.testing.Cli;
import dev.synscope.testing.FrameBuilder;
import dev.synscope.testing.PcapWriter;
import dev.synscope.testing.PcapngWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic captures through the whole pipeline (reader, decoder, flow table, report). */
class AnalyzerTest {
  private static final long MS = 1_000_000L;
  private static final long T = 1_700_000_000_000_000_000L;

  @TempDir Path dir;

  private static FrameBuilder c2s() {
    return FrameBuilder.tcp().ipv4("10.0.0.1", "10.0.0.2").ports(40000, 80);
  }

  private static FrameBuilder s2c() {
    return FrameBuilder.tcp().ipv4("10.0.0.2", "10.0.0.1").ports(80, 40000);
  }

  private JsonNode analyze(Path... inputs) throws IOException {
    List<String> args = new ArrayList<>(List.of("analyze"));
    for (Path p : inputs) args.add(p.toString());
    Path out = dir.resolve("report.json");
    args.addAll(List.of("--connections", "-o", out.toString()));
    Cli.Result run = Cli.run(args.toArray(new String[0]));
    assertEquals(0, run.exitCode(), run.stderr());
    assertEquals("", run.stderr());
    return new ObjectMapper().readTree(out.toFile());
  }

  @Test
  void connectionStateCarriesAcrossFiles() throws IOException {
    Path first = PcapWriter.micro(1).add(T, c2s().seq(100).flags(SYN).mss(1460).build()).write(dir.resolve("1.pcap"));
    Path second = PcapngWriter.create(true).iface(1, 9, 0, 0)
        .epb(0, T + 3 * MS, s2c().seq(900).ack(101).flags(SYN | ACK).build())
        .epb(0, T + 4 * MS, c2s().seq(101).ack(901).flags(ACK).build())
        .write(dir.resolve("2.pcapng"));
    JsonNode r = analyze(first, second);
    assertEquals(3, r.path("stats").path("packets").asLong());
    assertEquals(1, r.path("summary").path("connections").asLong());
    assertEquals(1, r.path("summary").path("handshakes_completed").asLong());
    JsonNode c = r.path("connections").get(0);
    assertEquals("ShA", c.path("history").asText());
    assertEquals("10.0.0.1", c.path("orig_h").asText());
    assertEquals(3.0, c.path("rtt").path("syn_to_synack").asDouble(), 1e-9);
    assertEquals(2, r.path("inputs").size());
  }

  @Test
  void oneConnectionSeenOnInterfacesOfDifferentLinkTypes() throws IOException {
    // tcpdump -i any writes SLL2; the same 4-tuple may also appear on an Ethernet and a RAW tun.
    Path p = PcapngWriter.create(false)
        .iface(FrameBuilder.LINKTYPE_LINUX_SLL2).iface(FrameBuilder.LINKTYPE_ETHERNET).iface(FrameBuilder.LINKTYPE_RAW)
        .epb(0, T, c2s().sll2().seq(1).flags(SYN).build())
        .epb(1, T + MS, s2c().vlan(7).seq(50).ack(2).flags(SYN | ACK).build())
        .epb(2, T + 2 * MS, c2s().raw().seq(2).ack(51).flags(ACK | PSH).payload(10).build())
        .epb(1, T + 3 * MS, s2c().seq(51).ack(12).flags(RST | ACK).build())
        .write(dir.resolve("any.pcapng"));
    JsonNode r = analyze(p);
    JsonNode flags = r.path("stats").path("tcp_flags");
    assertEquals(1, flags.path("syn").asLong());
    assertEquals(1, flags.path("synack").asLong());
    assertEquals(1, flags.path("rst").asLong());
    assertEquals(0, flags.path("fin").asLong());
    assertEquals(1, r.path("summary").path("connections").asLong());
    assertEquals("RSTR", r.path("connections").get(0).path("conn_state").asText());
    assertEquals(3, r.path("inputs").get(0).path("link_types").size());
  }

  @Test
  void nonTcpAndDamagedFramesAreCountedNotFatal() throws IOException {
    Path p = PcapWriter.micro(1)
        .add(T, c2s().seq(1).flags(SYN).build())
        .add(T + MS, c2s().protocol(17).transport(new byte[12]).build())
        .add(T + 2 * MS, FrameBuilder.cut(c2s().build(), 30))
        .add(T + 3 * MS, c2s().dataOffset(3).build())
        .add(T + 4 * MS, c2s().seq(2).flags(FIN | ACK).build())
        .write(dir.resolve("mixed.pcap"));
    JsonNode r = analyze(p);
    JsonNode stats = r.path("stats");
    assertEquals(5, stats.path("packets").asLong());
    assertEquals(2, stats.path("tcp_packets").asLong());
    assertEquals(3, stats.path("non_tcp_packets").asLong());
    assertEquals(1, stats.path("skipped").path("udp").asLong());
    assertEquals(1, stats.path("anomalies").path("truncated_ipv4_header").asLong());
    assertEquals(1, stats.path("anomalies").path("bad_tcp_data_offset").asLong());
    assertEquals(1, stats.path("tcp_flags").path("fin").asLong());
  }

  @Test
  void truncatedGzipStillGivesAReportWithAWarning() throws IOException {
    PcapWriter w = PcapWriter.micro(1);
    for (int i = 0; i < 300; i++) {
      w.add(T + i * MS, FrameBuilder.tcp().ports(1000 + i, 80).seq(i * 7919L).flags(SYN).payload(300).build());
    }
    byte[] gz = PcapWriter.gzip(w.bytes());
    Path p = PcapWriter.writeBytes(dir.resolve("cut.pcap.gz"), Arrays.copyOf(gz, gz.length / 2));
    JsonNode r = analyze(p);
    long packets = r.path("stats").path("packets").asLong();
    assertTrue(packets > 0 && packets < 300, "frames before the cut: " + packets);
    assertEquals(packets, r.path("stats").path("tcp_flags").path("syn").asLong());
    assertTrue(r.path("warnings").toString().contains("compressed data ends early"), r.path("warnings").toString());
  }

  @Test
  void aCaptureOfSynsOnlyIsSaidToMaybeLackItsAnswers() throws IOException {
    PcapWriter synsOnly = PcapWriter.micro(1);
    for (int i = 0; i < 12; i++) {
      synsOnly.add(T + i * MS, FrameBuilder.tcp().ipv4("10.0.0.1", "10.0.0.2").ports(40000 + i, 80).seq(100).flags(SYN).build());
    }
    JsonNode only = analyze(synsOnly.write(dir.resolve("syns.pcap")));
    assertTrue(only.path("warnings").toString().contains("every TCP segment in the capture is a SYN (12)"),
        only.path("warnings").toString());
    // One answer in the capture, and the warning has no ground.
    synsOnly.add(T + 20 * MS, s2c().seq(900).ack(101).flags(SYN | ACK).build());
    JsonNode answered = analyze(synsOnly.write(dir.resolve("answered.pcap")));
    assertFalse(answered.path("warnings").toString().contains("is a SYN"), answered.path("warnings").toString());
    // And a small test file of a few SYNs is not a capture filter's sign.
    PcapWriter few = PcapWriter.micro(1);
    for (int i = 0; i < 9; i++) {
      few.add(T + i * MS, FrameBuilder.tcp().ipv4("10.0.0.1", "10.0.0.2").ports(40000 + i, 80).seq(100).flags(SYN).build());
    }
    assertFalse(analyze(few.write(dir.resolve("few.pcap"))).path("warnings").toString().contains("is a SYN"));
  }
}
