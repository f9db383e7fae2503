package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A checkpoint of the flow table: a table restored from a snapshot taken mid-capture makes the
 * same events for the rest of the capture as the table that never stopped, on real-kernel
 * captures, at several cut points, with a full table in emergency mode too.
 */
class FlowTableSnapshotTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize().resolve("samples");

  @ParameterizedTest(name = "{0}, capacity {1}")
  @CsvSource({"mixed.pcap, 1000000", "mixed.pcap, 64", "timewait-server.pcap, 1000000",
      "accept-overflow-drop.pcap, 1000000", "synflood-nocookies.pcap, 200"})
  void aRestoredTableGoesOnAsTheOriginal(String sample, int capacity) throws IOException {
    Path capture = SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    List<Segment> segments = segments(capture);
    FlowConfig config = FlowConfig.defaults().withMaxFlows(capacity);
    List<String> reference = new ArrayList<>();
    FlowTable whole = new FlowTable(config, e -> reference.add(render(e)));
    segments.forEach(whole::onSegment);
    whole.drain();
    assertTrue(reference.size() > 20, "events: " + reference.size());

    for (int cut : new int[] {1, segments.size() / 3, segments.size() / 2, segments.size() - 1}) {
      List<String> events = new ArrayList<>();
      boolean[] firstTableCounts = {true};
      FlowTable before = new FlowTable(config, e -> {
        if (firstTableCounts[0]) {
          events.add(render(e));
        }
      });
      segments.subList(0, cut).forEach(before::onSegment);
      FlowTable.Snapshot snapshot = before.snapshot();
      assertEquals(before.size(), snapshot.connections().size());
      // The snapshot is a value: the first table going on to the end changes nothing of it.
      firstTableCounts[0] = false;
      segments.subList(cut, segments.size()).forEach(before::onSegment);
      before.drain();
      // Through bytes, as a checkpoint is kept.
      FlowTable after = FlowTable.restore(config, e -> events.add(render(e)), throughBytes(snapshot));
      segments.subList(cut, segments.size()).forEach(after::onSegment);
      after.drain();
      assertEquals(reference, events, "cut at segment " + cut + " of " + segments.size());
      assertEquals(whole.stats(), after.stats(), "counters, cut at " + cut);
    }
  }

  private static FlowTable.Snapshot throughBytes(FlowTable.Snapshot s) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    SnapshotCodec.write(s, new java.io.DataOutputStream(bytes));
    return SnapshotCodec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
  }

  @ParameterizedTest
  @CsvSource({"mixed.pcap"})
  void aDamagedOrForeignCheckpointIsRefused(String sample) throws IOException {
    FlowTable t = tableAfter(sample);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    SnapshotCodec.write(t.snapshot(), new java.io.DataOutputStream(out));
    byte[] bytes = out.toByteArray();
    byte[] foreign = bytes.clone();
    foreign[0] = 99;
    IOException e = assertThrows(IOException.class, () -> SnapshotCodec.read(
        new java.io.DataInputStream(new java.io.ByteArrayInputStream(foreign))));
    assertEquals("flow-table snapshot format 99, this build reads 1", e.getMessage());
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length / 2);
    assertThrows(java.io.EOFException.class, () -> SnapshotCodec.read(
        new java.io.DataInputStream(new java.io.ByteArrayInputStream(cut))));
  }

  /** An event with its connection's uid (an id prints only its endpoints). */
  private static String render(ConnectionEvent e) {
    return e.id().uid() + " " + e;
  }

  @ParameterizedTest
  @CsvSource({"mixed.pcap"})
  void aSnapshotLargerThanTheTableIsRefused(String sample) throws IOException {
    FlowTable t = tableAfter(sample);
    FlowTable.Snapshot s = t.snapshot();
    assertTrue(s.connections().size() > 2);
    assertThrows(IllegalArgumentException.class, () -> FlowTable.restore(FlowConfig.defaults().withMaxFlows(2), e -> {}, s));
  }

  /** A table of the default capacity that has seen the whole sample. */
  private static FlowTable tableAfter(String sample) throws IOException {
    Path capture = SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    FlowTable t = new FlowTable(FlowConfig.defaults(), e -> {});
    segments(capture).forEach(t::onSegment);
    return t;
  }

  static List<Segment> segments(Path capture) throws IOException {
    List<Segment> out = new ArrayList<>();
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      RawFrame frame = new RawFrame();
      Segment s = new Segment();
      FrameDecoder decoder = new FrameDecoder();
      long ordinal = 0;
      while (source.next(frame)) {
        ordinal++;
        if (frame.decode(decoder, ordinal, s)) {
          Segment copy = new Segment();
          copy.copyFrom(s);
          out.add(copy);
        }
      }
    }
    return out;
  }
}
