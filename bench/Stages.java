import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.FileCaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowTable;
import java.util.List;

/**
 * Where the time goes: reads a capture three times in one JVM, stopping after each stage of the
 * hot path (read; read + decode; read + decode + flow table and state machine, events counted
 * and dropped), twice each so the second figure is after JIT warm-up.
 *
 *   java -cp analyzer/target/synscope.jar bench/Stages.java bench/out/big.pcap
 */
public class Stages {
  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java -cp analyzer/target/synscope.jar bench/Stages.java CAPTURE");
      System.exit(2);
    }
    for (String stage : List.of("read", "decode", "flow")) {
      for (int round = 1; round <= 2; round++) {
        run(args[0], stage, round);
      }
    }
  }

  private static void run(String file, String stage, int round) throws Exception {
    long start = System.nanoTime();
    long frames = 0;
    long[] events = new long[1];
    try (CaptureSource source = FileCaptureSource.open(List.of(file), System.in)) {
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
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%-7s round %d: %,d frames in %.2f s = %.2f M frames/s%s%n", stage, round, frames, seconds,
        frames / seconds / 1e6, stage.equals("flow") ? String.format(" (%,d events)", events[0]) : "");
  }
}
