package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.IpAddress;
import dev.synscope.decode.Segment;
import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.FlowTable;
import java.io.IOException;
import java.io.Serializable;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Detectors checkpointed mid-capture through {@link DetectorState}, as a stream engine keeps them,
 * and restored: on every sample capture, they go on to the findings (and table figures) of the
 * detectors that never stopped. The events reach them with ids made outside the table, one per
 * connection while it lives, saved in the same graph as the detectors.
 */
class DetectorStateTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize().resolve("samples");
  private static final long SECOND = 1_000_000_000L;

  /** What the engine hands the detectors, in its order: an event, the clock, the end of input. */
  private sealed interface Step {}

  private record Event(ConnectionEvent event) implements Step {}

  private record Tick(long nanos) implements Step {}

  private record End(long nanos) implements Step {}

  /** One checkpoint: the detectors and the ids they may hold, in one graph. */
  private record Checkpoint(List<Detector> detectors, HashMap<String, FlowId> ids) implements Serializable {}

  /** The capture files in samples/, by name. */
  static List<String> captures() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      List<String> out = files.map(p -> p.getFileName().toString())
          .filter(n -> n.matches(".*\\.(pcap|pcapng|pcap\\.gz)$")).sorted().toList();
      assertFalse(out.isEmpty(), "no captures in " + SAMPLES);
      return out;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void restoredDetectorsFindWhatTheOriginalsFind(String capture) throws IOException {
    List<Step> steps = steps(capture);
    Run whole = new Run();
    whole.play(steps, 0, steps.size());
    // The replay with ids made outside the table is what the engine's detectors see.
    assertEquals(Run.fedByTable(steps), whole.result(), "replayed ids");

    Run restored = new Run();
    int from = 0;
    for (int cut : cuts(steps)) {
      restored.play(steps, from, cut);
      restored = restored.throughBytes();
      from = cut;
    }
    restored.play(steps, from, steps.size());
    assertEquals(whole.result(), restored.result(), "restored at " + Arrays.toString(cuts(steps)));
  }

  /**
   * The test's power: detectors that lose their state half way make other findings on several
   * captures, and detectors saved apart from their ids (two copies of each id) go on otherwise too.
   */
  @Test
  void lostStateChangesTheFindings() throws IOException {
    List<String> reset = new ArrayList<>();
    List<String> apart = new ArrayList<>();
    for (String capture : captures()) {
      List<Step> steps = steps(capture);
      Run whole = new Run();
      whole.play(steps, 0, steps.size());
      int half = cuts(steps)[1];

      Run fresh = new Run();
      fresh.play(steps, 0, half);
      fresh = new Run(Detectors.create(List.of(), Map.of()), fresh.ids);
      fresh.play(steps, half, steps.size());
      if (!whole.findings().equals(fresh.findings())) {
        reset.add(capture);
      }

      Run split = new Run();
      split.play(steps, 0, half);
      @SuppressWarnings("unchecked")
      List<Detector> detectors = DetectorState.load(DetectorState.save(split.detectors), List.class);
      @SuppressWarnings("unchecked")
      HashMap<String, FlowId> ids = DetectorState.load(DetectorState.save(split.ids), HashMap.class);
      split = new Run(detectors, ids);
      split.play(steps, half, steps.size());
      if (!whole.result().equals(split.result())) {
        apart.add(capture);
      }
    }
    assertTrue(reset.size() >= 5, "findings changed by a reset on " + reset);
    assertTrue(apart.size() >= 5, "results changed by ids saved apart on " + apart);
  }

  @Test
  void foreignCutOrMistypedStateIsRefused() throws IOException {
    byte[] bytes = DetectorState.save(List.of(new SynFloodDetector(SynFloodDetector.Config.from(DetectorParams.none("x")))));
    List<?> back = DetectorState.load(bytes, List.class);
    assertTrue(back.size() == 1 && back.get(0) instanceof SynFloodDetector, back.toString());
    IOException foreign = assertThrows(IOException.class, () -> DetectorState.load(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, List.class));
    assertEquals("not synscope detector state", foreign.getMessage());
    assertThrows(IOException.class, () -> DetectorState.load(Arrays.copyOf(bytes, bytes.length / 2), List.class));
    IOException mistyped = assertThrows(IOException.class, () -> DetectorState.load(bytes, Map.class));
    assertTrue(mistyped.getMessage().endsWith("not a java.util.Map"), mistyped.getMessage());
    assertThrows(IllegalArgumentException.class, () -> DetectorState.save(List.of(new Object())));
  }

  /**
   * A static key is shared: its copy is the process's key, so a value kept under it on an id is
   * found again. A key of an instance is its own, an id of a table refuses to serialise.
   */
  @Test
  void sharedKeysResolveAndTableIdsRefuse() throws IOException {
    ConnectionAttribute<String> shared = ConnectionAttribute.shared("detector-state-test.shared");
    ConnectionAttribute<String> own = ConnectionAttribute.create("detector-state-test.own");
    FlowId id = new FlowId(7, IpAddress.parse("192.0.2.1"), 40000, IpAddress.parse("192.0.2.2"), 80);
    id.set(shared, "kept");
    id.set(own, "mine");
    List<?> copy = DetectorState.load(DetectorState.save(List.of(id, shared, own)), List.class);
    FlowId restored = (FlowId) copy.get(0);
    assertSame(shared, copy.get(1));
    assertNotSame(own, copy.get(2));
    assertEquals("kept", restored.get(shared));
    @SuppressWarnings("unchecked")
    ConnectionAttribute<String> ownCopy = (ConnectionAttribute<String>) copy.get(2);
    assertEquals("mine", restored.get(ownCopy));
    assertEquals(id.uid(), restored.uid());

    FlowId tableId = steps("self-connect.pcap").stream()
        .filter(Event.class::isInstance).map(s -> ((Event) s).event().id()).findFirst().orElseThrow();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetectorState.save(tableId));
    assertTrue(e.getMessage().contains("only ids made outside a table serialise"), e.getMessage());
  }

  /** A quarter, half and three quarters of the way through the steps. */
  private static int[] cuts(List<Step> steps) {
    return new int[] {steps.size() / 4, steps.size() / 2, steps.size() * 3 / 4};
  }

  /**
   * All detectors, and the ids of the connections alive: by uid, which names a connection as its
   * serial does (a table's id shows only the uid), and made with it, so evidence reads as the
   * engine's.
   */
  private static final class Run {
    final List<Detector> detectors;
    final HashMap<String, FlowId> ids;

    Run() {
      this(Detectors.create(List.of(), Map.of()), new HashMap<>());
    }

    Run(List<Detector> detectors, HashMap<String, FlowId> ids) {
      this.detectors = detectors;
      this.ids = ids;
    }

    /** The detectors fed the table's own ids, as the engine feeds them. */
    static List<String> fedByTable(List<Step> steps) {
      Run run = new Run();
      steps.forEach(run::hand);
      return run.result();
    }

    void play(List<Step> steps, int from, int to) {
      for (Step step : steps.subList(from, to)) {
        hand(step instanceof Event e ? new Event((ConnectionEvent) replay(e.event(), true)) : step);
      }
    }

    private void hand(Step step) {
      if (step instanceof Tick t) {
        detectors.forEach(d -> d.onTime(t.nanos()));
      } else if (step instanceof End end) {
        detectors.forEach(d -> d.onEndOfInput(end.nanos()));
      } else if (step instanceof Event e) {
        ConnectionEvent event = e.event();
        for (Detector d : detectors) {
          if (d.events() == null || d.events().contains(event.getClass())) {
            d.onEvent(event);
          }
        }
        if (event instanceof ConnectionEvent.Removed r) {
          r.id().releaseAttributes();
          ids.remove(r.id().uid());
        }
      }
    }

    Run throughBytes() throws IOException {
      Checkpoint c = DetectorState.load(DetectorState.save(new Checkpoint(detectors, ids)), Checkpoint.class);
      return new Run(c.detectors(), c.ids());
    }

    /** Every finding and state table, in the detectors' order (records: their text is their value). */
    List<String> result() {
      List<String> out = new ArrayList<>();
      for (Detector d : detectors) {
        d.findings().forEach(f -> out.add(f.toString()));
        d.stateTables().forEach(t -> out.add(t.toString()));
      }
      return out;
    }

    List<String> findings() {
      List<String> out = new ArrayList<>();
      detectors.forEach(d -> d.findings().forEach(f -> out.add(f.toString())));
      return out;
    }

    /**
     * {@code value} with each table id in it replaced by this run's id of that connection (made
     * on its first event; a PortReused's {@code previous} that has left gets one of its own).
     */
    private Object replay(Object value, boolean register) {
      if (value instanceof FlowId id) {
        FlowId own = ids.get(id.uid());
        if (own == null) {
          own = new FlowId(id.uid(), id.origHost(), id.origPort(), id.respHost(), id.respPort());
          if (register) {
            ids.put(id.uid(), own);
          }
        }
        return own;
      }
      if (!(value instanceof Record r)) {
        return value;
      }
      try {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
          types[i] = components[i].getType();
          Object v = components[i].getAccessor().invoke(r);
          boolean hasId = v instanceof FlowId || v instanceof ConnectionSummary;
          values[i] = hasId ? replay(v, !components[i].getName().equals("previous")) : v;
        }
        Constructor<?> make = r.getClass().getDeclaredConstructor(types);
        return make.newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
    }
  }

  /** The engine's steps for a capture: the table's events, a tick a second, the end, the drain. */
  private static List<Step> steps(String capture) throws IOException {
    List<Step> steps = new ArrayList<>();
    FlowTable table = new FlowTable(FlowConfig.defaults(), e -> steps.add(new Event(e)));
    try (CaptureSource source = FileCaptureSource.open(List.of(SAMPLES.resolve(capture).toString()), System.in)) {
      RawFrame frame = new RawFrame();
      Segment segment = new Segment();
      FrameDecoder decoder = new FrameDecoder();
      long ordinal = 0;
      long nextTick = Long.MIN_VALUE;
      while (source.next(frame)) {
        ordinal++;
        if (frame.decode(decoder, ordinal, segment)) {
          table.onSegment(segment);
        }
        if (frame.timestampNanos >= nextTick) {
          steps.add(new Tick(frame.timestampNanos));
          nextTick = (Math.floorDiv(frame.timestampNanos, SECOND) + 1) * SECOND;
        }
      }
    }
    steps.add(new End(table.packetTimeNanos()));
    table.drain();
    assertTrue(steps.size() > 20, "steps: " + steps.size());
    return steps;
  }
}
