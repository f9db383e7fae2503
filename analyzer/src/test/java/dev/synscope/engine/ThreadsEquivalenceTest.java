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
 * on 1 to 6 threads: one thread, two stages, and a reader with 1 to 3 flow shards and 1 or 2 event
 * groups.
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
        assertEquals(one, report(List.of(capture), 3, Map.of()), "3 threads (one shard)");
        assertEquals(one, report(List.of(capture), 4, Map.of()), "4 threads (two shards)");
        assertEquals(one, report(List.of(capture), 5, Map.of()), "5 threads (three shards)");
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
    for (int threads = 2; threads <= 6; threads++) {
      assertEquals(one, report(List.of(bench, benign), threads, Map.of("time-wait-pileup.min_peak", "1")),
          threads + " threads");
    }
  }

  /**
   * A sparse capture, a frame every 1.2 s for an hour (SYN and RST, and frames that are not TCP):
   * the clock ticks at nearly every frame, so the reader's ticks fill their stream long before a
   * round of segments is full, and expiry runs at every segment. The shards' merge must not wait
   * on a round the reader has not sent (it once could have), and the report is one thread's.
   */
  @Test
  void aSparseCaptureWithATickAtEveryFrame() throws Exception {
    long t0 = 1_700_000_000_000_000_000L;
    dev.synscope.testing.PcapWriter pcap = dev.synscope.testing.PcapWriter.micro(1);
    for (int k = 0; k < 3000; k++) {
      long t = t0 + k * 1_200_000_000L;
      int syn = k - k % 3; // the SYN this frame answers (k % 3 == 1)
      int port = 20000 + syn % 500;
      String client = "198.18.0." + (1 + syn % 7);
      if (k % 3 == 2) {
        pcap.add(t, dev.synscope.testing.FrameBuilder.tcp().ipv4(client, "198.18.1.1").protocol(17).build());
      } else if (k % 3 == 0) {
        pcap.add(t, dev.synscope.testing.FrameBuilder.tcp().ipv4(client, "198.18.1.1").ports(port, 80).seq(syn)
            .flags(dev.synscope.testing.FrameBuilder.SYN).build());
      } else {
        pcap.add(t, dev.synscope.testing.FrameBuilder.tcp().ipv4("198.18.1.1", client).ports(80, port).seq(0)
            .ack(syn + 1).flags(dev.synscope.testing.FrameBuilder.RST | dev.synscope.testing.FrameBuilder.ACK).build());
      }
    }
    Path capture = pcap.write(tmp.resolve("sparse.pcap"));
    String one = report(List.of(capture), 1, Map.of());
    assertTrue(one.contains("\"REJ\""), "the probes were refused");
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60), () -> {
      for (int threads = 2; threads <= 5; threads++) {
        assertEquals(one, report(List.of(capture), threads, Map.of()), threads + " threads");
      }
    });
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
    assertEquals(seen1, progress(capture, 4));
    assertEquals(seen1, progress(capture, 5), "two event groups stop at each mark");
    assertEquals(seen1, progress(capture, 8), "three event groups");
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
  @org.junit.jupiter.params.ParameterizedTest(name = "--threads {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {2, 4, 5})
  void aFailingReadSurfacesOnTheCallersThread(int threads) {
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
    AnalysisOptions options = new AnalysisOptions(FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, threads);
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

  /** A detector that fails stops the run on two or more threads too: the flow stage ends, nothing hangs. */
  @org.junit.jupiter.params.ParameterizedTest(name = "--threads {0}")
  @org.junit.jupiter.params.provider.ValueSource(ints = {2, 4, 5, 8})
  void aFailingDetectorStopsTheFlowStage(int threads) throws Exception {
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
    AnalysisOptions options =
        new AnalysisOptions(FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, threads);
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
      try (CaptureSource source = FileCaptureSource.open(List.of(capture.toString()), System.in)) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> new Analyzer(options, List.of(failing)).run(source, () -> false, List.of()));
        assertEquals("detector bug", e.getMessage());
      }
    });
    assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("synscope-flow")
        || t.getName().equals("synscope-read") || t.getName().startsWith("synscope-shard")
        || t.getName().startsWith("synscope-events")),
        "the flow stage's threads have ended");
  }

  private static Report assertDoesNotThrowReport(CaptureSource source, AnalysisOptions options) {
    try {
      return new Analyzer(options, Detectors.create(List.of(), Map.of())).run(source, () -> false, List.of());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
