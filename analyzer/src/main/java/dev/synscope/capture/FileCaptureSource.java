package dev.synscope.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The built-in reader: one or more files (or stdin) read in order, as one stream of frames, so
 * connection state carries across files. Needs no native library.
 */
public final class FileCaptureSource implements CaptureSource {
  private final List<String> paths;
  private final InputStream stdin;
  /** What the reports and errors call the stream read for '-'. */
  private final String stdinName;
  private final List<String> warnings;
  private final List<InputStats> done = new ArrayList<>();
  private int index = -1;
  private InputStats current;
  private CaptureFiles.Opened opened;
  /** Bytes of the inputs already read to their end. */
  private long readBefore;

  private FileCaptureSource(List<String> paths, InputStream stdin, String stdinName, List<String> warnings) {
    this.paths = paths;
    this.stdin = stdin;
    this.stdinName = stdinName;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * One capture that someone else opened (a stream engine's file system), read as a file named
   * {@code name}: its errors and warnings name it.
   */
  public static FileCaptureSource ofStream(String name, InputStream in) {
    return new FileCaptureSource(List.of(CaptureFiles.STDIN), in, name, List.of());
  }

  @Override
  public List<String> warnings() {
    return warnings;
  }

  /**
   * Expands the user's arguments (files, '-', directories: every capture in it, in time order of
   * their first packet) and checks that each can be opened, so a bad argument fails before any
   * work is done.
   */
  public static FileCaptureSource open(List<String> arguments, InputStream stdin) throws IOException {
    List<String> warnings = new ArrayList<>();
    List<String> paths = expand(arguments, warnings);
    for (String path : paths) {
      if (!CaptureFiles.STDIN.equals(path)) {
        probe(path);
      }
    }
    return new FileCaptureSource(List.copyOf(paths), stdin, "<stdin>", warnings);
  }

  /**
   * The user's arguments as the files to read, in order: a directory becomes every capture in
   * it (recognised by magic bytes), sorted by the time of its first packet. Both readers use
   * this, so they read the same sequence.
   */
  static List<String> expand(List<String> arguments, List<String> warnings) throws IOException {
    List<String> paths = new ArrayList<>();
    for (String argument : arguments) {
      Path p = Path.of(argument);
      if (!CaptureFiles.STDIN.equals(argument) && Files.isDirectory(p)) {
        paths.addAll(capturesIn(p, warnings));
      } else {
        paths.add(argument);
      }
    }
    return paths;
  }

  private static List<String> capturesIn(Path directory, List<String> warnings) throws IOException {
    record Candidate(String path, long firstTimestampNanos) {}
    List<Candidate> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new InputException(directory.toString(), "cannot list directory: " + e.getMessage(), e);
    }
    List<String> skipped = new ArrayList<>();
    for (Path file : files) {
      long first = firstTimestamp(file.toString());
      if (first != Long.MIN_VALUE || isCapture(file.toString())) {
        found.add(new Candidate(file.toString(), first));
      } else {
        skipped.add(file.getFileName().toString());
      }
    }
    if (!skipped.isEmpty()) {
      warnings.add(directory + ": " + skipped.size() + " file(s) that are not captures were not read: "
          + String.join(", ", skipped.subList(0, Math.min(10, skipped.size())))
          + (skipped.size() > 10 ? ", ..." : ""));
    }
    if (found.isEmpty()) {
      throw new InputException(directory.toString(), "directory holds no pcap or pcapng capture", null);
    }
    found.sort(Comparator.comparingLong(Candidate::firstTimestampNanos).thenComparing(Candidate::path));
    return found.stream().map(Candidate::path).toList();
  }

  private static boolean isCapture(String path) {
    try {
      probe(path);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static long firstTimestamp(String path) {
    InputStats stats = new InputStats(path);
    try {
      CaptureFiles.Opened o = CaptureFiles.open(path, InputStream.nullInputStream(), stats);
      try {
        RawFrame frame = new RawFrame();
        return o.reader().next(frame) ? frame.timestampNanos : Long.MIN_VALUE;
      } finally {
        o.bytes().close();
      }
    } catch (IOException e) {
      return Long.MIN_VALUE;
    }
  }

  private static void probe(String path) throws IOException {
    try {
      CaptureFiles.open(path, InputStream.nullInputStream(), new InputStats(path)).bytes().close();
    } catch (IOException e) {
      throw new InputException(path, e.getMessage(), e);
    }
  }

  @Override
  public boolean next(RawFrame frame) throws IOException {
    while (true) {
      if (opened == null && !openNext()) {
        return false;
      }
      boolean read;
      try {
        read = opened.reader().next(frame);
      } catch (java.io.EOFException | java.util.zip.ZipException e) {
        if (!current.format.endsWith("+gzip")) {
          throw e;
        }
        // A cut or damaged .gz is bad content, not an I/O failure: keep the frames before it.
        current.warnings.add(
            "compressed data " + (e instanceof java.io.EOFException ? "ends early" : "is damaged")
                + " (" + e.getMessage() + "): stopped reading after " + current.packets + " frame(s)");
        read = false;
      }
      if (read) {
        frame.inputIndex = index;
        current.count(frame);
        return true;
      }
      readBefore += opened.counted().count();
      opened.bytes().close();
      opened = null;
    }
  }

  @Override
  public ReadPosition position() {
    if (index < 0) {
      return null;
    }
    String path = paths.get(index);
    long read = opened == null ? 0 : opened.counted().count();
    long sizeAll = 0;
    for (String p : paths) {
      long size = size(p);
      sizeAll = size < 0 || sizeAll < 0 ? -1 : sizeAll + size;
    }
    return new ReadPosition(index, paths.size(), current.path, read, size(path), readBefore + read, sizeAll);
  }

  private final java.util.Map<String, Long> sizes = new java.util.HashMap<>();

  /** A file's size (looked up once), or -1 for stdin and what is not a regular file (a pipe). */
  private long size(String path) {
    return sizes.computeIfAbsent(path, p -> {
      if (CaptureFiles.STDIN.equals(p)) {
        return -1L;
      }
      try {
        Path f = Path.of(p);
        return Files.isRegularFile(f) ? Files.size(f) : -1L;
      } catch (IOException | RuntimeException e) {
        return -1L;
      }
    });
  }

  private boolean openNext() throws IOException {
    if (index + 1 >= paths.size()) {
      return false;
    }
    index++;
    String path = paths.get(index);
    current = new InputStats(CaptureFiles.STDIN.equals(path) ? stdinName : path);
    done.add(current);
    try {
      opened = CaptureFiles.open(path, stdin, current);
    } catch (IOException e) {
      throw new InputException(current.path, e.getMessage(), e);
    }
    return true;
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
    if (opened != null) {
      opened.bytes().close();
      opened = null;
    }
  }
}
