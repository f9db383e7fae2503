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
 *   floor    reader + decoder + the least a flow table can be ({@link FloorTable}: a key and
 *            counters per 4-tuple in one cache line of a primitive array, no state machine, no
 *            expiry, no events): what any redesign of the flow table would still cost
 *   flow     reader + decoder + flow table and state machine (events counted and dropped)
 *   analyze  the whole analysis as `synscope analyze` runs it (detectors, report aggregates and
 *            the report object; not its JSON text), with the detectors of --detectors
 *
 *   java -cp analyzer/target/synscope.jar bench/Stages.java [--stages read,decode,floor,flow,analyze]
 *       [--rounds 2] [--detectors LIST|none] CAPTURE
 */
public class Stages {
  public static void main(String[] args) throws Exception {
    List<String> stages = List.of("read", "decode", "floor", "flow", "analyze");
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
        || !List.of("read", "decode", "floor", "flow", "analyze").containsAll(stages)) {
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
        + " [--stages read,decode,floor,flow,analyze] [--rounds N] [--detectors LIST|none] CAPTURE");
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
        FloorTable floor = new FloorTable();
        boolean decode = !stage.equals("read");
        boolean flow = stage.equals("flow");
        boolean floorStage = stage.equals("floor");
        while (source.next(frame)) {
          frames++;
          if (decode
              && decoder.decode(frame.data, frame.offset, frame.capturedLength, frame.originalLength, frame.linkType, segment)) {
            segment.timestampNanos = frame.timestampNanos;
            segment.ordinal = frames;
            if (flow) {
              table.onSegment(segment);
            } else if (floorStage) {
              floor.onSegment(segment);
            }
          }
        }
        if (flow) {
          table.drain();
          extra = String.format(" (%,d events)", events[0]);
        } else if (floorStage) {
          extra = String.format(" (%,d 4-tuples, %,d packets counted)", floor.size(), floor.packets());
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

  /**
   * The least a flow table can do: find a segment's 4-tuple by a direction-free key and count
   * it. An index of (hash, row) longs, open addressing with linear probing, points at rows of
   * eight longs (one cache line: the key, packets and payload bytes per direction, the last
   * packet time in the upper 56 bits of a word whose low byte ORs the flags seen). Two dependent
   * memory reads a packet, the index entry then the row, nothing allocated. Rows are never
   * removed, so there is no expiry to pay for either.
   */
  static final class FloorTable {
    private static final int STRIDE = 8;
    private long[] index = new long[1 << 12];
    private long[] rows = new long[STRIDE << 11];
    private int size;

    int size() {
      return size;
    }

    long packets() {
      long sum = 0;
      for (int r = 0; r < size; r++) {
        long counts = rows[r * STRIDE + 5];
        sum += (counts >>> 32) + (counts & 0xffffffffL);
      }
      return sum;
    }

    void onSegment(Segment s) {
      boolean srcIsA = Long.compareUnsigned(s.srcLo, s.dstLo) < 0
          || (s.srcLo == s.dstLo && (Long.compareUnsigned(s.srcHi, s.dstHi) < 0
              || (s.srcHi == s.dstHi && s.srcPort <= s.dstPort)));
      long aHi = srcIsA ? s.srcHi : s.dstHi;
      long aLo = srcIsA ? s.srcLo : s.dstLo;
      long bHi = srcIsA ? s.dstHi : s.srcHi;
      long bLo = srcIsA ? s.dstLo : s.srcLo;
      long ports = srcIsA ? (long) s.srcPort << 16 | s.dstPort : (long) s.dstPort << 16 | s.srcPort;
      ports |= (long) s.ipVersion << 32;
      long h = (aLo * 0x9E3779B97F4A7C15L ^ bLo) * 0xBF58476D1CE4E5B9L;
      h = (h ^ (h >>> 31) ^ aHi ^ (bHi * 31) ^ ports) * 0x94D049BB133111EBL;
      int hash = (int) (h ^ (h >>> 32));
      int mask = index.length - 1;
      int i = hash & mask;
      int row = -1;
      long entry;
      while ((entry = index[i]) != 0) {
        if ((int) (entry >>> 32) == hash) {
          int r = (int) entry - 1;
          int base = r * STRIDE;
          if (rows[base] == aLo && rows[base + 1] == bLo && rows[base + 4] == ports
              && rows[base + 2] == aHi && rows[base + 3] == bHi) {
            row = r;
            break;
          }
        }
        i = (i + 1) & mask;
      }
      if (row < 0) {
        row = insert(i, hash, aHi, aLo, bHi, bLo, ports);
      }
      int base = row * STRIDE;
      rows[base + 5] += srcIsA ? 1L << 32 : 1;
      rows[base + 6] += srcIsA ? (long) s.payloadLength << 32 : s.payloadLength;
      rows[base + 7] = s.timestampNanos << 8 | (rows[base + 7] & 0xff) | s.flags & 0xff;
    }

    private int insert(int slot, int hash, long aHi, long aLo, long bHi, long bLo, long ports) {
      int row = size++;
      if ((row + 1) * STRIDE > rows.length) {
        rows = java.util.Arrays.copyOf(rows, rows.length * 2);
      }
      int base = row * STRIDE;
      rows[base] = aLo;
      rows[base + 1] = bLo;
      rows[base + 2] = aHi;
      rows[base + 3] = bHi;
      rows[base + 4] = ports;
      index[slot] = (long) hash << 32 | (row + 1);
      if (size * 2 > index.length) {
        long[] old = index;
        index = new long[old.length * 2];
        int mask = index.length - 1;
        for (long e : old) {
          if (e != 0) {
            int i = (int) (e >>> 32) & mask;
            while (index[i] != 0) {
              i = (i + 1) & mask;
            }
            index[i] = e;
          }
        }
      }
      return row;
    }
  }
}
