package dev.synscope.capture;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/**
 * Reads capture files through libpcap (pcap4j), the {@code --reader libpcap} alternative to the
 * built-in reader. It expands arguments exactly as {@link FileCaptureSource} does (directories to
 * their captures in time order, '-' for stdin) and delivers the same frames, with these documented
 * differences, all reported as warnings in {@link #inputs()}:
 *
 * <ul>
 *   <li>A damaged record ends the input (libpcap gives up); the built-in reader resyncs past it.
 *   <li>A record whose sub-second timestamp field is out of range (nanoseconds &ge; 1e9) cannot be
 *       represented by pcap4j's {@code java.sql.Timestamp} and is skipped; the built-in reader keeps
 *       it as read. Frame numbers still count it, so the numbers of later frames agree.
 *   <li>A pcapng file whose interfaces have different link types stops where the odd interface is
 *       described, usually before the first packet (libpcap supports one link type per handle);
 *       the built-in reader reads all.
 *   <li>A record longer than the file header's snaplen is cut to the snaplen by libpcap; the
 *       built-in reader keeps every captured byte.
 *   <li>libpcap reports DLT values, mapped back here to LINKTYPE values: a file that wrote
 *       DLT_RAW as 12 or 14 shows as RAW (101).
 * </ul>
 *
 * <p>gzip input is decompressed to a temporary file first (libpcap cannot read it), deleted as
 * soon as the input is done. Stdin is handed to libpcap directly when it is the process's stdin
 * (streaming, as {@code tcpdump -r -} does; gzip is then not possible), and otherwise spooled to a
 * temporary file. Read directly, stdin's format shows as "pcap" or "pcapng" (libpcap does not say
 * whether a pcap has nanosecond timestamps; the timestamps themselves are exact).
 *
 * <p>Frames come from {@code pcap_dispatch} in batches into a ring that {@link #next} serves,
 * so the pull API needs no thread. pcap4j allocates a fresh array per packet; the ring keeps a
 * reference to it instead of copying it once more.
 */
final class LibpcapFileSource implements CaptureSource {
  private static final int BATCH = 4096;

  private final List<String> paths;
  private final InputStream stdin;
  private final List<InputStats> done = new ArrayList<>();
  private int index = -1;
  private InputStats current;

  // The current input.
  private PcapHandle handle;
  private Path tempFile;
  private int linkType;
  private boolean inputDone;
  private long recordNumber;
  private long skippedRecords;
  private String skipReason;

  // The batch ring, filled by the listener during dispatch, served by next().
  private byte[][] data = new byte[BATCH][];
  private int[] originalLengths = new int[BATCH];
  private long[] timestamps = new long[BATCH];
  private long[] frameNumbers = new long[BATCH];
  private int count;
  private int pos;
  private final RawPacketListener listener = this::onPacket;
  private final Consumer<Throwable> callbackFailure = this::onCallbackFailure;

  private final List<String> warnings;

  private LibpcapFileSource(List<String> paths, InputStream stdin, List<String> warnings) {
    this.paths = paths;
    this.stdin = stdin;
    this.warnings = List.copyOf(warnings);
  }

  @Override
  public List<String> warnings() {
    return warnings;
  }

  /**
   * Expands the arguments and checks that libpcap can open each file, so a bad argument fails
   * before any work is done.
   */
  static LibpcapFileSource open(List<String> arguments, InputStream stdin) throws IOException {
    List<String> expandWarnings = new ArrayList<>();
    List<String> paths = FileCaptureSource.expand(arguments, expandWarnings);
    String problem = libpcapProblem();
    if (problem != null) {
      throw new InputException(paths.isEmpty() ? "libpcap" : paths.get(0), problem, null);
    }
    for (String path : paths) {
      if (!CaptureFiles.STDIN.equals(path)) {
        probe(path);
      }
    }
    return new LibpcapFileSource(List.copyOf(paths), stdin, expandWarnings);
  }

  // ---------------------------------------------------------------- libpcap availability

  /** Where temporary copies go; null for java.io.tmpdir (tests point it elsewhere). */
  static volatile Path tempDirectory;

  private static volatile String unavailable;
  private static volatile boolean checked;
  /** The failure handler of the pcap4j callback running on this thread, if any. */
  private static final ThreadLocal<Consumer<Throwable>> CALLBACK_FAILURE = new ThreadLocal<>();

  /**
   * Null when libpcap can be loaded, else a one-line explanation. Also installs the JNA callback
   * exception handler that turns a pcap4j callback failure into a counted skip instead of a stack
   * trace on stderr.
   */
  static String libpcapProblem() {
    if (!checked) {
      synchronized (LibpcapFileSource.class) {
        if (!checked) {
          try {
            Pcaps.libVersion();
            installCallbackExceptionHandler();
          } catch (LinkageError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            unavailable =
                "libpcap cannot be loaded (install it: apt-get install libpcap0.8, or use the"
                    + " builtin reader): " + loadFailure(why);
          }
          checked = true;
        }
      }
    }
    return unavailable;
  }

  /** JNA's multi-line "Unable to load library 'x':\nx: cannot open ..." as one line. */
  private static String loadFailure(String why) {
    String[] lines = why.strip().split("\\R");
    String first = lines[0].strip();
    if (first.endsWith(":")) {
      first = first.substring(0, first.length() - 1);
    }
    return lines.length > 1 && !lines[1].isBlank() ? first + " (" + lines[1].strip() + ")" : first;
  }

  private static void installCallbackExceptionHandler() {
    Callback.UncaughtExceptionHandler previous = Native.getCallbackExceptionHandler();
    Native.setCallbackExceptionHandler(
        (callback, e) -> {
          Consumer<Throwable> handler = CALLBACK_FAILURE.get();
          if (handler != null) {
            handler.accept(e);
          } else if (previous != null) {
            previous.uncaughtException(callback, e);
          }
        });
  }

  /** Runs a pcap4j dispatch with {@code onFailure} receiving exceptions thrown inside its callback. */
  static int dispatchGuarded(
      PcapHandle handle, int max, RawPacketListener listener, Consumer<Throwable> onFailure)
      throws PcapNativeException, InterruptedException, NotOpenException {
    CALLBACK_FAILURE.set(onFailure);
    try {
      return handle.dispatch(max, listener);
    } finally {
      CALLBACK_FAILURE.remove();
    }
  }

  /** LINKTYPE_ number for the DLT_ value libpcap reports (they differ for a few on Linux). */
  static int linkTypeOf(int dlt) {
    return switch (dlt) {
      case 11 -> 100; // DLT_ATM_RFC1483
      case 12, 14 -> 101; // DLT_RAW
      case 15 -> 102; // DLT_SLIP_BSDOS
      case 16 -> 103; // DLT_PPP_BSDOS
      case 19 -> 106; // DLT_ATM_CLIP
      default -> dlt;
    };
  }

  /** Nanoseconds since the epoch of the timestamp pcap4j built for the current packet. */
  static long nanosOf(Timestamp ts) {
    return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
  }

  /** libpcap's error text, without pcap4j's prefixes and without a trailing period or newline. */
  static String libpcapMessage(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    for (String prefix : new String[] {"Error occurred: ", "Unexpected error occurred: "}) {
      if (m.startsWith(prefix)) {
        m = m.substring(prefix.length());
      }
    }
    return firstLine(m).strip();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  // ---------------------------------------------------------------- opening inputs

  /** Fails with the user's one-line problem when the file cannot be read. */
  private static void probe(String path) throws IOException {
    byte[] magic = checkFile(path);
    if (isGzip(magic)) {
      // libpcap never sees it; check the decompressed header the way the built-in reader does.
      try {
        CaptureFiles.open(path, InputStream.nullInputStream(), new InputStats(path)).bytes().close();
      } catch (IOException e) {
        throw new InputException(path, e.getMessage(), e);
      }
      return;
    }
    openHandle(path, path, magic).close();
  }

  /** Java-side checks with the built-in reader's wording; returns the first (up to 4) bytes. */
  private static byte[] checkFile(String path) throws InputException {
    Path p = Path.of(path);
    if (!Files.exists(p)) {
      throw new InputException(path, "no such file", null);
    }
    if (Files.isDirectory(p)) {
      throw new InputException(path, "is a directory", null);
    }
    if (!Files.isReadable(p)) {
      throw new InputException(path, "permission denied", null);
    }
    try (InputStream in = Files.newInputStream(p)) {
      byte[] magic = in.readNBytes(4);
      if (magic.length == 0) {
        throw new InputException(path, "empty file", null);
      }
      return magic;
    } catch (InputException e) {
      throw e;
    } catch (IOException e) {
      throw new InputException(path, "cannot read: " + e.getMessage(), e);
    }
  }

  private static boolean isGzip(byte[] magic) {
    return magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
  }

  /** The built-in reader's format names, from the magic number. */
  private static String formatOf(byte[] magic) {
    if (magic.length < 4) {
      return "unknown";
    }
    return switch (Bytes.i32(magic, 0, true)) {
      case 0xa1b2c3d4, 0xd4c3b2a1 -> "pcap";
      case 0xa1b23c4d, 0x4d3cb2a1 -> "pcap-ns";
      case 0x0A0D0D0A -> "pcapng";
      default -> "unknown";
    };
  }

  /**
   * Opens {@code file} (a real path or "-") with nanosecond timestamps, turning libpcap's refusal
   * into an {@link InputException} about {@code shownPath}.
   */
  private static PcapHandle openHandle(String shownPath, String file, byte[] magic) throws InputException {
    try {
      return Pcaps.openOffline(file, PcapHandle.TimestampPrecision.NANO);
    } catch (PcapNativeException e) {
      String m = libpcapMessage(e);
      if (m.startsWith(file + ": ")) {
        m = m.substring(file.length() + 2);
      }
      String problem;
      if (m.contains("unknown file format")) {
        problem =
            "not a pcap or pcapng capture"
                + (magic != null && magic.length > 0 ? ": first bytes are " + Bytes.spacedHex(magic) : "")
                + " (libpcap: unknown file format)";
        if (CaptureFiles.STDIN.equals(file)) {
          problem += "; gzip on stdin needs the builtin reader or zcat";
        }
      } else {
        problem = "libpcap cannot read it: " + m;
      }
      throw new InputException(shownPath, problem, e);
    }
  }

  private boolean openNext() throws IOException {
    if (index + 1 >= paths.size()) {
      return false;
    }
    index++;
    String path = paths.get(index);
    boolean isStdin = CaptureFiles.STDIN.equals(path);
    String shown = isStdin ? "<stdin>" : path;
    current = new InputStats(shown);
    done.add(current);
    recordNumber = 0;
    skippedRecords = 0;
    skipReason = null;
    inputDone = false;
    count = 0;
    pos = 0;
    String file;
    byte[] magic = null;
    String suffix = "";
    if (isStdin && stdin == System.in) {
      file = CaptureFiles.STDIN; // libpcap reads fd 0 itself, streaming
    } else if (isStdin) {
      tempFile = spool(shown, stdin, current);
      file = tempFile.toString();
      magic = headOf(tempFile);
      if ("gzip".equals(current.format)) {
        suffix = "+gzip";
      }
    } else {
      magic = checkFile(path);
      if (isGzip(magic)) {
        try (InputStream in = Files.newInputStream(Path.of(path))) {
          tempFile = spool(shown, in, current);
        }
        file = tempFile.toString();
        magic = headOf(tempFile);
        suffix = "+gzip";
      } else {
        file = path;
      }
    }
    handle = openHandle(shown, file, magic);
    linkType = linkTypeOf(handle.getDlt().value());
    current.declareLinkType(linkType);
    String format = magic != null ? formatOf(magic) : majorVersionFormat(handle);
    current.format = format + suffix;
    return true;
  }

  private static String majorVersionFormat(PcapHandle h) {
    try {
      return h.getMajorVersion() == 1 ? "pcapng" : "pcap";
    } catch (NotOpenException e) {
      return "unknown";
    }
  }

  private static byte[] headOf(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(4);
    }
  }

  /**
   * Copies a stream to a private temporary file, decompressing it when it starts with the gzip
   * magic. Damaged or truncated gzip data keeps what was decompressed, with a warning.
   */
  private static Path spool(String shown, InputStream source, InputStats stats) throws IOException {
    Path directory = tempDirectory;
    Path temp =
        directory == null
            ? Files.createTempFile("synscope-libpcap-", ".pcap")
            : Files.createTempFile(directory, "synscope-libpcap-", ".pcap");
    temp.toFile().deleteOnExit();
    try (OutputStream out = Files.newOutputStream(temp)) {
      java.io.PushbackInputStream in = new java.io.PushbackInputStream(source, 2);
      byte[] head = in.readNBytes(2);
      in.unread(head);
      if (isGzip(head)) {
        stats.format = "gzip";
        long written = 0;
        try {
          GZIPInputStream gz = new GZIPInputStream(in, 1 << 16);
          byte[] buf = new byte[1 << 16];
          for (int n; (n = gz.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            written += n;
          }
        } catch (ZipException | EOFException e) {
          stats.warnings.add(
              "damaged gzip data after " + written + " decompressed bytes (" + e.getMessage()
                  + "); read what came before it");
        }
      } else {
        in.transferTo(out);
      }
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      throw new InputException(shown, "cannot copy to a temporary file: " + e.getMessage(), e);
    }
    if (Files.size(temp) == 0) {
      Files.deleteIfExists(temp);
      throw new InputException(shown, "gzip".equals(stats.format) ? "gzip stream holds an empty file" : "empty file", null);
    }
    return temp;
  }

  // ---------------------------------------------------------------- reading

  @Override
  public boolean next(RawFrame frame) throws IOException {
    while (true) {
      if (pos < count) {
        int i = pos++;
        byte[] bytes = data[i];
        data[i] = null;
        frame.data = bytes;
        frame.offset = 0;
        frame.capturedLength = bytes.length;
        frame.originalLength = originalLengths[i];
        frame.linkType = linkType;
        frame.timestampNanos = timestamps[i];
        frame.inputIndex = index;
        frame.frameNumber = frameNumbers[i];
        current.count(frame);
        return true;
      }
      if (handle != null && !inputDone) {
        refill();
        continue;
      }
      if (handle != null) {
        finishInput();
      }
      if (!openNext()) {
        return false;
      }
    }
  }

  private void refill() throws IOException {
    count = 0;
    pos = 0;
    try {
      int n = dispatchGuarded(handle, BATCH, listener, callbackFailure);
      if (n == 0) {
        inputDone = true; // end of file
      }
    } catch (PcapNativeException e) {
      // Whatever the batch delivered before the error is still served.
      current.warnings.add(
          "libpcap stopped reading after record " + recordNumber + ": " + libpcapMessage(e));
      inputDone = true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      inputDone = true;
    } catch (NotOpenException e) {
      throw new IOException("libpcap handle closed while reading " + current.path, e);
    }
  }

  private void onPacket(byte[] bytes) {
    if (count == data.length) {
      int n = count * 2;
      data = Arrays.copyOf(data, n);
      originalLengths = Arrays.copyOf(originalLengths, n);
      timestamps = Arrays.copyOf(timestamps, n);
      frameNumbers = Arrays.copyOf(frameNumbers, n);
    }
    int i = count++;
    Integer original = handle.getOriginalLength();
    data[i] = bytes;
    originalLengths[i] = original == null ? bytes.length : Math.max(original, bytes.length);
    timestamps[i] = nanosOf(handle.getTimestamp());
    frameNumbers[i] = ++recordNumber;
  }

  private void onCallbackFailure(Throwable e) {
    recordNumber++;
    skippedRecords++;
    if (skipReason == null) {
      skipReason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  private void finishInput() throws IOException {
    if (skippedRecords > 0) {
      current.warnings.add(
          skippedRecords + " record(s) skipped: pcap4j cannot represent them (" + skipReason
              + "; a sub-second timestamp field out of range?)");
    }
    closeCurrent();
  }

  private void closeCurrent() throws IOException {
    if (handle != null) {
      handle.close();
      handle = null;
    }
    Arrays.fill(data, null);
    count = 0;
    pos = 0;
    if (tempFile != null) {
      Files.deleteIfExists(tempFile);
      tempFile = null;
    }
  }

  @Override
  public List<InputSummary> inputs() {
    List<InputSummary> out = new ArrayList<>();
    for (InputStats s : done) {
      out.add(s.summary());
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }
}
