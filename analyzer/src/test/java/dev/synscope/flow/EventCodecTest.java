package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.IpAddress;
import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Connection events through bytes and back: every event the real flow table makes from every
 * sample capture, plus hand-made ones for what the samples lack, comes back equal field by field,
 * with one id instance per connection as a table's consumers see it.
 */
class EventCodecTest {
  private static final Path SAMPLES =
      Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize().resolve("samples");
  private static final IpAddress V4_A = IpAddress.parse("198.18.0.1");
  private static final IpAddress V4_B = IpAddress.parse("198.18.0.2");
  private static final IpAddress V6_A = IpAddress.parse("fd00::1");
  private static final IpAddress V6_B = IpAddress.parse("ffff:8000::ffff:ffff:ffff");

  @Test
  void everySampleEventComesBackEqual() throws IOException {
    List<Path> captures = captures();
    assertTrue(captures.size() >= 10, "captures: " + captures);
    Set<RemovalCause> causes = EnumSet.noneOf(RemovalCause.class);
    boolean ipv6 = false;
    for (Path capture : captures) {
      for (int maxFlows : new int[] {1_000_000, 64}) { // a small table evicts
        List<ConnectionEvent> events = events(capture, FlowConfig.defaults().withMaxFlows(maxFlows));
        assertFalse(events.isEmpty(), capture.toString());
        roundTrip(events, capture.getFileName() + ", capacity " + maxFlows);
        for (ConnectionEvent e : events) {
          ipv6 |= e.id().origHost().version() == 6;
          if (e instanceof ConnectionEvent.Removed r) {
            causes.add(r.connection().removal());
          }
        }
      }
    }
    assertTrue(ipv6, "no sample holds IPv6");
    assertEquals(EnumSet.allOf(RemovalCause.class), causes);
  }

  @Test
  void handMadeEventsComeBackEqual() throws IOException {
    roundTrip(handMade(), "hand-made");
  }

  /** The samples and the hand-made events together exercise every record of the interface. */
  @Test
  void everyEventTypeIsCovered() throws IOException {
    Set<Class<?>> typesSeen = new LinkedHashSet<>();
    for (Path capture : captures()) {
      events(capture, FlowConfig.defaults()).forEach(e -> typesSeen.add(e.getClass()));
    }
    handMade().forEach(e -> typesSeen.add(e.getClass()));
    Set<Class<?>> all = new LinkedHashSet<>(Arrays.asList(ConnectionEvent.class.getPermittedSubclasses()));
    all.removeAll(typesSeen);
    assertEquals(Set.of(), all, "event types no test encodes");
  }

  @Test
  void oneConnectionIsOneIdUntilReleased() throws IOException {
    FlowId table = new FlowId(41, V4_A, 40000, V4_B, 80);
    ReplayIds ids = new ReplayIds();
    ConnectionAttribute<String> note = ConnectionAttribute.create("note");
    FlowId first = decode(new ConnectionEvent.DataStarted(1, table, Role.ORIG), ids).id();
    first.set(note, "kept");
    FlowId second = decode(new ConnectionEvent.FinAcked(2, table, Role.RESP), ids).id();
    assertSame(first, second);
    assertEquals("kept", second.get(note));
    assertEquals(1, ids.size());

    // A PortReused's previous id: the live instance while it is registered.
    FlowId next = new FlowId(42, V4_A, 40000, V4_B, 80);
    ConnectionEvent.PortReused reused = new ConnectionEvent.PortReused(3, next, table, 2, "SF", Role.ORIG);
    assertSame(first, ((ConnectionEvent.PortReused) decode(reused, ids)).previous());
    assertEquals(2, ids.size());

    ids.release(41);
    assertNull(first.get(note), "values go with the connection");
    assertEquals(1, ids.size());
    // Once released, a fresh one each time, never registered.
    FlowId previous = ((ConnectionEvent.PortReused) decode(reused, ids)).previous();
    assertNotSame(first, previous);
    assertNotSame(previous, ((ConnectionEvent.PortReused) decode(reused, ids)).previous());
    assertEquals(table.uid(), previous.uid());
    assertEquals(1, ids.size(), "a previous id is not registered");
    // The serial decoded again after release: a new instance.
    FlowId again = decode(new ConnectionEvent.DataStarted(4, table, Role.ORIG), ids).id();
    assertNotSame(first, again);
    assertEquals(table.uid(), again.uid());

    ids.release(41);
    ids.release(42);
    ids.release(43); // unknown: nothing happens
    assertEquals(0, ids.size());
  }

  @Test
  void aSerialWithOtherEndpointsIsRefused() throws IOException {
    ReplayIds ids = new ReplayIds();
    decode(new ConnectionEvent.DataStarted(1, new FlowId(7, V4_A, 1, V4_B, 2), Role.ORIG), ids);
    ConnectionEvent other = new ConnectionEvent.DataStarted(1, new FlowId(7, V4_A, 1, V4_B, 3), Role.ORIG);
    IOException e = assertThrows(IOException.class, () -> decode(other, ids));
    assertTrue(e.getMessage().contains("serial 7"), e.getMessage());
  }

  @Test
  void unknownTagsAndCodesAreRefused() throws IOException {
    for (int tag : new int[] {0, 17, 255}) {
      byte[] b = {(byte) tag, 0, 0};
      IOException e = assertThrows(IOException.class, () -> EventCodec.fromBytes(b, new ReplayIds()));
      assertEquals("connection event: unknown type tag " + tag, e.getMessage());
    }
    // A DataStarted with role code 9: the codes are checked too, not taken as ordinals.
    byte[] b = EventCodec.toBytes(new ConnectionEvent.DataStarted(1, new FlowId(7, V4_A, 1, V4_B, 2), Role.ORIG));
    b[b.length - 1] = 9;
    IOException e = assertThrows(IOException.class, () -> EventCodec.fromBytes(b, new ReplayIds()));
    assertEquals("connection event: unknown role 9", e.getMessage());
  }

  @Test
  void aCutStreamOrTrailingBytesAreRefused() throws IOException {
    for (ConnectionEvent event : handMade()) {
      byte[] whole = EventCodec.toBytes(event);
      for (int n = 0; n < whole.length; n++) {
        byte[] cut = Arrays.copyOf(whole, n);
        assertThrows(EOFException.class, () -> EventCodec.fromBytes(cut, new ReplayIds()), event + " cut at " + n);
      }
      byte[] longer = Arrays.copyOf(whole, whole.length + 1);
      IOException e = assertThrows(IOException.class, () -> EventCodec.fromBytes(longer, new ReplayIds()));
      assertEquals("connection event: 1 bytes after the event", e.getMessage());
    }
  }

  @Test
  void anIdWithAUidOfItsOwnIsNotEncoded() {
    FlowId named = new FlowId("Cnamed", V4_A, 1, V4_B, 2);
    ConnectionEvent e = new ConnectionEvent.DataStarted(1, named, Role.ORIG);
    assertThrows(IllegalArgumentException.class, () -> EventCodec.toBytes(e));
  }

  @Test
  void serialZeroMadeByNumberIsAnOrdinaryId() throws IOException {
    FlowId zero = new FlowId(0, V4_A, 1, V4_B, 2);
    assertEquals(zero.uid(), decode(new ConnectionEvent.DataStarted(1, zero, Role.ORIG), new ReplayIds()).id().uid());
  }

  @Test
  void withRemovalReplacesTheTimeAndCause() {
    ConnectionEvent.Removed r = (ConnectionEvent.Removed) handMade().stream()
        .filter(e -> e instanceof ConnectionEvent.Removed x && x.connection().orig() != null).findFirst().orElseThrow();
    ConnectionEvent.Removed moved = EventCodec.withRemoval(r, 999, RemovalCause.EVICTED);
    assertEquals(999, moved.timestampNanos());
    assertEquals(RemovalCause.EVICTED, moved.connection().removal());
    assertSame(r.id(), moved.id());
    ConnectionSummary back = EventCodec.withRemoval(moved, r.timestampNanos(), r.connection().removal()).connection();
    assertEquals(r.connection(), back, "every other field is kept");
  }

  private static ConnectionEvent decode(ConnectionEvent e, ReplayIds ids) throws IOException {
    return EventCodec.fromBytes(EventCodec.toBytes(e), ids);
  }

  /**
   * Encodes {@code events} into one stream and reads them back with one {@link ReplayIds},
   * releasing each connection after its Removed, as a consumer does; each comes back equal, and
   * every event of a connection carries the same id instance.
   */
  private static void roundTrip(List<ConnectionEvent> events, String what) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    for (ConnectionEvent e : events) {
      EventCodec.write(e, out);
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    ReplayIds ids = new ReplayIds();
    Map<FlowId, FlowId> decodedIds = new HashMap<>(); // a table's id -> the decoded one
    for (int i = 0; i < events.size(); i++) {
      ConnectionEvent original = events.get(i);
      ConnectionEvent decoded = EventCodec.read(in, ids);
      int n = i;
      assertEquals(normal(original), normal(decoded), () -> what + ", event " + n);
      FlowId first = decodedIds.computeIfAbsent(original.id(), k -> decoded.id());
      assertSame(first, decoded.id(), () -> what + ", event " + n + ": one id per connection");
      // Same bytes again: nothing is lost or added on the way.
      assertArrayEquals(EventCodec.toBytes(original), EventCodec.toBytes(decoded), () -> what + ", event " + n);
      if (decoded instanceof ConnectionEvent.Removed) {
        ids.release(first.serial());
        decodedIds.remove(original.id());
      }
    }
    assertEquals(-1, in.read(), what + ": bytes left over");
    assertEquals(0, ids.size(), what + ": every connection left and was released");
  }

  private static final ClassValue<RecordComponent[]> COMPONENTS = new ClassValue<>() {
    @Override
    protected RecordComponent[] computeValue(Class<?> type) {
      return type.getRecordComponents();
    }
  };

  /**
   * A value as comparable text, field by field: ids by uid and endpoints (a record's toString
   * prints an id's endpoints only, and ids compare by identity outside a table).
   */
  private static String normal(Object v) {
    if (v instanceof FlowId id) {
      return "FlowId[" + id.uid() + " " + id.origEndpoint() + " -> " + id.respEndpoint() + "]";
    }
    if (v instanceof Record r) {
      StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('[');
      for (RecordComponent c : COMPONENTS.get(r.getClass())) {
        try {
          sb.append(c.getName()).append('=').append(normal(c.getAccessor().invoke(r))).append(", ");
        } catch (ReflectiveOperationException e) {
          throw new AssertionError(e);
        }
      }
      return sb.append(']').toString();
    }
    return String.valueOf(v);
  }

  /**
   * Events the samples may lack, with extreme values and every nullable field null in one and set
   * in another; IPv6 with the top bits set, so sign extension would show.
   */
  private static List<ConnectionEvent> handMade() {
    FlowId v4 = new FlowId(Long.MAX_VALUE, IpAddress.parse("255.255.255.255"), 65535, V4_B, 0);
    FlowId v6 = new FlowId(-5, V6_A, 1, V6_B, 65535);
    FlowId gone = new FlowId(3, V6_A, 1, V6_B, 65535);
    SynInfo syn = new SynInfo(-1, 2, 3, 0xffffffffL, 5, TcpFlags.SYN | TcpFlags.ECE, 65535, 64, 1460, 7, true, true,
        0xfffffffeL, 1, 8, 9, 10);
    RstInfo rst = new RstInfo(11, 12, 13, 14, 15, true, 16);
    EndpointSummary full = new EndpointSummary(EndpointState.RESET, 17, syn, 18, 19, 20, 21, 22, 23, rst, 24, 25, 26,
        27, 28, 29, true, true);
    EndpointSummary empty = new EndpointSummary(null, -1, null, 0, 0, 0, 0, 0, 0, null, -1, -1, 0, 0, -1, -1, false,
        false);
    ConnectionSummary rich = new ConnectionSummary(v6, 30, 31, 32, "RSTO", "ShADadR\u00e9", full, empty, 33, 34, 35, 36,
        37, 38, 39, 40, true, true, true, Role.RESP, "Cprevious", RemovalCause.END_OF_INPUT);
    ConnectionSummary bare = new ConnectionSummary(v4, 0, 0, 0, null, null, null, null, -1, -1, -1, 0, 0, -1, -1, 0,
        false, false, false, null, null, null);
    return List.of(
        new ConnectionEvent.Attempted(1, v6, syn),
        new ConnectionEvent.Attempted(1, v4, null),
        new ConnectionEvent.SynRetransmitted(Long.MIN_VALUE, v6, 2, 3, 4),
        new ConnectionEvent.SynAckSent(5, v6, syn, null, 6, true),
        new ConnectionEvent.SynAckSent(5, v4, null, syn, 0, false),
        new ConnectionEvent.Established(7, v6, 8, -1, -1),
        new ConnectionEvent.AnsweredUnseen(9, v6, 10),
        new ConnectionEvent.Rejected(11, v6, rst),
        new ConnectionEvent.Rejected(11, v4, null),
        new ConnectionEvent.Reset(12, v6, Role.RESP, rst, 13, 14, 15, 16, 17),
        new ConnectionEvent.TimestampAfterSyn(18, v6, Role.ORIG, 0xffffffffL),
        new ConnectionEvent.DataStarted(19, v6, Role.RESP),
        new ConnectionEvent.Closed(20, v6, 21, null, true),
        new ConnectionEvent.Closed(20, v4, 21, Role.ORIG, false),
        new ConnectionEvent.FinSent(22, v6, 23, Role.ORIG),
        new ConnectionEvent.FinAcked(24, v6, Role.RESP),
        new ConnectionEvent.PortReused(25, v6, gone, 26, "S1", Role.ORIG),
        new ConnectionEvent.PortReused(25, v4, gone, 26, null, null),
        new ConnectionEvent.SimultaneousOpen(27, v6, 28),
        new ConnectionEvent.SelfConnected(29, v6, 30),
        new ConnectionEvent.Removed(31, rich),
        new ConnectionEvent.Removed(32, bare));
  }

  private static List<Path> captures() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      return files.filter(p -> {
        String name = p.getFileName().toString();
        return name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".pcap.gz");
      }).sorted().toList();
    }
  }

  /** Every event the flow table makes from a capture, the table drained at its end. */
  private static List<ConnectionEvent> events(Path capture, FlowConfig config) throws IOException {
    List<ConnectionEvent> events = new ArrayList<>();
    FlowTable table = new FlowTable(config, events::add);
    for (Segment s : FlowTableSnapshotTest.segments(capture)) {
      table.onSegment(s);
    }
    table.drain();
    return events;
  }
}
