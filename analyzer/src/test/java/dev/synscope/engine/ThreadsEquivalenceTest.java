package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.InputSummary;
import dev.synscope.capture.RawFrame;
import dev.synscope.detect.Detectors;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.Report;
import dev.synscope.report.ReportLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * --threads changes how fast, never what: every sample, every corpus capture, a benign and a
 * benchmark-style generated capture give byte-identical reports (with every connection record)
 * on 1, 2 and 3 threads.
 */
class ThreadsEquivalenceTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  @TempDir static Path tmp;

  static String report(List<Path> captures, int threads, Map<String, String> params) throws IOException {
    List<String> paths = captures.stream().map(Path::toString).toList();
    try (CaptureSource source = FileCaptureSource.open(paths, System.in)) {
      AnalysisOptions options = new AnalysisOptions(
          FlowConfig.defaults(), true, "test", "2026-01-01T00:00:00Z", ReportLimits.DEFAULT, threads);
      Report r = new Analyzer(options, Detectors.create(List.of(), params)).run(source, () -> false, List.of());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      new JsonReportWriter().write(r, out);
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static List<Path> captures() throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path dir : List.of(ROOT.resolve("samples"), ROOT.resolve("../shared/corpus").normalize())) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          s.filter(p -> p.toString().matches(".*\\.(pcap|pcapng|gz)$")).sorted().forEach(out::add);
        }
      }
    }
    return out;
  }

  @TestFactory
  List<DynamicTest> everyCaptureGivesTheSameReportOnAnyNumberOfThreads() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path capture : captures()) {
      tests.add(DynamicTest.dynamicTest(capture.getFileName().toString(), () -> {
        String one;
        try {
          one = report(List.of(capture), 1, Map.of());
        } catch (IOException e) {
          // A capture synscope refuses (a fuzzed header) must be refused the same way.
          IOException again = assertThrows(IOException.class, () -> report(List.of(capture), 2, Map.of()));
          assertEquals(e.getMessage(), again.getMessage());
          return;
        }
        assertEquals(one, report(List.of(capture), 2, Map.of()), "2 threads");
        assertEquals(one, report(List.of(capture), 3, Map.of()), "3 threads");
      }));
    }
    assertFalse(tests.isEmpty());
    return tests;
  }

  @Test
  void generatedCapturesGiveTheSameReport() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path bench = tmp.resolve("bench.pcap");
    Path benign = tmp.resolve("benign.pcap");
    run(List.of(java.toString(), ROOT.resolve("bench/GenerateCapture.java").toString(), "--packets", "200000",
        "--connections", "20000", "--seed", "11", "-o", bench.toString()));
    run(List.of(java.toString(), ROOT.resolve("bench/GenerateBenign.java").toString(), "--connections", "20000",
        "--listeners", "2000", "--seed", "5", "-o", benign.toString()));
    String one = report(List.of(bench, benign), 1, Map.of("time-wait-pileup.min_peak", "1"));
    assertTrue(one.contains("\"findings\""));
    assertEquals(one, report(List.of(bench, benign), 2, Map.of("time-wait-pileup.min_peak", "1")));
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  /**
   * A progress listener (live capture's status and finding stream) is called at the same points
   * with the same counters and the same findings on two threads as on one.
   */
  @Test
  void progressListenersSeeTheSameMoments() throws IOException {
    Path capture = ROOT.resolve("samples/mixed.pcap");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    List<String> seen1 = progress(capture, 1);
    assertTrue(seen1.size() >= 5, seen1.toString());
    assertTrue(seen1.stream().anyMatch(l -> l.contains("syn-flood")), "findings appear while reading");
    assertEquals(seen1, progress(capture, 2));
  }

  private static List<String> progress(Path capture, int threads) throws IOException {
    List<String> seen = new ArrayList<>();
    try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
      AnalysisOptions options = new AnalysisOptions(
          FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, threads);
      new Analyzer(options, Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of(),
          500_000_000L, p -> seen.add(p.packetTimeNanos() + " " + p.frames() + " " + p.tcpSegments() + " "
              + p.activeConnections() + " " + p.findings().stream().map(f -> f.detector() + "@" + f.target()).sorted()
              .toList()));
    }
    return seen;
  }

  /** The flow stage's failure reaches the caller as one thread would have thrown it. */
  @Test
  void aFailingReadSurfacesOnTheCallersThread() {
    CaptureSource failing = new CaptureSource() {
      private int n;

      @Override
      public boolean next(RawFrame frame) throws IOException {
        if (++n > 3) {
          throw new IOException("disk gone");
        }
        return false;
      }

      @Override
      public List<InputSummary> inputs() {
        return List.of();
      }

      @Override
      public void close() {}
    };
    AnalysisOptions options = new AnalysisOptions(FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, 2);
    // next() returns false at once: a clean end, an empty report.
    assertEquals(0, assertDoesNotThrowReport(failing, options).stats().packets());
    CaptureSource broken = new CaptureSource() {
      @Override
      public boolean next(RawFrame frame) throws IOException {
        throw new IOException("disk gone");
      }

      @Override
      public List<InputSummary> inputs() {
        return List.of();
      }

      @Override
      public void close() {}
    };
    IOException e = assertThrows(IOException.class,
        () -> new Analyzer(options, Detectors.create(List.of(), Map.of())).run(broken, () -> false, List.of()));
    assertEquals("disk gone", e.getMessage());
  }

  /** A detector that fails stops the run on two threads too: the flow stage ends, nothing hangs. */
  @Test
  void aFailingDetectorStopsTheFlowStage() throws Exception {
    Path capture = ROOT.resolve("samples/mixed.pcap");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    dev.synscope.detect.Detector failing = new dev.synscope.detect.Detector() {
      private int events;

      @Override
      public String id() {
        return "failing";
      }

      @Override
      public void onEvent(dev.synscope.flow.ConnectionEvent event) {
        if (++events == 100) {
          throw new IllegalStateException("detector bug");
        }
      }

      @Override
      public List<dev.synscope.detect.Finding> findings() {
        return List.of();
      }
    };
    AnalysisOptions options = new AnalysisOptions(FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, 2);
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
      try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new Analyzer(options, List.of(failing)).run(source, () -> false, List.of()));
        assertEquals("detector bug", e.getMessage());
      }
    });
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("synscope-flow")),
        "the flow thread has ended");
  }

  private static Report assertDoesNotThrowReport(CaptureSource source, AnalysisOptions options) {
    try {
      return new Analyzer(options, Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
