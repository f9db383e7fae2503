package dev.synscope.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.InputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The command line (usage errors are exit 2 and one line, a missing capture exit 3, a failed job
 * one line naming its cause) and the findings sink: at parallelism 2 every finding is committed
 * once, in the report's order, with nothing left in progress.
 */
class SynscopeFlinkTest {
  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  @TempDir
  Path tmp;

  /** One command line's exit code and what it printed. */
  record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run run(String... args) {
    return run(SynscopeFlink::run, args);
  }

  private interface Entry {
    int run(String[] args, PrintStream out, PrintStream err);
  }

  private static Run run(Entry entry, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = entry.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Path capture() throws IOException {
    Path c = tmp.resolve("capture.pcap");
    if (!Files.exists(c)) {
      Files.write(c, new byte[24]);
    }
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "--bogus -o OUT CAP",
      "CAP",
      "-o OUT",
      "-o OUT --output-dir DIR CAP",
      "--parallelism 0 -o OUT CAP",
      "--parallelism 257 -o OUT CAP",
      "--parallelism two -o OUT CAP",
      "--out-of-orderness soon -o OUT CAP",
      "--out-of-orderness 25h -o OUT CAP",
      "--detectors , -o OUT CAP",
      "--detectors no-such-detector -o OUT CAP",
      "--detectors syn-flood,syn-flood -o OUT CAP",
      "--param nodot=1 -o OUT CAP",
      "--param no-such-detector.x=1 -o OUT CAP",
      "-o OUT -",
      "-o OUT --parallelism",
      "--kafka-topic-prefix t -o OUT CAP",
      "--kafka-bootstrap localhost:9092 --kafka-topic-prefix a/b -o OUT CAP",
  })
  void usageErrorsAreExit2AndOneLine(String line) throws IOException {
    String[] args = line.isEmpty() ? new String[0] : line
        .replace("OUT", tmp.resolve("findings.jsonl").toString())
        .replace("DIR", tmp.resolve("parts").toString())
        .replace("CAP", capture().toString())
        .split(" ");
    Run r = run(args);
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().startsWith("synscope-flink: "), r.err());
    assertTrue(r.err().contains("--help"), r.err());
    assertEquals("", r.out());
    assertFalse(Files.exists(tmp.resolve("findings.jsonl")));
  }

  @Test
  void helpAndVersion() {
    Run help = run("--help");
    assertEquals(0, help.code());
    for (String option : List.of("-o", "--output-dir", "--parallelism", "--out-of-orderness", "--detectors",
        "--param", "--kafka-bootstrap", "--kafka-topic-prefix", "--version")) {
      assertTrue(help.out().contains(option), option + " in\n" + help.out());
    }
    Run version = run("--version");
    assertEquals(0, version.code());
    assertTrue(version.out().matches("synscope-flink \\S+ \\(Apache Flink \\S+\\)\\R"), version.out());
  }

  /** A file that is not a capture fails the job with one line that names it, exit 3. */
  @Test
  void notACaptureNamesTheFile() throws IOException {
    Path bad = tmp.resolve("bad.pcap");
    Files.writeString(bad, "garbage, not a capture");
    TestStreamEnvironment.unsetAsContext(); // as under java -jar: a local mini-cluster
    Run r = run("-o", tmp.resolve("findings.jsonl").toString(), bad.toString());
    assertEquals(3, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().startsWith("synscope-flink: " + bad + ": not a pcap or pcapng capture"), r.err());
  }

  /**
   * A truncated capture is read as far as it goes: its findings, and the CLI's warning for it on
   * stderr, exit 0.
   */
  @Test
  void aTruncatedCaptureWarnsAsTheCliDoes() throws Exception {
    Path sample = FindingsJobTest.SAMPLES.resolve("mixed.pcap");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(sample), "sample missing");
    Path cut = tmp.resolve("cut.pcap");
    Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(sample), 300_000));
    dev.synscope.report.Report cli;
    try (dev.synscope.capture.CaptureSource source =
        dev.synscope.capture.FileCaptureSource.open(List.of(cut.toString()), System.in)) {
      cli = new dev.synscope.engine.Analyzer(
          new dev.synscope.engine.AnalysisOptions(dev.synscope.flow.FlowConfig.defaults(), false, "t", "t"),
          dev.synscope.detect.Detectors.create(List.of(), java.util.Map.of())).run(source, () -> false, List.of());
    }
    List<String> truncation = cli.warnings().stream().filter(w -> w.contains("truncated")).toList();
    assertEquals(1, truncation.size(), cli.warnings().toString());
    Path out = tmp.resolve("findings.jsonl");
    TestStreamEnvironment.unsetAsContext(); // as under java -jar: a local mini-cluster
    Run r = run("--parallelism", "2", "-o", out.toString(), cut.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.errLines().contains("synscope-flink: warning: " + truncation.get(0)), r.err());
    assertEquals(cli.findings().size(), Files.readAllLines(out).size());
  }

  @Test
  void aMissingCaptureIsExit3BeforeAnythingRuns() throws IOException {
    Path missing = tmp.resolve("nope.pcap");
    Run r = run("-o", tmp.resolve("findings.jsonl").toString(), capture().toString(), missing.toString());
    assertEquals(3, r.code(), r.err());
    assertEquals(List.of("synscope-flink: " + missing + ": no such file or directory"), r.errLines());
    assertFalse(Files.exists(tmp.resolve("findings.jsonl")));
    assertEquals(List.of(capture()), list(tmp), "no staging directory left");
  }

  @Test
  void anUnwritableOutputIsExit3() throws IOException {
    Run r = run("-o", tmp.resolve("no/such/dir/findings.jsonl").toString(), capture().toString());
    assertEquals(3, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    Run d = run("-o", tmp.toString(), capture().toString());
    assertEquals(3, d.code(), d.err());
    assertTrue(d.err().contains("is a directory"), d.err());
  }

  /**
   * Findings of three detectors, in the report's order: sorted by {@link FindingRecord#compare},
   * made so that no two compare equal (severity, first seen, detector and target all vary).
   */
  private static List<FindingRecord> expected() {
    String[] detectors = {"syn-flood", "rst-storm", "port-scan"};
    List<FindingRecord> records = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      for (int f = 0; f < 40; f++) {
        int severity = (d + f) % 4;
        long firstSeen = 1_000_000_000L * (f % 7);
        String target = "10.0.0." + f + ":80";
        records.add(new FindingRecord(d, f, detectors[d], severity, firstSeen, target,
            "{\"detector\":\"" + detectors[d] + "\",\"target\":\"" + target + "\",\"n\":" + f + ",\"s\":\"é\"}"));
      }
    }
    records.sort(FindingRecord::compare);
    return records;
  }

  private static List<FindingRecord> shuffled() {
    List<FindingRecord> records = new ArrayList<>(expected());
    Collections.shuffle(records, new Random(7));
    return records;
  }

  private static List<String> lines(List<FindingRecord> records) {
    return records.stream().map(r -> r.json).toList();
  }

  /** Spreads the records over two subtasks, so the sink sees them from both. */
  private static DataStream<FindingRecord> atParallelism2(StreamExecutionEnvironment env, List<FindingRecord> records) {
    return env.fromData(records).rebalance().map((MapFunction<FindingRecord, FindingRecord>) r -> r)
        .returns(FindingRecord.class).setParallelism(2);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  @Test
  void sinkCommitsEveryFindingOnceInReportOrderAtParallelism2() throws Exception {
    Path parts = tmp.resolve("parts");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(); // streaming, no checkpoints
    env.setParallelism(2);
    FindingsSink.attach(atParallelism2(env, shuffled()), parts.toUri().toString());
    env.execute("sink round trip");

    List<Path> files = list(parts);
    assertEquals(1, files.size(), "one committed part file, nothing in progress or pending: " + files);
    String name = files.get(0).getFileName().toString();
    assertTrue(name.startsWith("part-") && name.endsWith(".jsonl"), name);
    assertEquals(lines(expected()), Files.readAllLines(files.get(0)), "the part file is in the report's order");

    Path merged = tmp.resolve("findings.jsonl");
    assertEquals(120, FindingsSink.mergeParts(parts, merged));
    assertEquals(lines(expected()), Files.readAllLines(merged, StandardCharsets.UTF_8));
    assertEquals(List.of(merged, parts), list(tmp), "no temporary file left");
  }

  @Test
  void noFindingsCommitNoPartAndMergeToAnEmptyFile() throws Exception {
    Path parts = tmp.resolve("parts");
    Files.createDirectories(parts);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    FindingsSink.attach(atParallelism2(env, expected()).filter(r -> false), parts.toUri().toString());
    env.execute("no findings");
    assertEquals(List.of(), list(parts));
    Path merged = tmp.resolve("findings.jsonl");
    assertEquals(0, FindingsSink.mergeParts(parts, merged));
    assertEquals(0, Files.size(merged));
  }

  @Test
  void aFindingOnSeveralLinesFailsTheJob() throws IOException {
    List<FindingRecord> records = new ArrayList<>(expected());
    records.get(5).json = "{\n  \"detector\" : \"syn-flood\"\n}";
    Run r = run((args, o, e) -> SynscopeFlink.execute(args, o, e, StreamExecutionEnvironment::getExecutionEnvironment,
            (env, options) -> atParallelism2(env, records)).code(),
        "--output-dir", tmp.resolve("parts").toString(), capture().toString());
    assertEquals(4, r.code(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("must be one line"), r.err());
  }

  @Test
  void mergeRefusesAPartFileInProgress() throws IOException {
    Path parts = Files.createDirectories(tmp.resolve("parts"));
    Files.writeString(parts.resolve("part-a-0.jsonl"), "{}\n");
    Files.writeString(parts.resolve(".part-a-1.jsonl.inprogress.1234"), "{\"half\"");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> FindingsSink.mergeParts(parts, tmp.resolve("findings.jsonl")));
    assertTrue(e.getMessage().contains("not committed"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("findings.jsonl")));
  }

  @Test
  void mergeOrdersPartsByTheirCounter() throws IOException {
    Path parts = Files.createDirectories(tmp.resolve("parts"));
    for (int i = 0; i < 12; i++) {
      Files.writeString(parts.resolve("part-w-" + i + ".jsonl"), "{\"n\":" + i + "}" + (i == 11 ? "" : "\n"));
    }
    Path merged = tmp.resolve("findings.jsonl");
    assertEquals(12, FindingsSink.mergeParts(parts, merged));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      expected.add("{\"n\":" + i + "}");
    }
    assertEquals(expected, Files.readAllLines(merged));
  }

  /** The whole command line on a local mini-cluster (java -jar), with a stand-in for the job. */
  @Test
  void outputFileThroughALocalMiniCluster() throws IOException {
    // As under java -jar: no context environment, so getExecutionEnvironment() makes a local one
    // (the extension sets the test cluster's again before the next test).
    TestStreamEnvironment.unsetAsContext();
    AtomicReference<JobOptions> seen = new AtomicReference<>();
    Path out = tmp.resolve("findings.jsonl");
    Run r = run((args, o, e) -> SynscopeFlink.execute(args, o, e,
            StreamExecutionEnvironment::getExecutionEnvironment,
            (env, options) -> {
              seen.set(options);
              return atParallelism2(env, shuffled());
            }).code(),
        "--parallelism", "2", "-o", out.toString(), "--out-of-orderness", "500ms", "--detectors",
        "syn-flood,close-wait", "--param", "syn-flood.min_rate=500", capture().toString(), tmp.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(List.of(capture().toString(), tmp.toString()), seen.get().captures());
    assertEquals(Duration.ofMillis(500), seen.get().outOfOrderness());
    assertEquals(List.of("syn-flood", "close-wait"), seen.get().detectors());
    assertEquals(Map.of("syn-flood.min_rate", "500"), seen.get().params());
    assertEquals(lines(expected()), Files.readAllLines(out));
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().startsWith("synscope-flink: 120 findings written to " + out), r.err());
    assertEquals(List.of(capture(), out), list(tmp), "the staging directory is gone");
  }

  /** Under flink run (here the test cluster's environment) the part files stay in --output-dir. */
  @Test
  void outputDirOnACluster() throws IOException {
    Path parts = tmp.resolve("parts");
    Run r = run((args, o, e) -> SynscopeFlink.execute(args, o, e, StreamExecutionEnvironment::getExecutionEnvironment,
            (env, options) -> atParallelism2(env, shuffled())).code(),
        "--output-dir", parts.toString(), capture().toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().startsWith("synscope-flink: 120 findings written to " + parts), r.err());
    List<Path> files = list(parts);
    assertEquals(1, files.size(), files.toString());
    assertEquals(lines(expected()), Files.readAllLines(files.get(0)));

    Run again = run("--output-dir", parts.toString(), capture().toString());
    assertEquals(3, again.code(), again.err());
    assertTrue(again.err().contains("already holds part files"), again.err());
  }

  @Test
  void outputFileNeedsTheLocalMiniCluster() throws IOException {
    Run r = run((args, o, e) -> SynscopeFlink.execute(args, o, e, StreamExecutionEnvironment::getExecutionEnvironment,
            (env, options) -> atParallelism2(env, shuffled())).code(),
        "-o", tmp.resolve("findings.jsonl").toString(), capture().toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("--output-dir"), r.err());
  }

  private static Run failing(Path parts, Path capture, RuntimeException failure) {
    return run((args, o, e) -> SynscopeFlink.execute(args, o, e, StreamExecutionEnvironment::getExecutionEnvironment,
            (env, options) -> atParallelism2(env, shuffled()).map((MapFunction<FindingRecord, FindingRecord>) x -> {
              throw failure;
            }).returns(FindingRecord.class)).code(),
        "--output-dir", parts.toString(), capture.toString());
  }

  @Test
  void aFailedJobIsOneLineNamingTheRootCause() throws IOException {
    Run r = failing(tmp.resolve("parts"), capture(), new IllegalStateException("detector state broke"));
    assertEquals(4, r.code(), r.err());
    assertEquals(List.of("synscope-flink: job failed: detector state broke (run with --debug for details)"),
        r.errLines());

    Run input = failing(tmp.resolve("parts2"), capture(), new java.io.UncheckedIOException(
        new InputException("capture.pcap", "not a capture (magic bytes 00 00 00 00)", null)));
    assertEquals(3, input.code(), input.err());
    assertEquals(List.of("synscope-flink: capture.pcap: not a capture (magic bytes 00 00 00 00)"),
        input.errLines());
  }
}
