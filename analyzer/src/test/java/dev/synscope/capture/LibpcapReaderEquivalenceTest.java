package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.synscope.capture.LibpcapFileSourceTest.Captures;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The libpcap reader must deliver the built-in reader's frames (bytes, lengths, timestamps, link
 * types, frame numbers) on every capture of the shared corpus and of samples/. Where the two
 * legitimately differ, {@link #KNOWN} names the difference and the test asserts exactly it.
 */
class LibpcapReaderEquivalenceTest {

  /** The ways libpcap differs from the built-in reader, each asserted precisely. */
  enum Difference {
    /**
     * A record header claims an impossible length: libpcap stops there with "invalid packet
     * capture length"; the built-in reader scans for the next plausible record and goes on. The
     * libpcap frames are a prefix of the built-in ones.
     */
    LIBPCAP_STOPS_AT_CORRUPT_RECORD,
    /**
     * A record's captured length exceeds the file header's snaplen: libpcap cuts the frame to the
     * snaplen; the built-in reader keeps every captured byte. Same frames otherwise.
     */
    LIBPCAP_CUTS_TO_SNAPLEN,
    /**
     * Sub-second timestamp fields out of range (nanoseconds &ge; 1e9): pcap4j's Timestamp cannot
     * hold them, so the libpcap reader skips those records (counted in a warning); the built-in
     * reader keeps them as read. Frame numbers of the others agree.
     */
    LIBPCAP_SKIPS_INVALID_FRACTION,
  }

  static final Map<String, Difference> KNOWN = Map.of(
      "suricata-fuzz-bad-record.pcap", Difference.LIBPCAP_STOPS_AT_CORRUPT_RECORD,
      "suricata-tls-incomplete-record-partial.pcap", Difference.LIBPCAP_STOPS_AT_CORRUPT_RECORD,
      "tcpdump-mptcp-dss-oobr.pcap", Difference.LIBPCAP_CUTS_TO_SNAPLEN,
      "tcpdump-timestamp_invalid_nano.pcap", Difference.LIBPCAP_SKIPS_INVALID_FRACTION);

  private static final Pattern CAPTURE_NAME =
      Pattern.compile("(?i).*\\.(pcap|pcapng|cap)(\\.gz)?$");

  @TempDir Path dir;

  @BeforeAll
  static void libpcap() {
    String problem = LibpcapFileSource.libpcapProblem();
    assumeTrue(problem == null, () -> "libpcap reader equivalence skipped: " + problem);
  }

  static Path root() {
    return Path.of(System.getProperty("synscope.root", ".")).toAbsolutePath().normalize();
  }

  @TestFactory
  Stream<DynamicTest> sharedCorpus() throws IOException {
    Path corpus = root().resolve("../shared/corpus").normalize();
    assumeTrue(Files.isDirectory(corpus), () -> "no shared corpus at " + corpus + ": comparison skipped");
    List<Path> files = captures(corpus);
    assumeTrue(!files.isEmpty(), () -> "no captures in " + corpus);
    return files.stream().map(p -> dynamicTest(p.getFileName().toString(), () -> compare(p)));
  }

  @TestFactory
  Stream<DynamicTest> samples() throws IOException {
    Path samples = root().resolve("samples");
    assumeTrue(Files.isDirectory(samples), () -> "no samples/ at " + samples + ": comparison skipped");
    List<Path> files = captures(samples);
    assumeTrue(!files.isEmpty(), () -> "no captures in " + samples + " yet");
    // Samples are recorded by the project: they must read identically, no exceptions.
    return files.stream().map(p -> dynamicTest(p.getFileName().toString(), () -> compare(p, null)));
  }

  private static List<Path> captures(Path directory) throws IOException {
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(Files::isRegularFile)
          .filter(p -> CAPTURE_NAME.matcher(p.getFileName().toString()).matches() || hasCaptureMagic(p))
          .sorted()
          .toList();
    }
  }

  private static boolean hasCaptureMagic(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] m = in.readNBytes(4);
      if (m.length < 4) {
        return false;
      }
      int v = ByteBuffer.wrap(m).getInt();
      return v == 0xa1b2c3d4 || v == 0xd4c3b2a1 || v == 0xa1b23c4d || v == 0x4d3cb2a1 || v == 0x0A0D0D0A
          || ((m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b);
    } catch (IOException e) {
      return false;
    }
  }

  record Frame(long timestampNanos, int capturedLength, int originalLength, int linkType, long frameNumber,
      int inputIndex, byte[] bytes) {}

  record Read(List<Frame> frames, List<InputSummary> inputs, IOException error) {}

  static Read read(String reader, List<String> paths, InputStream stdin) {
    List<Frame> frames = new ArrayList<>();
    try (CaptureSource s = CaptureSources.open(reader, paths, stdin)) {
      RawFrame f = new RawFrame();
      while (s.next(f)) {
        frames.add(new Frame(f.timestampNanos, f.capturedLength, f.originalLength, f.linkType,
            f.frameNumber, f.inputIndex, Arrays.copyOfRange(f.data, f.offset, f.offset + f.capturedLength)));
      }
      return new Read(frames, s.inputs(), null);
    } catch (IOException e) {
      return new Read(frames, List.of(), e);
    }
  }

  private void compare(Path file) throws IOException {
    compare(file, KNOWN.get(file.getFileName().toString()));
  }

  private void compare(Path file, Difference expected) throws IOException {
    String name = file.getFileName().toString();
    Read builtin = read("builtin", List.of(file.toString()), InputStream.nullInputStream());
    Read libpcap = read("libpcap", List.of(file.toString()), InputStream.nullInputStream());
    if (builtin.error() != null) {
      // Neither reader may accept what the other refuses as an input problem.
      assertTrue(builtin.error() instanceof InputException, builtin.error().toString());
      assertNotNull(libpcap.error(), name + ": builtin refuses (" + builtin.error().getMessage() + "), libpcap reads it");
      assertTrue(libpcap.error() instanceof InputException, libpcap.error().toString());
      System.out.printf("libpcap-equivalence %s: both refuse it%n", name);
      return;
    }
    assertEquals(null, libpcap.error(), name + ": libpcap fails where builtin reads");
    List<Frame> b = builtin.frames();
    List<Frame> l = libpcap.frames();
    InputSummary bs = builtin.inputs().get(0);
    InputSummary ls = libpcap.inputs().get(0);
    assertEquals(bs.format(), ls.format(), name + " format");
    if (expected == null) {
      assertSameFrames(name, b, l);
      assertEquals(bs, ls, name + " summary");
      System.out.printf("libpcap-equivalence %s: %d frames identical%n", name, l.size());
      return;
    }
    switch (expected) {
      case LIBPCAP_STOPS_AT_CORRUPT_RECORD -> {
        assertTrue(l.size() <= b.size(), name + ": libpcap read more frames than builtin");
        assertSameFrames(name, b.subList(0, l.size()), l);
        assertTrue(bs.warnings().stream().anyMatch(w -> w.startsWith("corrupt record")), bs.warnings().toString());
        String stop = "libpcap stopped reading after record " + l.size() + ": invalid packet capture length";
        assertTrue(ls.warnings().stream().anyMatch(w -> w.startsWith(stop)), ls.warnings().toString());
        System.out.printf("libpcap-equivalence %s: %d frames identical; libpcap stops at the corrupt record,"
            + " builtin resyncs or stops, %d%n", name, l.size(), b.size());
      }
      case LIBPCAP_CUTS_TO_SNAPLEN -> {
        int snaplen = pcapSnaplen(file);
        assertEquals(b.size(), l.size(), name + " frame count");
        int cut = 0;
        for (int i = 0; i < b.size(); i++) {
          Frame x = b.get(i);
          Frame y = l.get(i);
          int expectedLength = Math.min(x.capturedLength(), snaplen);
          cut += expectedLength < x.capturedLength() ? 1 : 0;
          assertEquals(new Frame(x.timestampNanos(), expectedLength, x.originalLength(), x.linkType(),
              x.frameNumber(), x.inputIndex(), null), withoutBytes(y), name + " frame " + (i + 1));
          assertArrayEquals(Arrays.copyOf(x.bytes(), expectedLength), y.bytes(), name + " bytes of frame " + (i + 1));
        }
        assertTrue(cut > 0, name + ": no record exceeds the snaplen any more; drop it from KNOWN");
        System.out.printf("libpcap-equivalence %s: %d frames, %d cut by libpcap to the file snaplen %d%n",
            name, l.size(), cut, snaplen);
      }
      case LIBPCAP_SKIPS_INVALID_FRACTION -> {
        Set<Long> invalid = invalidFractionRecords(file);
        assertFalse(invalid.isEmpty(), name + ": no out-of-range fraction any more; drop it from KNOWN");
        List<Frame> kept = b.stream().filter(f -> !invalid.contains(f.frameNumber())).toList();
        assertSameFrames(name, kept, l);
        Matcher m = Pattern.compile("^(\\d+) record\\(s\\) skipped: pcap4j cannot represent them")
            .matcher(String.join("\n", ls.warnings()));
        assertTrue(m.find(), ls.warnings().toString());
        assertEquals(invalid.size(), Integer.parseInt(m.group(1)));
        System.out.printf("libpcap-equivalence %s: %d frames identical, %d with out-of-range fractions"
            + " skipped by libpcap (builtin keeps %d)%n", name, l.size(), invalid.size(), b.size());
      }
    }
  }

  private static Frame withoutBytes(Frame f) {
    return new Frame(f.timestampNanos(), f.capturedLength(), f.originalLength(), f.linkType(), f.frameNumber(),
        f.inputIndex(), null);
  }

  static void assertSameFrames(String name, List<Frame> expected, List<Frame> actual) {
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      assertEquals(withoutBytes(expected.get(i)), withoutBytes(actual.get(i)), name + " frame " + (i + 1));
      assertArrayEquals(expected.get(i).bytes(), actual.get(i).bytes(), name + " bytes of frame " + (i + 1));
    }
    assertEquals(expected.size(), actual.size(), name + " frame count");
  }

  // ------------------------------------------------------------ raw pcap facts the test checks against

  private static ByteBuffer pcapHeader(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all);
    int magic = b.getInt(0);
    boolean big = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    assertTrue(big || magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1, file + " is not a classic pcap");
    return b.order(big ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
  }

  private static int pcapSnaplen(Path file) throws IOException {
    return pcapHeader(file).getInt(16);
  }

  /** 1-based numbers of the records whose sub-second field is out of range. */
  private static Set<Long> invalidFractionRecords(Path file) throws IOException {
    ByteBuffer b = pcapHeader(file);
    int magic = b.getInt(0); // a1b2c3d4 or a1b23c4d once read in the file's byte order
    long limit = magic == 0xa1b23c4d ? 1_000_000_000L : 1_000_000L;
    Set<Long> out = new HashSet<>();
    int p = 24;
    long n = 0;
    while (p + 16 <= b.limit()) {
      long fraction = Integer.toUnsignedLong(b.getInt(p + 4));
      int captured = b.getInt(p + 8);
      n++;
      if (fraction >= limit) {
        out.add(n);
      }
      p += 16 + captured;
    }
    return out;
  }

  // ------------------------------------------------------------ inputs that are not plain files

  @Test
  void gzipStdinAndDirectoriesReadIdentically() throws IOException {
    Path source = anyCapture();
    byte[] bytes = Files.readAllBytes(source);
    Path gz = dir.resolve("copy.pcap.gz");
    Files.write(gz, Captures.gzip(bytes));

    Read b = read("builtin", List.of(gz.toString()), InputStream.nullInputStream());
    Read l = read("libpcap", List.of(gz.toString()), InputStream.nullInputStream());
    assertSameFrames("gzip", b.frames(), l.frames());
    assertTrue(b.inputs().get(0).format().endsWith("+gzip"));
    assertEquals(b.inputs(), l.inputs());

    Read bIn = read("builtin", List.of("-"), new java.io.ByteArrayInputStream(Captures.gzip(bytes)));
    Read lIn = read("libpcap", List.of("-"), new java.io.ByteArrayInputStream(Captures.gzip(bytes)));
    assertSameFrames("stdin", bIn.frames(), lIn.frames());
    assertEquals(bIn.inputs(), lIn.inputs());

    // A directory: the same captures in the same (time) order, the same frames with input indexes.
    Path d = Files.createDirectory(dir.resolve("dir"));
    long base = 1_700_000_000_000_000_000L;
    Files.write(d.resolve("b-first.pcap"), Captures.pcap(1, 65535, false, List.of(
        new Captures.Rec(base, Captures.frame(60, 1), 60))));
    Files.write(d.resolve("a-second.pcapng"), Captures.pcapng(new int[] {1}, List.of(
        new Captures.NgRec(0, base / 1000 + 5_000_000, Captures.frame(70, 2)))));
    Files.write(d.resolve("c-third.pcap.gz"), Captures.gzip(Captures.pcap(1, 65535, true, List.of(
        new Captures.Rec(base + 9_000_000_001L, Captures.frame(80, 3), 80)))));
    Files.writeString(d.resolve("notes.txt"), "not a capture");
    Read bd = read("builtin", List.of(d.toString()), InputStream.nullInputStream());
    Read ld = read("libpcap", List.of(d.toString()), InputStream.nullInputStream());
    assertSameFrames("directory", bd.frames(), ld.frames());
    assertEquals(bd.inputs(), ld.inputs());
    assertEquals(List.of("b-first.pcap", "a-second.pcapng", "c-third.pcap.gz"),
        ld.inputs().stream().map(i -> Path.of(i.path()).getFileName().toString()).toList());
    assertEquals(List.of(0, 1, 2), ld.frames().stream().map(Frame::inputIndex).toList());
  }

  /**
   * A pcapng whose interfaces have different link types: libpcap (one link type per handle) stops
   * where the odd interface is described, so here (interfaces described up front, as tcpdump and
   * dumpcap write them) it reads nothing; the built-in reader reads every frame.
   */
  @Test
  void pcapngWithMixedLinkTypesStopsWhereLibpcapGivesUp() throws IOException {
    Path p = dir.resolve("mixed.pcapng");
    Files.write(p, Captures.pcapng(new int[] {1, 276}, List.of(
        new Captures.NgRec(0, 1_700_000_000_000_000L, Captures.frame(60, 1)),
        new Captures.NgRec(0, 1_700_000_000_000_100L, Captures.frame(60, 2)),
        new Captures.NgRec(1, 1_700_000_000_000_200L, Captures.frame(64, 3)),
        new Captures.NgRec(0, 1_700_000_000_000_300L, Captures.frame(60, 4)))));
    Read b = read("builtin", List.of(p.toString()), InputStream.nullInputStream());
    Read l = read("libpcap", List.of(p.toString()), InputStream.nullInputStream());
    assertEquals(List.of(1, 1, 276, 1), b.frames().stream().map(Frame::linkType).toList());
    assertSameFrames("mixed", b.frames().subList(0, l.frames().size()), l.frames());
    assertEquals(0, l.frames().size());
    List<String> warnings = l.inputs().get(0).warnings();
    assertTrue(warnings.stream().anyMatch(w -> w.startsWith("libpcap stopped reading after record ")
        && w.contains("different from the type of the first interface")), warnings.toString());
    System.out.printf("libpcap-equivalence mixed-link-type pcapng: libpcap %d frames + warning %s, builtin %d%n",
        l.frames().size(), warnings, b.frames().size());
  }

  /** Decimal and binary if_tsresol, as pcapng writers use them, convert to the same nanoseconds. */
  @Test
  void pcapngTimestampResolutionsAgree() throws IOException {
    int[] tsresol = {-1, 9, 3, 0x80 | 20, 0x80 | 30, 0x80 | 33};
    int[] linkTypes = new int[tsresol.length];
    Arrays.fill(linkTypes, 1);
    long[] unitsPerSecond = {1_000_000L, 1_000_000_000L, 1_000L, 1L << 20, 1L << 30, 1L << 33};
    List<Captures.NgRec> recs = new ArrayList<>();
    long seconds = 1_700_000_000L;
    for (int i = 0; i < tsresol.length; i++) {
      for (long rest : new long[] {0, 1, unitsPerSecond[i] / 3, unitsPerSecond[i] - 1}) {
        recs.add(new Captures.NgRec(i, seconds * unitsPerSecond[i] + rest, Captures.frame(60, recs.size())));
      }
      seconds += 10;
    }
    Path p = dir.resolve("resolutions.pcapng");
    Files.write(p, Captures.pcapng(linkTypes, tsresol, recs));
    Read b = read("builtin", List.of(p.toString()), InputStream.nullInputStream());
    Read l = read("libpcap", List.of(p.toString()), InputStream.nullInputStream());
    assertEquals(recs.size(), b.frames().size());
    assertSameFrames("resolutions", b.frames(), l.frames());
    assertEquals(b.inputs(), l.inputs());
  }

  private static Path anyCapture() throws IOException {
    for (Path candidate : List.of(root().resolve("samples/normal-ipv4.pcap"),
        root().resolve("../shared/corpus/tcpdump-resp_1_benchmark.pcap").normalize())) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    List<Captures.Rec> recs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      recs.add(new Captures.Rec(1_700_000_000_000_000_000L + i * 1_000L, Captures.frame(60 + i, i), 60 + i));
    }
    Path made = Files.createTempFile("synscope-equivalence-", ".pcap");
    made.toFile().deleteOnExit();
    Files.write(made, Captures.pcap(1, 65535, false, recs));
    return made;
  }
}
