package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.Report;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The analyzer's progress callback that live capture streams from, replayed deterministically on
 * samples/mixed.pcap (recorded in the lab): called once per interval of packet time, with the
 * findings so far, and the report is the same as without a callback.
 */
class LiveProgressTest {
  private static final Path MIXED =
      Path.of(System.getProperty("synscope.root", "..")).resolve("samples/mixed.pcap").toAbsolutePath().normalize();

  private static Report run(long intervalNanos, Analyzer.ProgressListener listener, List<Detector> detectors)
      throws Exception {
    AnalysisOptions o = new AnalysisOptions(FlowConfig.defaults(), false, "test", "2026-01-01T00:00:00Z");
    try (CaptureSource source = FileCaptureSource.open(List.of(MIXED.toString()), InputStream.nullInputStream())) {
      return new Analyzer(o, detectors).run(source, () -> false, List.of(), intervalNanos, listener);
    }
  }

  @Test
  void calledOncePerIntervalOfPacketTimeWithTheFindingsSoFar() throws Exception {
    List<Long> times = new ArrayList<>();
    List<Integer> findingCounts = new ArrayList<>();
    List<Long> frames = new ArrayList<>();
    ByteArrayOutputStream streamed = new ByteArrayOutputStream();
    FindingStream stream = new FindingStream(new PrintStream(streamed, true, StandardCharsets.UTF_8), new Object(), "t");
    List<Detector> detectors = Detectors.create(List.of(), Map.of());
    Report withProgress = run(1_000_000_000L, p -> {
      times.add(p.packetTimeNanos());
      frames.add(p.frames());
      findingCounts.add(p.findings().size());
      assertTrue(p.activeConnections() >= 0);
      assertTrue(p.tcpSegments() <= p.frames());
      try {
        stream.update(p.findings());
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }, detectors);
    Report without = run(0, null, Detectors.create(List.of(), Map.of()));

    assertTrue(times.size() >= 5, "the capture spans several seconds: " + times.size() + " calls");
    for (int i = 1; i < times.size(); i++) {
      assertTrue(times.get(i) - times.get(i - 1) >= 1_000_000_000L, "at least an interval apart");
      assertTrue(frames.get(i) > frames.get(i - 1));
    }
    assertTrue(findingCounts.get(findingCounts.size() - 1) > 0, "findings open before the end: " + findingCounts);
    long opened = streamed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("finding-opened")).count();
    assertTrue(opened > 0 && opened <= without.findings().size() + 2, "opened " + opened);
    assertEquals(without.findings(), withProgress.findings(), "the callback changes nothing");
    assertEquals(without.stats(), withProgress.stats());
  }
}
