package dev.synscope.flink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.OnCheckpointRollingPolicy;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.windows.GlobalWindow;
import org.apache.flink.util.Collector;

/**
 * The findings as JSON Lines through Flink's {@link FileSink}: one finding a line, in the
 * report's order ({@link FindingRecord#compare}), in part files {@code part-*.jsonl} directly
 * in the output directory (no date buckets).
 *
 * <p>How the order survives a parallel job: the JSON lines do not carry their place in the
 * report, so the order is made before the sink, not guessed after it. Every finding goes to one
 * window over the whole input ({@code windowAll} with the end-of-stream trigger, parallelism 1),
 * which sorts them by {@link FindingRecord#compare} when the input ends and hands them to a
 * single sink writer. That writer rolls only on a checkpoint and at the end of input, and the
 * sorted findings are all emitted in one step at the end, so a run leaves one committed part file
 * (none when nothing was found) whose lines are already in the report's order, whatever the
 * parallelism upstream. Findings are final only at the end of a bounded input anyway, and they
 * are few (the report caps them), so the one sorting task costs nothing that matters.
 * {@link #mergeParts} then only concatenates the committed part files (in their writer's
 * counter order) into one file.
 *
 * <p>Committing: in STREAMING mode without checkpointing (and in BATCH mode) the sink closes and
 * commits its part files when the input ends; with checkpointing, at the checkpoints and at the
 * final checkpoint after the input ends. A job that fails or is cancelled leaves
 * {@code .part-*.inprogress.*} files, which {@link #mergeParts} refuses.
 */
public final class FindingsSink {
  /** Part files are {@code part-<writer id>-<counter>.jsonl}. */
  public static final String PART_PREFIX = "part";
  public static final String PART_SUFFIX = ".jsonl";

  private static final Pattern PART = Pattern.compile(
      Pattern.quote(PART_PREFIX) + "-(.+)-(\\d+)" + Pattern.quote(PART_SUFFIX));

  private FindingsSink() {}

  /** Adds the ordering step and the file sink writing into {@code outputDir} (any Flink file system). */
  public static void attach(DataStream<FindingRecord> findings, String outputDir) {
    FileSink<String> sink = FileSink
        .forRowFormat(new Path(outputDir), new SimpleStringEncoder<String>("UTF-8"))
        .withBucketAssigner(new BasePathBucketAssigner<>())
        .withRollingPolicy(OnCheckpointRollingPolicy.build())
        .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(PART_PREFIX).withPartSuffix(PART_SUFFIX).build())
        .build();
    findings
        .windowAll(GlobalWindows.createWithEndOfStreamTrigger())
        .process(new InReportOrder())
        .name("findings in report order").uid("synscope-findings-order")
        .setParallelism(1)
        .sinkTo(sink)
        .name("findings JSON Lines").uid("synscope-findings-sink")
        .setParallelism(1);
  }

  /** At the end of the input: every finding's JSON line, in the report's order. */
  static final class InReportOrder extends ProcessAllWindowFunction<FindingRecord, String, GlobalWindow> {
    @Override
    public void process(Context context, Iterable<FindingRecord> records, Collector<String> out) {
      List<FindingRecord> sorted = new ArrayList<>();
      records.forEach(sorted::add);
      sorted.sort(FindingRecord::compare);
      for (FindingRecord r : sorted) {
        if (r.json.indexOf('\n') >= 0 || r.json.indexOf('\r') >= 0) {
          // A pretty-printed object would make the file something other than JSON Lines.
          throw new IllegalArgumentException("a finding's JSON spans several lines (detector " + r.detectorIndex
              + ", finding " + r.findingIndex + "): FindingRecord.json must be one line");
        }
        out.collect(r.json);
      }
    }
  }

  /**
   * Concatenates the committed part files in {@code dir} into {@code file}, written to a
   * temporary file beside it and moved into place, so a failure never leaves half a file. Part
   * files go in their writer's counter order (one writer: see the class comment). An in-progress
   * or pending part file (a job that did not finish) is an error: the output would be short.
   *
   * @return the number of lines written
   */
  public static long mergeParts(java.nio.file.Path dir, java.nio.file.Path file) throws IOException {
    List<java.nio.file.Path> parts = committedParts(dir);
    java.nio.file.Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    // Created as any new file is (the umask's permissions), not createTempFile's owner-only ones.
    java.nio.file.Path tmp = parent.resolve("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    long lines = 0;
    try {
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (java.nio.file.Path part : parts) {
          lines += copyLines(part, out);
        }
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return lines;
  }

  /** The committed part files in {@code dir}, in merge order; refuses unfinished ones. */
  static List<java.nio.file.Path> committedParts(java.nio.file.Path dir) throws IOException {
    List<java.nio.file.Path> parts = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + ": no such directory (the job wrote no output there)");
    }
    try (DirectoryStream<java.nio.file.Path> files = Files.newDirectoryStream(dir)) {
      for (java.nio.file.Path f : files) {
        String name = f.getFileName().toString();
        if (name.contains(".inprogress") || name.contains(".pending")) {
          throw new IOException(f + ": a part file was not committed (did the job finish?)");
        }
        if (PART.matcher(name).matches() && Files.isRegularFile(f)) {
          parts.add(f);
        }
      }
    }
    parts.sort(Comparator
        .comparing((java.nio.file.Path p) -> group(p, 1))
        .thenComparingLong(p -> Long.parseLong(group(p, 2)))
        .thenComparing(p -> p.getFileName().toString()));
    return parts;
  }

  private static String group(java.nio.file.Path p, int g) {
    Matcher m = PART.matcher(p.getFileName().toString());
    m.matches();
    return m.group(g);
  }

  /** Copies a part file, ending its last line with a newline if it lacks one. */
  private static long copyLines(java.nio.file.Path part, OutputStream out) throws IOException {
    long lines = 0;
    int last = '\n';
    byte[] buf = new byte[65536];
    try (InputStream in = Files.newInputStream(part)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
        last = buf[n - 1];
      }
    }
    if (last != '\n') {
      out.write('\n');
      lines++;
    }
    return lines;
  }
}
