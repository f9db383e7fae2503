package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libpcap reader's own behaviour: errors as one-line input problems, damage as warnings. */
class LibpcapFileSourceTest {
  @TempDir Path dir;

  @BeforeAll
  static void libpcap() {
    String problem = LibpcapFileSource.libpcapProblem();
    assumeTrue(problem == null, () -> "libpcap reader tests skipped: " + problem);
  }

  @Test
  void missingFileIsAnInputProblem() {
    String path = dir.resolve("nope.pcap").toString();
    InputException e = assertThrows(InputException.class, () -> open(path));
    assertEquals(path + ": no such file", e.getMessage());
    assertEquals(path, e.path());
  }

  @Test
  void textFileIsNotACapture() throws IOException {
    Path p = dir.resolve("notes.pcap");
    Files.writeString(p, "hello, not a capture\n");
    InputException e = assertThrows(InputException.class, () -> open(p.toString()));
    assertEquals(
        p + ": not a pcap or pcapng capture: first bytes are 68 65 6c 6c (libpcap: unknown file format)",
        e.getMessage());
  }

  @Test
  void emptyFileAndTruncatedHeaderAreInputProblems() throws IOException {
    Path empty = dir.resolve("empty.pcap");
    Files.write(empty, new byte[0]);
    assertEquals(empty + ": empty file", assertThrows(InputException.class, () -> open(empty.toString())).getMessage());

    Path shortHeader = dir.resolve("short.pcap");
    Files.write(shortHeader, java.util.Arrays.copyOf(Captures.pcap(1, 65535, false, List.of()), 10));
    String m = assertThrows(InputException.class, () -> open(shortHeader.toString())).getMessage();
    assertTrue(m.startsWith(shortHeader + ": libpcap cannot read it: truncated dump file"), m);
    assertFalse(m.contains("\n"), m);
  }

  @Test
  void directoryWithoutCapturesIsAnInputProblem() throws IOException {
    Files.writeString(dir.resolve("readme.txt"), "nothing here");
    InputException e = assertThrows(InputException.class, () -> open(dir.toString()));
    assertEquals(dir + ": directory holds no pcap or pcapng capture", e.getMessage());
  }

  @Test
  void truncatedLastRecordKeepsTheFramesBeforeItWithAWarning() throws IOException {
    byte[] whole = Captures.pcap(1, 65535, false, List.of(
        new Captures.Rec(1_700_000_000_000_000_000L, Captures.frame(60, 1), 60),
        new Captures.Rec(1_700_000_000_000_001_000L, Captures.frame(60, 2), 60),
        new Captures.Rec(1_700_000_000_000_002_000L, Captures.frame(60, 3), 60)));
    Path p = dir.resolve("cut.pcap");
    Files.write(p, java.util.Arrays.copyOf(whole, whole.length - 25));
    try (CaptureSource s = open(p.toString())) {
      List<RawFrame> frames = readAll(s);
      assertEquals(2, frames.size());
      assertEquals(1_700_000_000_000_001_000L, frames.get(1).timestampNanos);
      InputSummary summary = s.inputs().get(0);
      assertEquals(2, summary.packets());
      assertEquals(1, summary.warnings().size(), summary.warnings().toString());
      assertTrue(
          summary.warnings().get(0).startsWith("libpcap stopped reading after record 2: truncated dump file"),
          summary.warnings().toString());
    }
  }

  @Test
  void damagedGzipKeepsWhatCameBeforeWithWarnings() throws IOException {
    List<Captures.Rec> recs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      recs.add(new Captures.Rec(1_700_000_000_000_000_000L + i * 1000L, Captures.frame(200, i), 200));
    }
    byte[] gz = Captures.gzip(Captures.pcap(1, 65535, false, recs));
    Path p = dir.resolve("cut.pcap.gz");
    Files.write(p, java.util.Arrays.copyOf(gz, gz.length / 2));
    try (CaptureSource s = open(p.toString())) {
      int n = readAll(s).size();
      assertTrue(n > 0 && n < 2000, "frames " + n);
      InputSummary summary = s.inputs().get(0);
      assertEquals("pcap+gzip", summary.format());
      assertTrue(summary.warnings().get(0).startsWith("damaged gzip data after"), summary.warnings().toString());
    }
  }

  @Test
  void temporaryFilesAreDeleted() throws IOException {
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    LibpcapFileSource.tempDirectory = tmp;
    try {
      readGzipTwice(dir.resolve("a.pcap.gz"));
    } finally {
      LibpcapFileSource.tempDirectory = null;
    }
    assertEquals(List.of(), temps(tmp));
  }

  private void readGzipTwice(Path p) throws IOException {
    Files.write(p, Captures.gzip(Captures.pcap(1, 65535, true, List.of(
        new Captures.Rec(1_700_000_000_123_456_789L, Captures.frame(80, 7), 90)))));
    try (CaptureSource s = open(p.toString())) {
      RawFrame f = new RawFrame();
      assertTrue(s.next(f));
      assertEquals(1_700_000_000_123_456_789L, f.timestampNanos);
      assertEquals(80, f.capturedLength);
      assertEquals(90, f.originalLength);
      assertFalse(s.next(f));
      assertEquals("pcap-ns+gzip", s.inputs().get(0).format());
    }
    // closed early, in the middle of the input, too
    try (CaptureSource s = open(p.toString())) {
      assertTrue(s.next(new RawFrame()));
      assertEquals(1, temps(LibpcapFileSource.tempDirectory).size());
    }
  }

  /** The process's own stdin goes to libpcap as "-" (streaming): run it in a child JVM. */
  @Test
  void readsTheProcessStdinDirectly() throws Exception {
    byte[] pcap = Captures.pcap(113, 65535, true, List.of(
        new Captures.Rec(1_600_000_000_000_000_001L, Captures.frame(44, 1), 44),
        new Captures.Rec(1_600_000_000_000_000_002L, Captures.frame(44, 2), 60)));
    Path input = dir.resolve("in.pcap");
    Files.write(input, pcap);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StdinMain.class.getName())
        .redirectInput(input.toFile())
        .redirectErrorStream(true)
        .start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, child.exitValue(), out);
    assertEquals("<stdin> pcap 2 1600000000000000002 LINUX_SLL=2 []", out);
  }

  /** Entry point of the child JVM above. */
  public static final class StdinMain {
    public static void main(String[] args) throws IOException {
      try (CaptureSource s = LibpcapFileSource.open(List.of("-"), System.in)) {
        RawFrame f = new RawFrame();
        long last = 0;
        while (s.next(f)) {
          last = f.timestampNanos;
        }
        InputSummary i = s.inputs().get(0);
        StringBuilder types = new StringBuilder();
        i.linkTypes().forEach((k, v) -> types.append(k).append('=').append(v));
        System.out.println(i.path() + " " + i.format() + " " + i.packets() + " " + last + " " + types + " " + i.warnings());
      }
    }
  }

  @Test
  void stdinStreamThatIsNotTheProcessStdinIsSpooled() throws IOException {
    byte[] pcap = Captures.pcap(1, 65535, false, List.of(
        new Captures.Rec(1_600_000_000_000_001_000L, Captures.frame(54, 1), 54)));
    for (byte[] bytes : List.of(pcap, Captures.gzip(pcap))) {
      try (CaptureSource s = LibpcapFileSource.open(List.of("-"), new java.io.ByteArrayInputStream(bytes))) {
        List<RawFrame> frames = readAll(s);
        assertEquals(1, frames.size());
        assertEquals(1_600_000_000_000_001_000L, frames.get(0).timestampNanos);
        assertEquals("<stdin>", s.inputs().get(0).path());
        assertEquals(bytes == pcap ? "pcap" : "pcap+gzip", s.inputs().get(0).format());
      }
    }
    InputException e = assertThrows(InputException.class, () -> {
      try (CaptureSource s = LibpcapFileSource.open(List.of("-"), InputStream.nullInputStream())) {
        s.next(new RawFrame());
      }
    });
    assertEquals("<stdin>: empty file", e.getMessage());
  }

  @Test
  void linkTypesComeBackAsLinktypeNumbers() {
    assertEquals(101, LibpcapFileSource.linkTypeOf(12));
    assertEquals(1, LibpcapFileSource.linkTypeOf(1));
    assertEquals(276, LibpcapFileSource.linkTypeOf(276));
  }

  private static CaptureSource open(String path) throws IOException {
    return LibpcapFileSource.open(List.of(path), InputStream.nullInputStream());
  }

  private static List<Path> temps(Path tmp) throws IOException {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("synscope-libpcap-")).sorted().toList();
    }
  }

  static List<RawFrame> readAll(CaptureSource s) throws IOException {
    List<RawFrame> out = new ArrayList<>();
    RawFrame f = new RawFrame();
    while (s.next(f)) {
      RawFrame copy = new RawFrame();
      copy.copyFrom(f.data, f.offset, f.capturedLength);
      copy.originalLength = f.originalLength;
      copy.linkType = f.linkType;
      copy.timestampNanos = f.timestampNanos;
      copy.inputIndex = f.inputIndex;
      copy.frameNumber = f.frameNumber;
      out.add(copy);
    }
    return out;
  }

  /** Small builders of capture files for tests. */
  static final class Captures {
    private Captures() {}

    record Rec(long timestampNanos, byte[] bytes, int originalLength) {}

    /** A packet of interface {@code iface}, its timestamp in that interface's units. */
    record NgRec(int iface, long timestampMicros, byte[] bytes) {}

    static byte[] frame(int length, int seed) {
      byte[] b = new byte[length];
      for (int i = 0; i < length; i++) {
        b[i] = (byte) (seed * 31 + i * 7);
      }
      return b;
    }

    /** Classic pcap, little-endian, micro- or nanosecond magic. */
    static byte[] pcap(int linkType, int snaplen, boolean nanos, List<Rec> recs) {
      int size = 24;
      for (Rec r : recs) {
        size += 16 + r.bytes().length;
      }
      ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4);
      b.putInt(0).putInt(0).putInt(snaplen).putInt(linkType);
      for (Rec r : recs) {
        long seconds = r.timestampNanos() / 1_000_000_000L;
        long fraction = r.timestampNanos() % 1_000_000_000L;
        b.putInt((int) seconds).putInt((int) (nanos ? fraction : fraction / 1000));
        b.putInt(r.bytes().length).putInt(r.originalLength()).put(r.bytes());
      }
      return b.array();
    }

    /** pcapng with one section, the given interfaces (microsecond resolution) and packets. */
    static byte[] pcapng(int[] linkTypes, List<NgRec> recs) {
      return pcapng(linkTypes, null, recs);
    }

    /**
     * pcapng with one section and the given interfaces; {@code tsresol[i]}, when not null and not
     * negative, is interface i's if_tsresol byte, and packet timestamps are in those units.
     */
    static byte[] pcapng(int[] linkTypes, int[] tsresol, List<NgRec> recs) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer shb = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
      shb.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
          .putLong(-1L).putInt(28);
      out.writeBytes(shb.array());
      for (int i = 0; i < linkTypes.length; i++) {
        boolean option = tsresol != null && tsresol[i] >= 0;
        int total = option ? 32 : 20;
        ByteBuffer idb = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        idb.putInt(1).putInt(total).putShort((short) linkTypes[i]).putShort((short) 0).putInt(65535);
        if (option) {
          idb.putShort((short) 9).putShort((short) 1).put((byte) tsresol[i]).put(new byte[3]);
          idb.putShort((short) 0).putShort((short) 0);
        }
        idb.putInt(total);
        out.writeBytes(idb.array());
      }
      for (NgRec r : recs) {
        int padded = (r.bytes().length + 3) & ~3;
        int total = 32 + padded;
        ByteBuffer epb = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        epb.putInt(6).putInt(total).putInt(r.iface())
            .putInt((int) (r.timestampMicros() >>> 32)).putInt((int) r.timestampMicros())
            .putInt(r.bytes().length).putInt(r.bytes().length).put(r.bytes());
        epb.position(28 + padded);
        epb.putInt(total);
        out.writeBytes(epb.array());
      }
      return out.toByteArray();
    }

    static byte[] gzip(byte[] bytes) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
        gz.write(bytes);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      return out.toByteArray();
    }
  }
}
