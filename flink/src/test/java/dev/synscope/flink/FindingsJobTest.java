package dev.synscope.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole job on a Flink mini-cluster gives, on every sample capture and at parallelism 1, 2
 * and 4, exactly the findings {@code synscope analyze} gives: every finding object, whole
 * (detector, target, severity, first and last seen, metrics, evidence), in the report's order.
 */
class FindingsJobTest {
  static final Path SAMPLES =
      Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize().resolve("samples");

  @RegisterExtension
  static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

  static Stream<Arguments> samples() throws IOException {
    List<Arguments> out = new ArrayList<>();
    if (!Files.isDirectory(SAMPLES)) {
      return Stream.empty();
    }
    try (Stream<Path> files = Files.list(SAMPLES)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (name.endsWith(".pcap") || name.endsWith(".pcapng") || name.endsWith(".pcap.gz")) {
          for (int parallelism : new int[] {1, 2, 4}) {
            out.add(Arguments.of(name, parallelism));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} at parallelism {1}")
  @MethodSource("samples")
  void findingsAgreeWithTheCli(String sample, int parallelism) throws Exception {
    Path capture = SAMPLES.resolve(sample);
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    assertEquals(cliFindings(capture), jobFindings(List.of(capture.toString()), parallelism), sample);
  }

  /** The findings of {@code synscope analyze}, each as the JSON report writes it, in the report's order. */
  static List<String> cliFindings(Path capture) throws Exception {
    Report cli;
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      cli = new Analyzer(new AnalysisOptions(FlowConfig.defaults(), false, "test", "t"),
          Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    }
    List<String> out = new ArrayList<>();
    for (Report.ReportFinding f : cli.findings()) {
      out.add(DetectorFunction.ONE_LINE.writeValueAsString(f));
    }
    return out;
  }

  /** A directory is walked: one capture in it reads as the capture itself. */
  @org.junit.jupiter.api.Test
  void aDirectoryOfOneCaptureIsThatCapture(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path capture = SAMPLES.resolve("mixed.pcap");
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    Files.copy(capture, dir.resolve("mixed.pcap"));
    Files.writeString(dir.resolve(".hidden"), "skipped, as Flink's file source skips it");
    assertEquals(cliFindings(capture), jobFindings(List.of(dir.toString()), 2));
  }

  /**
   * Several files read in parallel, each in its own range of frame numbers: captures of
   * different hosts and times give each its own findings, as when analysed alone.
   */
  @org.junit.jupiter.api.Test
  void severalCapturesGiveEachItsFindings() throws Exception {
    Path a = SAMPLES.resolve("self-connect.pcap");
    Path b = SAMPLES.resolve("timewait-client.pcap");
    Assumptions.assumeTrue(Files.exists(a) && Files.exists(b), "sample missing");
    List<String> alone = new ArrayList<>(jobFindings(List.of(a.toString()), 1));
    alone.addAll(jobFindings(List.of(b.toString()), 1));
    List<String> together = jobFindings(List.of(a.toString(), b.toString()), 2);
    alone.sort(null);
    List<String> sorted = new ArrayList<>(together);
    sorted.sort(null);
    assertEquals(2, together.size());
    assertEquals(alone.stream().map(FindingsJobTest::withoutUids).toList(),
        sorted.stream().map(FindingsJobTest::withoutUids).toList());
  }

  /** The second file's connections have uids of their own range. */
  private static String withoutUids(String json) {
    return json.replaceAll("\"C[0-9A-Za-z]{11}\"", "\"uid\"");
  }

  /** Frames in a capture. */
  static long frames(Path capture) throws Exception {
    long n = 0;
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      dev.synscope.capture.RawFrame frame = new dev.synscope.capture.RawFrame();
      while (source.next(frame)) {
        n++;
      }
    }
    return n;
  }

  static List<String> jobFindings(List<String> captures, int parallelism) throws Exception {
    // No Kryo anywhere: a type that would need it (a record between operators, a state) fails the job.
    org.apache.flink.configuration.Configuration config = new org.apache.flink.configuration.Configuration();
    config.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
    env.setParallelism(parallelism);
    List<FindingRecord> records = new ArrayList<>();
    try (CloseableIterator<FindingRecord> it = FindingsJob.findings(env, JobOptions.of(captures)).executeAndCollect()) {
      it.forEachRemaining(records::add);
    }
    records.sort(FindingRecord::compare);
    List<String> out = new ArrayList<>();
    for (FindingRecord r : records) {
      out.add(r.json);
    }
    assertFalse(out.contains(null));
    return out;
  }
}
