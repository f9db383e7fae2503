import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventSink;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowTable;
import dev.synscope.report.ReportBuilder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap bytes per tracked connection: feeds synthetic segments straight into a {@link FlowTable}
 * (no capture, no decoder) and compares the used heap after a full collection before and after.
 * The connections are still held when the second figure is taken (nothing is drained).
 *
 *   half-open    N SYNs from distinct sources (198.18.0.0/15 addresses x ports) to one victim,
 *                198.19.255.1:80, with Linux's options (MSS 1460, SACK, TS, WS 7)
 *   established  N handshakes (SYN, SYN-ACK, ACK) that stay open, to 198.19.255.1-4:443
 *
 *   --with none       events are only counted
 *   --with detectors  events go where `synscope analyze` sends them: ReportBuilder(false), then
 *                     every default detector (Detectors.create(List.of(), Map.of()))
 *
 * Sources vary the address fastest (address = i mod 130815, port = 1024 + i / 130815), so
 * consecutive connections have different sources, as in a spoofed flood.
 * Packets are 10 us apart (less if N is so large that the run would reach 60 s of packet time),
 * so nothing reaches the 75 s half-open timeout.
 *
 *   java -Xmx4g -XX:+UseParallelGC -cp analyzer/target/synscope.jar bench/HeapPerConnection.java
 *       [--connections 1000000] [--shape half-open|established|both] [--with detectors|none|both]
 *       [--histo]
 *
 * --histo: after each measurement, `jcmd <pid> GC.class_histogram` (the whole heap, while the
 * connections are held) and its top 25 classes by bytes.
 */
public class HeapPerConnection {
  private static final long T0 = 1_700_000_000_000_000_000L;
  private static final long GAP_NANOS = 10_000;
  private static final long MAX_SPAN_NANOS = 60_000_000_000L;
  private static final long CLIENT_BASE = 0xC612_0000L; // 198.18.0.0
  /** Client offsets 1..HOSTS: the /15 minus 198.19.255.0/24, where the servers are. */
  private static final int HOSTS = 0x1FF00 - 1;
  private static final long SERVER_BASE = 0xC613_FF01L; // 198.19.255.1
  private static final int HISTO_TOP = 25;

  public static void main(String[] args) throws Exception {
    int n = 1_000_000;
    List<String> shapes = List.of("half-open", "established");
    List<String> withs = List.of("none", "detectors");
    boolean histo = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--connections" -> n = parseCount(value(args, ++i));
        case "--shape" -> shapes = choice(value(args, ++i), "half-open", "established");
        case "--with" -> withs = choice(value(args, ++i), "none", "detectors");
        case "--histo" -> histo = true;
        default -> usage("unknown argument " + args[i]);
      }
    }
    if (n < 1 || (long) n > (long) HOSTS * (65536 - 1024)) {
      usage("--connections out of range");
    }
    System.out.printf(Locale.ROOT, "# java %s, %s, max heap %d MB, %d connections per run%n",
        System.getProperty("java.version"), gcNames(), Runtime.getRuntime().maxMemory() >> 20, n);
    System.out.printf(Locale.ROOT, "# %-11s %-10s %8s %12s %9s %11s%n",
        "shape", "with", "held", "", "heap", "per conn");
    for (String shape : shapes) {
      for (String with : withs) {
        measure(shape, with, n, histo);
      }
    }
  }

  private static void measure(String shape, String with, int n, boolean histo) throws Exception {
    boolean established = shape.equals("established");
    long packets = established ? 3L * n : n;
    long gap = Math.min(GAP_NANOS, Math.max(1, MAX_SPAN_NANOS / packets));

    CountingSink counter = new CountingSink();
    List<Detector> detectors = List.of();
    EventSink sink = counter;
    ReportBuilder report = null;
    if (with.equals("detectors")) {
      report = new ReportBuilder(false);
      detectors = Detectors.create(List.of(), Map.of()); // empty list: every detector, defaults
      sink = new Dispatcher(counter, report, detectors);
    }
    FlowConfig config = FlowConfig.defaults().withMaxFlows(Math.max(n, FlowConfig.DEFAULT_MAX_FLOWS));
    FlowTable table = new FlowTable(config, sink);
    Segment s = new Segment();

    long before = settledHeapUsed();
    long t = T0;
    long frame = 0;
    for (int i = 0; i < n; i++) {
      long client = CLIENT_BASE + 1 + (i % HOSTS);
      int clientPort = 1024 + i / HOSTS;
      long server = established ? SERVER_BASE + (i & 3) : SERVER_BASE;
      int serverPort = established ? 443 : 80;
      long clientIsn = mix(i, 0x5EED_C11EL) & 0xFFFF_FFFFL;
      long clientTs = (t / 1_000_000 + mix(client, 0x75L)) & 0xFFFF_FFFFL;

      syn(s, t, ++frame, client, clientPort, server, serverPort, clientIsn, clientTs);
      table.onSegment(s);
      t += gap;
      if (established) {
        long serverIsn = mix(i, 0x5EED_5E4EL) & 0xFFFF_FFFFL;
        long serverTs = (t / 1_000_000 + mix(server * 31 + client, 0x57L)) & 0xFFFF_FFFFL;
        synAck(s, t, ++frame, server, serverPort, client, clientPort, serverIsn, clientIsn + 1,
            serverTs, clientTs);
        table.onSegment(s);
        t += gap;
        ack(s, t, ++frame, client, clientPort, server, serverPort, clientIsn + 1, serverIsn + 1,
            clientTs + 1, serverTs);
        table.onSegment(s);
        t += gap;
      }
    }
    long after = settledHeapUsed();
    int held = table.size();
    long delta = after - before;
    System.out.printf(Locale.ROOT, "%-11s %-10s %8d connections %7.1f MB %7.1f B/conn%n",
        shape, with, held, delta / 1048576.0, held == 0 ? 0.0 : (double) delta / held);
    System.out.printf(Locale.ROOT,
        "#   %d packets %d us apart (%.1f s of packet time), %d events, heap %.1f -> %.1f MB%n",
        frame, gap / 1000, (t - T0) / 1e9, counter.events, before / 1048576.0, after / 1048576.0);
    if (histo) {
      histogram(held);
    }
    // Everything measured stays reachable until here.
    if (table.size() != held) {
      throw new IllegalStateException("table changed");
    }
    Reference.reachabilityFence(table);
    Reference.reachabilityFence(sink);
    Reference.reachabilityFence(report);
    Reference.reachabilityFence(detectors);
    Reference.reachabilityFence(s);
  }

  private static void syn(Segment s, long t, long frame, long src, int srcPort, long dst, int dstPort,
      long isn, long tsVal) {
    header(s, t, frame, src, srcPort, dst, dstPort, isn, 0, TcpFlags.SYN, 64240);
    s.mss = 1460;
    s.windowScale = 7;
    s.sackPermitted = true;
    s.hasTimestamps = true;
    s.tsVal = tsVal;
    s.tsEcr = 0;
    s.optionCount = 4; // MSS, SACK permitted, timestamps, window scale (NOPs not counted)
  }

  private static void synAck(Segment s, long t, long frame, long src, int srcPort, long dst, int dstPort,
      long isn, long ack, long tsVal, long tsEcr) {
    header(s, t, frame, src, srcPort, dst, dstPort, isn, ack, TcpFlags.SYN | TcpFlags.ACK, 65160);
    s.mss = 1460;
    s.windowScale = 7;
    s.sackPermitted = true;
    s.hasTimestamps = true;
    s.tsVal = tsVal;
    s.tsEcr = tsEcr;
    s.optionCount = 4;
  }

  private static void ack(Segment s, long t, long frame, long src, int srcPort, long dst, int dstPort,
      long seq, long ack, long tsVal, long tsEcr) {
    header(s, t, frame, src, srcPort, dst, dstPort, seq, ack, TcpFlags.ACK, 502);
    s.hasTimestamps = true;
    s.tsVal = tsVal & 0xFFFF_FFFFL;
    s.tsEcr = tsEcr;
    s.optionCount = 1;
  }

  private static void header(Segment s, long t, long frame, long src, int srcPort, long dst, int dstPort,
      long seq, long ack, int flags, int window) {
    s.timestampNanos = t;
    s.frameNumber = frame;
    s.ordinal = frame;
    s.inputIndex = 0;
    s.ipVersion = 4;
    s.srcHi = 0;
    s.srcLo = src;
    s.dstHi = 0;
    s.dstLo = dst;
    s.ttl = 64;
    s.srcPort = srcPort;
    s.dstPort = dstPort;
    s.seq = seq & 0xFFFF_FFFFL;
    s.ack = ack & 0xFFFF_FFFFL;
    s.flags = flags;
    s.window = window;
    s.payloadLength = 0;
    s.mss = -1;
    s.windowScale = -1;
    s.sackPermitted = false;
    s.hasTimestamps = false;
    s.tsVal = 0;
    s.tsEcr = 0;
    s.tfoCookieLength = -1;
    s.optionCount = 0;
  }

  /** SplitMix64 finaliser: ISNs and timestamp offsets that look random but repeat run to run. */
  private static long mix(long x, long salt) {
    long z = x * 0x9E3779B97F4A7C15L + salt;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Used heap after full collections, repeated until it stops falling. */
  private static long settledHeapUsed() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int round = 0; round < 20; round++) {
      System.gc();
      Thread.sleep(100);
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (round >= 2 && used >= best) {
        return best;
      }
      best = Math.min(best, used);
    }
    return best;
  }

  private static final Pattern HISTO_ROW =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)(.*)$");

  /** The top classes by bytes of `jcmd <own pid> GC.class_histogram`. */
  private static void histogram(int held) throws Exception {
    String jcmd = "jcmd";
    String java = ProcessHandle.current().info().command().orElse(null);
    if (java != null) {
      Path sibling = Path.of(java).resolveSibling("jcmd");
      if (Files.isExecutable(sibling)) {
        jcmd = sibling.toString();
      }
    }
    Process p = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
        .redirectErrorStream(true).start();
    List<String[]> rows = new ArrayList<>();
    String total = null;
    List<String> other = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Matcher m = HISTO_ROW.matcher(line);
        if (m.matches()) {
          rows.add(new String[] {m.group(1), m.group(2), m.group(3)});
        } else if (line.startsWith("Total")) {
          total = line.trim();
        } else {
          other.add(line);
        }
      }
    }
    int rc = p.waitFor();
    if (rc != 0 || rows.isEmpty()) {
      System.out.println("#   jcmd failed (exit " + rc + "): " + String.join(" | ", other));
      return;
    }
    rows.sort((a, b) -> Long.compare(Long.parseLong(b[1]), Long.parseLong(a[1])));
    System.out.printf(Locale.ROOT, "#   class histogram (whole heap), top %d by bytes:%n", HISTO_TOP);
    System.out.printf(Locale.ROOT, "#   %11s %12s %8s %9s  %s%n", "instances", "bytes", "B/conn", "per conn", "class");
    for (int i = 0; i < Math.min(HISTO_TOP, rows.size()); i++) {
      long count = Long.parseLong(rows.get(i)[0]);
      long bytes = Long.parseLong(rows.get(i)[1]);
      System.out.printf(Locale.ROOT, "#   %11d %12d %8.1f %9.2f  %s%n", count, bytes,
          held == 0 ? 0.0 : (double) bytes / held, held == 0 ? 0.0 : (double) count / held, rows.get(i)[2]);
    }
    if (total != null) {
      System.out.println("#   " + total.replaceAll("\\s+", " "));
    }
  }

  private static String gcNames() {
    List<String> names = new ArrayList<>();
    ManagementFactory.getGarbageCollectorMXBeans().forEach(b -> names.add(b.getName()));
    return String.join("/", names);
  }

  /** Counts events and keeps none. */
  static final class CountingSink implements EventSink {
    long events;

    @Override
    public void accept(ConnectionEvent event) {
      events++;
    }
  }

  /** As the engine's EventDispatcher: the report's aggregates first, then each detector in order. */
  static final class Dispatcher implements EventSink {
    private final CountingSink counter;
    private final EventSink report;
    private final Detector[] detectors;

    Dispatcher(CountingSink counter, EventSink report, List<Detector> detectors) {
      this.counter = counter;
      this.report = report;
      this.detectors = detectors.toArray(new Detector[0]);
    }

    @Override
    public void accept(ConnectionEvent event) {
      counter.events++;
      report.accept(event);
      for (Detector d : detectors) {
        d.onEvent(event);
      }
    }
  }

  private static List<String> choice(String v, String a, String b) {
    if (v.equals(a) || v.equals(b)) {
      return List.of(v);
    }
    if (v.equals("both")) {
      return List.of(a, b);
    }
    usage("expected " + a + ", " + b + " or both, not " + v);
    return null;
  }

  private static int parseCount(String v) {
    try {
      return Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      usage("not a number: " + v);
      return 0;
    }
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      usage(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static void usage(String problem) {
    System.err.println("HeapPerConnection: " + problem);
    System.err.println("usage: java -Xmx4g -XX:+UseParallelGC -cp analyzer/target/synscope.jar bench/HeapPerConnection.java"
        + " [--connections N] [--shape half-open|established|both] [--with detectors|none|both] [--histo]");
    System.exit(2);
  }
}
