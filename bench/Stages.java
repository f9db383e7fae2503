import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowTable;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;

/**
 * Where the time goes: reads a capture several times in one JVM, stopping after each stage of
 * the one pass, each stage {@code --rounds} times so the later figures are after JIT warm-up:
 *
 *   read     the reader alone
 *   decode   reader + decoder
 *   flow     reader + decoder + flow table and state machine (events counted and dropped)
 *   analyze  the whole analysis as `synscope analyze` runs it (detectors, report aggregates and
 *            the report object; not its JSON text), with the detectors of --detectors
 *
 *   java -cp analyzer/target/synscope.jar bench/Stages.java [--stages read,decode,flow,analyze]
 *       [--rounds 2] [--detectors LIST|none] CAPTURE
 */
public class Stages {
  public static void main(String[] args) throws Exception {
    List<String> stages = List.of("read", "decode", "flow", "analyze");
    int rounds = 2;
    List<String> detectors = List.of();
    String capture = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--stages" -> stages = List.of(value(args, ++i).split(","));
        case "--rounds" -> rounds = number(value(args, ++i));
        case "--detectors" -> detectors = List.of(value(args, ++i).split(","));
        default -> {
          if (capture != null || args[i].startsWith("--")) {
            usage();
          }
          capture = args[i];
        }
      }
    }
    if (capture == null || rounds < 1
        || !List.of("read", "decode", "flow", "analyze").containsAll(stages)) {
      usage();
    }
    try {
      for (String stage : stages) {
        for (int round = 1; round <= rounds; round++) {
          run(capture, stage, round, detectors);
        }
      }
    } catch (IllegalArgumentException | java.io.IOException e) {
      System.err.println("Stages: " + e.getMessage()); // an unknown detector, an unreadable capture
      System.exit(2);
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage();
    }
    return args[i];
  }

  private static int number(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      usage();
      return 0;
    }
  }

  private static void usage() {
    System.err.println("usage: java -cp analyzer/target/synscope.jar bench/Stages.java"
        + " [--stages read,decode,flow,analyze] [--rounds N] [--detectors LIST|none] CAPTURE");
    System.exit(2);
  }

  private static void run(String file, String stage, int round, List<String> detectorIds) throws Exception {
    long gcStart = gcMillis();
    long cpuStart = THREADS.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long frames = 0;
    String extra = "";
    try (CaptureSource source = FileCaptureSource.open(List.of(file), System.in)) {
      if (stage.equals("analyze")) {
        var detectors = Detectors.create(detectorIds, Map.of());
        var options = new AnalysisOptions(FlowConfig.defaults(), false, "bench", "bench");
        var report = new Analyzer(options, detectors).run(source, () -> false, List.of());
        frames = report.stats().packets();
        extra = String.format(" (%d detectors, %d findings)", detectors.size(), report.findings().size());
      } else {
        long[] events = new long[1];
        RawFrame frame = new RawFrame();
        Segment segment = new Segment();
        FrameDecoder decoder = new FrameDecoder();
        FlowTable table = new FlowTable(FlowConfig.defaults(), e -> events[0]++);
        boolean decode = !stage.equals("read");
        boolean flow = stage.equals("flow");
        while (source.next(frame)) {
          frames++;
          if (decode
              && decoder.decode(frame.data, frame.offset, frame.capturedLength, frame.originalLength, frame.linkType, segment)
              && flow) {
            segment.timestampNanos = frame.timestampNanos;
            table.onSegment(segment);
          }
        }
        if (flow) {
          table.drain();
          extra = String.format(" (%,d events)", events[0]);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e9;
    double gc = (gcMillis() - gcStart) / 1e3;
    System.out.printf("%-7s round %d: %,d frames in %.2f s = %.2f M frames/s; this thread's CPU %.2f s, collector pauses %.2f s%s%n",
        stage, round, frames, seconds, frames / seconds / 1e6, cpu, gc, extra);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Time the collectors spent so far; with the parallel collector, all of it in pauses. */
  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, gc.getCollectionTime());
    }
    return sum;
  }
}
