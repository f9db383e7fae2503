package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.testing.FrameBuilder;
import dev.synscope.testing.PcapWriter;
import dev.synscope.testing.PcapngWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The built-in reader: formats, byte orders, timestamp resolutions, inputs, damage. */
class FileCaptureSourceTest {
  private static final long S = 1_000_000_000L;
  /** 2023-11-14T22:13:20.123456789Z */
  private static final long T = 1_700_000_000L * S + 123_456_789L;

  @TempDir Path dir;

  /** A frame as read, copied out of the reader's buffer. */
  record Frame(byte[] bytes, int originalLength, int linkType, long timestampNanos, long frameNumber, int inputIndex) {}

  record Read(List<Frame> frames, List<InputSummary> inputs) {
    InputSummary only() {
      assertEquals(1, inputs.size());
      return inputs.get(0);
    }

    List<Long> timestamps() {
      return frames.stream().map(Frame::timestampNanos).toList();
    }
  }

  static Read read(List<String> paths, InputStream stdin) throws IOException {
    List<Frame> frames = new ArrayList<>();
    try (FileCaptureSource source = FileCaptureSource.open(paths, stdin)) {
      RawFrame f = new RawFrame();
      while (source.next(f)) {
        frames.add(new Frame(
            Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength), f.originalLength, f.linkType,
            f.timestampNanos, f.frameNumber, f.inputIndex));
      }
      return new Read(frames, source.inputs());
    }
  }

  static Read read(Path... files) throws IOException {
    List<String> paths = new ArrayList<>();
    for (Path p : files) paths.add(p.toString());
    return read(paths, InputStream.nullInputStream());
  }

  private Path file(String name, byte[] bytes) {
    return PcapWriter.writeBytes(dir.resolve(name), bytes);
  }

  /** A time as a microsecond file keeps it. */
  static long us(long nanos) {
    return nanos / 1000 * 1000;
  }

  private static byte[] frame(int port) {
    return FrameBuilder.tcp().ports(port, 80).build();
  }

  private static byte[] rawFrame(int port) {
    return FrameBuilder.tcp().ports(port, 80).raw().build();
  }

  // ---- classic pcap -------------------------------------------------------------------------

  @ParameterizedTest(name = "nanos={0} bigEndian={1}")
  @CsvSource({"false, false", "false, true", "true, false", "true, true"})
  void pcapEveryMagicAndByteOrder(boolean nanos, boolean bigEndian) throws IOException {
    byte[] a = frame(1);
    byte[] b = FrameBuilder.tcp().ports(2, 80).payload(300).build();
    byte[] c = frame(3);
    PcapWriter w = PcapWriter.create(FrameBuilder.LINKTYPE_ETHERNET, nanos, bigEndian, 65535)
        .add(T, a)
        .add(T + 1_500, b, b.length + 1000)
        .add(T + 2 * S, c);
    Read r = read(file("x.pcap", w.bytes()));
    assertEquals(3, r.frames().size());
    assertArrayEquals(a, r.frames().get(0).bytes());
    assertArrayEquals(b, r.frames().get(1).bytes());
    assertArrayEquals(c, r.frames().get(2).bytes());
    List<Long> written = List.of(T, T + 1_500, T + 2 * S);
    List<Long> expected = nanos ? written : written.stream().map(FileCaptureSourceTest::us).toList();
    assertEquals(expected, r.timestamps(), "a microsecond file keeps whole microseconds");
    assertEquals(b.length + 1000, r.frames().get(1).originalLength(), "wire length of a snaplen-cut record");
    assertEquals(List.of(1L, 2L, 3L), r.frames().stream().map(Frame::frameNumber).toList());
    assertTrue(r.frames().stream().allMatch(f -> f.linkType() == 1 && f.inputIndex() == 0));
    InputSummary in = r.only();
    assertEquals(nanos ? "pcap-ns" : "pcap", in.format());
    assertEquals(3, in.packets());
    assertEquals(a.length + b.length + 1000 + c.length, in.bytes());
    assertEquals(Map.of("EN10MB", 3L), in.linkTypes());
    assertEquals(expected.get(0), in.firstTimestampNanos());
    assertEquals(expected.get(2), in.lastTimestampNanos());
    assertEquals(List.of(), in.warnings());
  }

  @ParameterizedTest(name = "link type {0}")
  @ValueSource(ints = {0, 1, 101, 108, 113, 228, 229, 276, 160})
  void pcapLinkTypeIsPassedOn(int linkType) throws IOException {
    Read r = read(file("l.pcap", PcapWriter.micro(linkType).add(T, frame(1)).bytes()));
    assertEquals(linkType, r.frames().get(0).linkType());
  }

  @Test
  void pcapWithoutRecordsIsAnEmptyCapture() throws IOException {
    Read r = read(file("e.pcap", PcapWriter.micro(1).bytes()));
    assertEquals(0, r.frames().size());
    assertEquals(0, r.only().packets());
    assertEquals(List.of(), r.only().warnings());
  }

  @Test
  void pcapSubSecondFieldOutOfRangeIsKeptAndReported() throws IOException {
    // tcpdump's timestamp_invalid_nano.pcap: 999999999, then 1000000000 and 2147483648 ns.
    PcapWriter w = PcapWriter.nano(1);
    byte[] f = frame(1);
    w.record(100, 999_999_999L, f.length, f.length, f);
    w.record(100, 1_000_000_000L, f.length, f.length, f);
    w.record(100, 2_147_483_648L, f.length, f.length, f);
    Read r = read(file("n.pcap", w.bytes()));
    assertEquals(List.of(100 * S + 999_999_999L, 101 * S, 100 * S + 2_147_483_648L), r.timestamps());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).contains("2 record(s)"), r.only().warnings().toString());
  }

  @Test
  void pcapImpossibleWireLengthIsClamped() throws IOException {
    byte[] f = frame(1);
    Read r = read(file("w.pcap", PcapWriter.micro(1).record(100, 0, f.length, 0xffffffffL, f).bytes()));
    assertEquals(Integer.MAX_VALUE, r.frames().get(0).originalLength());
    assertTrue(r.only().bytes() > 0, "byte count does not wrap negative");
  }

  @Test
  void pcapTruncatedLastRecordGivesTheFramesBeforeAndAWarning() throws IOException {
    byte[] whole = PcapWriter.micro(1).add(T, frame(1)).add(T + 1000, frame(2)).add(T + 2000, frame(3)).bytes();
    Read r = read(file("t.pcap", Arrays.copyOf(whole, whole.length - 10)));
    assertEquals(2, r.frames().size());
    assertEquals(2, r.only().packets());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).startsWith("truncated record at end of input"), r.only().warnings().toString());
  }

  @Test
  void pcapTruncatedLastRecordHeader() throws IOException {
    byte[] two = PcapWriter.micro(1).add(T, frame(1)).add(T + 1000, frame(2)).bytes();
    byte[] bytes = Arrays.copyOf(two, two.length + 9); // 9 of 16 header bytes of a third record
    Read r = read(file("h.pcap", bytes));
    assertEquals(2, r.frames().size());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).contains("truncated record header"), r.only().warnings().toString());
  }

  @Test
  void pcapCorruptRecordInTheMiddleIsSkippedAndLaterRecordsRead() throws IOException {
    PcapWriter w = PcapWriter.micro(1).add(T, frame(1)).add(T + 1000, frame(2));
    int badOffset = w.size();
    byte[] junk = new byte[37];
    Arrays.fill(junk, (byte) 0xff); // captured length 0xffffffff: impossible
    w.raw(junk).add(T + 2000, frame(3)).add(T + 3000, frame(4)).add(T + 4000, frame(5));
    Read r = read(file("c.pcap", w.bytes()));
    assertEquals(List.of(1, 2, 3, 4, 5), r.frames().stream().map(f -> port(f.bytes())).toList());
    assertEquals(List.of(us(T), us(T + 1000), us(T + 2000), us(T + 3000), us(T + 4000)), r.timestamps());
    List<String> warnings = r.only().warnings();
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).startsWith("corrupt record at byte offset " + badOffset), warnings.toString());
    assertTrue(warnings.get(0).contains("skipped 37 bytes"), warnings.toString());
  }

  @Test
  void pcapCorruptRecordWithNothingReadableAfterItStops() throws IOException {
    PcapWriter w = PcapWriter.micro(1).add(T, frame(1));
    byte[] junk = new byte[100];
    Arrays.fill(junk, (byte) 0xff);
    Read r = read(file("s.pcap", w.raw(junk).bytes()));
    assertEquals(1, r.frames().size());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).contains("stopped reading"), r.only().warnings().toString());
  }

  private static int port(byte[] ethernetFrame) {
    return ((ethernetFrame[34] & 0xff) << 8) | (ethernetFrame[35] & 0xff);
  }

  // ---- pcapng -------------------------------------------------------------------------------

  @ParameterizedTest(name = "bigEndian={0}")
  @ValueSource(booleans = {false, true})
  void pcapngInterfacesWithTheirOwnLinkTypesAndResolutions(boolean bigEndian) throws IOException {
    byte[] eth = frame(1);
    byte[] raw = rawFrame(2);
    byte[] eth2 = FrameBuilder.tcp().ports(3, 80).payload(61).build(); // needs padding
    PcapngWriter w = PcapngWriter.create(bigEndian)
        .iface(FrameBuilder.LINKTYPE_ETHERNET, 9, 0, 0)     // nanoseconds
        .iface(FrameBuilder.LINKTYPE_RAW)                   // default microseconds
        .epb(0, T, eth)
        .epb(1, T + 5 * S, raw)
        .epb(0, T + 6 * S + 1, eth2, eth2.length + 7);
    Read r = read(file("x.pcapng", w.bytes()));
    assertEquals(3, r.frames().size());
    assertArrayEquals(eth, r.frames().get(0).bytes());
    assertArrayEquals(raw, r.frames().get(1).bytes());
    assertArrayEquals(eth2, r.frames().get(2).bytes());
    assertEquals(List.of(1, 101, 1), r.frames().stream().map(Frame::linkType).toList());
    assertEquals(List.of(T, us(T + 5 * S), T + 6 * S + 1), r.timestamps());
    assertEquals(eth2.length + 7, r.frames().get(2).originalLength());
    InputSummary in = r.only();
    assertEquals("pcapng", in.format());
    assertEquals(Map.of("EN10MB", 2L, "RAW", 1L), in.linkTypes());
    assertEquals(List.of(), in.warnings());
  }

  @ParameterizedTest(name = "if_tsresol {0}: {2} s + {3} units -> {4} ns")
  @CsvSource({
    "3,   1000,                1000000000, 7,            1000000000007000000", // 10^-3
    "6,   1000000,             1000000000, 999999,       1000000000999999000", // 10^-6
    "9,   1000000000,          1000000000, 123456789,    1000000000123456789", // 10^-9
    "12,  1000000000000,       1000000,    123456789012, 1000000123456789",    // 10^-12, rounded down
    "128, 1,                   1000000000, 0,            1000000000000000000", // 2^0: whole seconds
    "138, 1024,                1000000000, 512,          1000000000500000000", // 2^-10
    "148, 1048576,             1000000000, 3,            1000000000000002861", // 2^-20: 3 x 953.674 ns
    "148, 1048576,             1000000000, 524288,       1000000000500000000", // 2^-20: half a second
    "158, 1073741824,          1000000000, 1,            1000000000000000000", // 2^-30: under 1 ns
    "160, 4294967296,          1000000000, 2147483648,   1000000000500000000", // 2^-32
    "168, 1099511627776,       1000000,    824633720832, 1000000750000000",    // 2^-40: 3/4 s
    "168, 1099511627776,       1000000,    1099511627,   1000000000999999",    // 2^-40: 0.999999999 ms
    "190, 4611686018427387904, 1,          3458764513820540928, 1750000000",   // 2^-62: 3/4 s
  })
  void pcapngTimestampResolutions(int tsresol, long unitsPerSecond, long seconds, long fractionUnits, long expectedNanos)
      throws IOException {
    long units = BigInteger.valueOf(seconds).multiply(BigInteger.valueOf(unitsPerSecond))
        .add(BigInteger.valueOf(fractionUnits)).longValueExact();
    for (boolean bigEndian : new boolean[] {false, true}) {
      byte[] f = frame(1);
      PcapngWriter w = PcapngWriter.create(bigEndian).iface(1, tsresol, 0, 0).epbUnits(0, units, f, f.length);
      Read r = read(file("r" + tsresol + bigEndian + ".pcapng", w.bytes()));
      assertEquals(List.of(expectedNanos), r.timestamps(), "if_tsresol " + tsresol + " bigEndian " + bigEndian);
    }
  }

  @ParameterizedTest(name = "bigEndian={0}")
  @ValueSource(booleans = {false, true})
  void pcapngTimestampOffsetIsAdded(boolean bigEndian) throws IOException {
    PcapngWriter w = PcapngWriter.create(bigEndian)
        .iface(1, 9, 1_000_000L, 0)
        .iface(1, -1, 0, 0)
        .epb(0, 5 * S + 7, frame(1))
        .epb(1, 5 * S + 7000, frame(2));
    Read r = read(file("o.pcapng", w.bytes()));
    assertEquals(List.of(1_000_005L * S + 7, 5 * S + 7000), r.timestamps(),
        "if_tsoffset (seconds) applies to its own interface only");
  }

  @Test
  void pcapngUnknownAndNonPacketBlocksAreSkipped() throws IOException {
    PcapngWriter w = PcapngWriter.create(false)
        .block(PcapngWriter.NRB, new byte[] {0, 0, 0, 0})
        .iface(1)
        .block(0x00000BAD, new byte[] {1, 2, 3, 4, 5}) // custom block
        .epb(0, T, frame(1))
        .block(PcapngWriter.ISB, new byte[20])
        .block(0x12345678, new byte[0])
        .epb(0, T + 1000, frame(2));
    Read r = read(file("u.pcapng", w.bytes()));
    assertEquals(2, r.frames().size());
    assertEquals(List.of(), r.only().warnings());
  }

  @Test
  void pcapngSimpleAndObsoletePacketBlocks() throws IOException {
    byte[] a = frame(1);
    byte[] b = FrameBuilder.tcp().ports(2, 80).payload(100).build();
    byte[] bCut = Arrays.copyOf(b, 64);
    PcapngWriter w = PcapngWriter.create(true)
        .iface(FrameBuilder.LINKTYPE_ETHERNET, -1, 0, 64)
        .opb(0, T, a)
        .spb(bCut, b.length);
    Read r = read(file("so.pcapng", w.bytes()));
    assertEquals(2, r.frames().size());
    assertArrayEquals(a, r.frames().get(0).bytes());
    assertEquals(us(T), r.frames().get(0).timestampNanos());
    assertArrayEquals(bCut, r.frames().get(1).bytes(), "a simple packet keeps at most the snaplen");
    assertEquals(b.length, r.frames().get(1).originalLength());
    assertEquals(us(T), r.frames().get(1).timestampNanos(), "a simple packet has no timestamp of its own");
  }

  @Test
  void pcapngNewSectionRenumbersInterfacesAndMayChangeByteOrder() throws IOException {
    PcapngWriter w = PcapngWriter.create(false)
        .iface(FrameBuilder.LINKTYPE_ETHERNET)
        .epb(0, T, frame(1))
        .section(true)
        .iface(FrameBuilder.LINKTYPE_RAW, 9, 0, 0)
        .epb(0, T + S, rawFrame(2));
    Read r = read(file("sec.pcapng", w.bytes()));
    assertEquals(List.of(1, 101), r.frames().stream().map(Frame::linkType).toList());
    assertEquals(List.of(us(T), T + S), r.timestamps());
    assertEquals(List.of(1L, 2L), r.frames().stream().map(Frame::frameNumber).toList());
  }

  @Test
  void pcapngPacketOnAnUndescribedInterfaceIsSkippedWithAWarning() throws IOException {
    PcapngWriter w = PcapngWriter.create(false).iface(1).epb(0, T, frame(1)).epb(3, T, frame(2)).epb(0, T, frame(3));
    Read r = read(file("if.pcapng", w.bytes()));
    assertEquals(2, r.frames().size());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).contains("never described"), r.only().warnings().toString());
  }

  @Test
  void pcapngTruncatedLastBlock() throws IOException {
    byte[] whole = PcapngWriter.create(false).iface(1).epb(0, T, frame(1)).epb(0, T + 1, frame(2)).bytes();
    Read r = read(file("tb.pcapng", Arrays.copyOf(whole, whole.length - 6)));
    assertEquals(1, r.frames().size());
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).startsWith("truncated block"), r.only().warnings().toString());
  }

  @Test
  void pcapngCorruptBlockInTheMiddleIsSkipped() throws IOException {
    PcapngWriter w = PcapngWriter.create(false).iface(1).epb(0, T, frame(1));
    int bad = w.size();
    // A block header whose length is not a multiple of 4, then 12 more bytes of junk.
    w.raw(new byte[] {6, 0, 0, 0, 13, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    w.epb(0, T + 1000, frame(2)).epb(0, T + 2000, frame(3));
    Read r = read(file("cb.pcapng", w.bytes()));
    assertEquals(3, r.frames().size());
    assertEquals(List.of(us(T), us(T + 1000), us(T + 2000)), r.timestamps());
    List<String> warnings = r.only().warnings();
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).startsWith("corrupt block at byte offset " + bad), warnings.toString());
    assertTrue(warnings.get(0).contains("skipped 20 bytes"), warnings.toString());
  }

  @Test
  void pcapngPacketClaimingMoreThanItsBlockIsSkipped() throws IOException {
    byte[] bytes = PcapngWriter.create(false).iface(1).epb(0, T, frame(1)).epb(0, T + 1000, frame(2)).bytes();
    // The first EPB starts after the SHB (28 bytes) and the IDB (20 bytes); its captured length
    // sits 20 bytes into it. Claim 1008 bytes in a block that has room for the 54-byte frame.
    int capturedAt = 28 + 20 + 20;
    bytes[capturedAt] = (byte) 0xf0;
    bytes[capturedAt + 1] = 0x03;
    Read r = read(file("room.pcapng", bytes));
    assertEquals(List.of(2), r.frames().stream().map(f -> port(f.bytes())).toList(), "the sound block is read");
    assertEquals(1, r.only().warnings().size());
    assertTrue(r.only().warnings().get(0).contains("claims 1008 captured bytes"), r.only().warnings().toString());
  }

  // ---- gzip, stdin, several inputs, directories --------------------------------------------

  @Test
  void gzipOfPcapAndPcapng() throws IOException {
    Path pcap = file("a.pcap.gz", PcapWriter.gzip(PcapWriter.nano(1).add(T, frame(1)).add(T + 1, frame(2)).bytes()));
    Path ng = file("b.pcapng.gz", PcapWriter.gzip(PcapngWriter.create(true).iface(1, 9, 0, 0).epb(0, T + 2, frame(3)).bytes()));
    Read r = read(pcap, ng);
    assertEquals(List.of(T, T + 1, T + 2), r.timestamps());
    assertEquals(List.of(0, 0, 1), r.frames().stream().map(Frame::inputIndex).toList());
    assertEquals(List.of("pcap-ns+gzip", "pcapng+gzip"), r.inputs().stream().map(InputSummary::format).toList());
  }

  @Test
  void gzipNameIsNotNeeded() throws IOException {
    Read r = read(file("no-extension", PcapWriter.gzip(PcapWriter.micro(1).add(T, frame(1)).bytes())));
    assertEquals(1, r.frames().size());
  }

  @Test
  void truncatedGzipGivesTheFramesBeforeAndAWarning() throws IOException {
    PcapWriter w = PcapWriter.micro(1);
    for (int i = 0; i < 200; i++) {
      w.add(T + i * 1000L, FrameBuilder.tcp().ports(1000 + i, 80).seq(i * 7919L).payload(200 + i).build());
    }
    byte[] gz = PcapWriter.gzip(w.bytes());
    Read r = read(file("cut.pcap.gz", Arrays.copyOf(gz, gz.length * 2 / 3)));
    assertFalse(r.frames().isEmpty(), "the frames that could be inflated are kept");
    assertTrue(r.frames().size() < 200);
    assertEquals(1, r.only().warnings().size(), r.only().warnings().toString());
  }

  @Test
  void stdinIsReadLikeAFile() throws IOException {
    byte[] bytes = PcapWriter.gzip(PcapngWriter.create(false).iface(1).epb(0, T, frame(1)).epb(0, T + 1000, frame(2)).bytes());
    Read r = read(List.of("-"), new ByteArrayInputStream(bytes));
    assertEquals(2, r.frames().size());
    assertEquals("<stdin>", r.only().path());
    assertEquals("pcapng+gzip", r.only().format());
  }

  @Test
  void filesAreReadInTheOrderGivenAsOneStream() throws IOException {
    Path late = file("late.pcap", PcapWriter.micro(1).add(T + 100 * S, frame(1)).bytes());
    Path early = file("early.pcap", PcapWriter.micro(113).add(T, FrameBuilder.tcp().sll().build()).bytes());
    Read r = read(late, early);
    assertEquals(List.of(us(T + 100 * S), us(T)), r.timestamps());
    assertEquals(List.of(1, 113), r.frames().stream().map(Frame::linkType).toList());
    assertEquals(List.of(1L, 1L), r.frames().stream().map(Frame::frameNumber).toList(), "numbered per input");
    assertEquals(List.of(late.toString(), early.toString()), r.inputs().stream().map(InputSummary::path).toList());
  }

  @Test
  void directoryIsReadInTheTimeOrderOfItsCaptures() throws IOException {
    Path d = Files.createDirectory(dir.resolve("captures"));
    PcapWriter.writeBytes(d.resolve("a.pcap"), PcapWriter.micro(1).add(T + 30 * S, frame(30)).bytes());
    PcapWriter.writeBytes(d.resolve("b.pcapng"), PcapngWriter.create(false).iface(1).epb(0, T + 10 * S, frame(10)).bytes());
    PcapWriter.writeBytes(d.resolve("c.gz"), PcapWriter.gzip(PcapWriter.nano(1).add(T + 20 * S, frame(20)).bytes()));
    PcapWriter.writeBytes(d.resolve("README.txt"), "not a capture\n".getBytes());
    Read r = read(d);
    assertEquals(List.of(10, 20, 30), r.frames().stream().map(f -> port(f.bytes())).toList());
    assertEquals(List.of(0, 1, 2), r.frames().stream().map(Frame::inputIndex).toList());
    assertEquals(List.of("b.pcapng", "c.gz", "a.pcap"),
        r.inputs().stream().map(i -> Path.of(i.path()).getFileName().toString()).toList());
  }

  @Test
  void directoryWithoutCapturesIsAnInputError() throws IOException {
    Path d = Files.createDirectory(dir.resolve("empty"));
    PcapWriter.writeBytes(d.resolve("notes.txt"), "hello".getBytes());
    InputException e = assertThrows(InputException.class, () -> read(d));
    assertTrue(e.getMessage().contains("no pcap or pcapng capture"), e.getMessage());
  }

  // ---- unusable inputs ----------------------------------------------------------------------

  private static void assertOneLine(String message) {
    assertFalse(message.contains("\n") || message.contains("\r"), "one line: " + message);
  }

  @Test
  void missingFile() {
    Path missing = dir.resolve("nope.pcap");
    InputException e = assertThrows(InputException.class, () -> read(missing));
    assertEquals(missing + ": no such file", e.getMessage());
    assertEquals(missing.toString(), e.path());
  }

  @Test
  void emptyFile() {
    Path empty = file("empty.pcap", new byte[0]);
    InputException e = assertThrows(InputException.class, () -> read(empty));
    assertEquals(empty + ": empty file", e.getMessage());
  }

  @Test
  void nonCaptureFileNamesItsMagicBytes() {
    Path zip = file("x.pcap", new byte[] {0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0});
    InputException e = assertThrows(InputException.class, () -> read(zip));
    assertTrue(e.getMessage().startsWith(zip + ": not a pcap or pcapng capture"), e.getMessage());
    assertTrue(e.getMessage().contains("50 4b 03 04"), e.getMessage());
    assertOneLine(e.getMessage());
  }

  @Test
  void nonCaptureInsideGzipSaysSo() {
    Path gz = file("x.gz", PcapWriter.gzip("hello world, not a capture".getBytes()));
    InputException e = assertThrows(InputException.class, () -> read(gz));
    assertTrue(e.getMessage().contains("68 65 6c 6c") && e.getMessage().contains("after gzip"), e.getMessage());
    assertOneLine(e.getMessage());
  }

  @Test
  void gzipOfNothing() {
    Path gz = file("nothing.gz", PcapWriter.gzip(new byte[0]));
    InputException e = assertThrows(InputException.class, () -> read(gz));
    assertEquals(gz + ": gzip stream holds an empty file", e.getMessage());
  }

  @Test
  void nonCaptureOnStdinNamesStdin() {
    InputException e = assertThrows(InputException.class,
        () -> read(List.of("-"), new ByteArrayInputStream("GET / HTTP/1.1\r\n".getBytes())));
    assertTrue(e.getMessage().startsWith("<stdin>: not a pcap or pcapng capture: first bytes are 47 45 54 20"),
        e.getMessage());
  }

  @Test
  void emptyStdin() {
    InputException e = assertThrows(InputException.class, () -> read(List.of("-"), InputStream.nullInputStream()));
    assertEquals("<stdin>: empty file", e.getMessage());
  }

  @Test
  void fileTooShortForAMagic() {
    Path p = file("short", new byte[] {(byte) 0xd4, (byte) 0xc3});
    InputException e = assertThrows(InputException.class, () -> read(p));
    assertTrue(e.getMessage().contains("too short"), e.getMessage());
  }

  @Test
  void truncatedPcapFileHeader() {
    Path p = file("th.pcap", Arrays.copyOf(PcapWriter.micro(1).bytes(), 10));
    InputException e = assertThrows(InputException.class, () -> read(p));
    assertTrue(e.getMessage().contains("truncated pcap file header"), e.getMessage());
    assertOneLine(e.getMessage());
  }

  @Test
  void pcapngWithABadByteOrderMagic() {
    byte[] b = PcapngWriter.create(false).bytes();
    b[8] = 0x11;
    InputException e = assertThrows(InputException.class, () -> read(file("bom.pcapng", b)));
    assertTrue(e.getMessage().contains("byte-order magic"), e.getMessage());
  }

  @Test
  void aBadInputAmongGoodOnesFailsBeforeAnyWork() {
    Path good = file("good.pcap", PcapWriter.micro(1).add(T, frame(1)).bytes());
    Path bad = dir.resolve("missing.pcap");
    InputException e = assertThrows(InputException.class,
        () -> FileCaptureSource.open(List.of(good.toString(), bad.toString()), InputStream.nullInputStream()));
    assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
  }
}
