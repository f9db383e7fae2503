package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.InputSummary;
import dev.synscope.capture.RawFrame;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Finding;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowConfig;
import dev.synscope.report.ReportLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A live capture watched the interface until it stopped: the detectors' clock runs on through the
 * silence after the last packet, second by second, and the end of input is the stop; a file's
 * end is its last packet. Same on one thread and two.
 */
class ObservedUntilTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  private static final long S = 1_000_000_000L;

  /** Records the clock it is given. */
  static final class Clock implements Detector {
    final List<Long> ticks = new ArrayList<>();
    long end = Long.MIN_VALUE;

    @Override
    public String id() {
      return "clock";
    }

    @Override
    public void onEvent(ConnectionEvent event) {}

    @Override
    public void onTime(long packetNanos) {
      ticks.add(packetNanos);
    }

    @Override
    public void onEndOfInput(long lastPacketNanos) {
      end = lastPacketNanos;
    }

    @Override
    public List<Finding> findings() {
      return List.of();
    }
  }

  /** A file source that says it watched {@code extra} beyond its last packet. */
  private static CaptureSource watched(CaptureSource file, long[] last, long extra) {
    return new CaptureSource() {
      @Override
      public boolean next(RawFrame frame) throws IOException {
        boolean more = file.next(frame);
        if (more) {
          last[0] = frame.timestampNanos;
        }
        return more;
      }

      @Override
      public List<InputSummary> inputs() {
        return file.inputs();
      }

      @Override
      public long observedUntilNanos() {
        return extra < 0 ? Long.MIN_VALUE : last[0] + extra;
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 4, 5})
  void theClockRunsThroughTheWatchedSilence(int threads) throws IOException {
    Path capture = ROOT.resolve("samples/normal-ipv4.pcap");
    Assumptions.assumeTrue(Files.exists(capture), "sample missing");
    AnalysisOptions options = new AnalysisOptions(FlowConfig.defaults(), false, "test", "t", ReportLimits.DEFAULT, threads);
    long[] last = {0};
    Clock file = new Clock();
    try (CaptureSource source = watched(FileCaptureSource.open(List.of(capture.toString()), System.in), last, -1)) {
      new Analyzer(options, List.of(file)).run(source, () -> false, List.of());
    }
    assertEquals(last[0], file.end, "a file ends at its last packet");

    Clock live = new Clock();
    try (CaptureSource source = watched(FileCaptureSource.open(List.of(capture.toString()), System.in), last, 5 * S + 1)) {
      new Analyzer(options, List.of(live)).run(source, () -> false, List.of());
    }
    assertEquals(last[0] + 5 * S + 1, live.end, "a live capture ends when it stopped listening");
    List<Long> extra = live.ticks.subList(file.ticks.size(), live.ticks.size());
    long firstSecond = (Math.floorDiv(last[0], S) + 1) * S;
    List<Long> expected = new ArrayList<>();
    for (long t = firstSecond; t <= last[0] + 5 * S + 1; t += S) {
      expected.add(t);
    }
    assertEquals(expected, extra, "one tick per second of the silence");
  }
}
