package dev.synscope.cli;

import dev.synscope.capture.CaptureStats;
import dev.synscope.capture.InputException;
import dev.synscope.capture.LiveCaptureSource;
import dev.synscope.capture.LiveOptions;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.detect.Finding;
import dev.synscope.detect.Severity;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.MemoryBudget;
import dev.synscope.hostcounters.HostCounterRecorder;
import dev.synscope.hostcounters.HostCounterSampler;
import dev.synscope.hostcounters.HostCounters;
import dev.synscope.hostcounters.LocalAddresses;
import dev.synscope.hostcounters.WireKernelComparison;
import dev.synscope.report.Report;
import dev.synscope.report.ReportLimits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code synscope live}: capture on an interface, analyse as the packets come, stream findings
 * (JSON Lines) or a status line (terminal) while it runs, and write the report(s) when it stops:
 * at {@code --duration}, after {@code -c} packets, or on Ctrl-C/SIGTERM (a shutdown hook stops
 * the capture, waits for the reports and exits with the command's code). With {@code
 * --host-counters} the kernel's TCP counters are sampled beside the capture.
 */
final class LiveCommand implements Command {
  static final long DEFAULT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
  static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  /** How long a signal waits for the reports before the JVM exits anyway. */
  static final long SHUTDOWN_WAIT_SECONDS = 60;
  private static final int STATUS_WIDTH = 118;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** What stdout shows while the capture runs. */
  enum Stream {
    /** status on a terminal, jsonl otherwise */
    AUTO,
    JSONL,
    STATUS,
    NONE;

    static Stream parse(String text) throws UsageException {
      for (Stream s : values()) {
        if (s.name().equalsIgnoreCase(text.trim())) {
          return s;
        }
      }
      throw new UsageException("--stream takes auto, jsonl, status or none, not '" + text + "'");
    }
  }

  /** The live command's options, parsed once. */
  record Settings(
      LiveOptions capture,
      long durationNanos,
      long intervalNanos,
      Stream stream,
      boolean hostCounters,
      List<String> formats,
      String output,
      boolean connections,
      int maxFlows,
      List<String> detectors,
      Map<String, String> params,
      boolean debug,
      MemoryBudget memory,
      int threads) {}

  @Override
  public String name() {
    return "live";
  }

  @Override
  public String description() {
    return "sniff an interface, stream findings, write a report at the end";
  }

  @Override
  public Options optionDefinitions() {
    return options();
  }

  static Options options() {
    Options o = new Options();
    o.addOption(Option.builder("i").longOpt("interface").hasArg().argName("IFACE")
        .desc("interface to capture on ('synscope interfaces' lists them; 'any' for all on Linux)").get());
    o.addOption(Option.builder("f").longOpt("filter").hasArg().argName("BPF")
        .desc("capture filter, as tcpdump takes it (default 'tcp'; '' for everything); may also follow the"
            + " options as trailing words").get());
    o.addOption(Option.builder("s").longOpt("snaplen").hasArg().argName("BYTES")
        .desc("bytes kept per packet (default " + LiveOptions.DEFAULT_SNAPLEN + ": every header and TCP option;"
            + " 0 for " + LiveOptions.MAX_SNAPLEN + ")").get());
    o.addOption(Option.builder("p").longOpt("no-promiscuous")
        .desc("do not put the interface into promiscuous mode").get());
    o.addOption(Option.builder("B").longOpt("buffer-size").hasArg().argName("SIZE")
        .desc("kernel capture buffer: KiB as tcpdump -B, or with a unit (64m, 1g); default 64m").get());
    o.addOption(Option.builder("c").longOpt("count").hasArg().argName("N")
        .desc("stop after N packets").get());
    o.addOption(Option.builder().longOpt("duration").hasArg().argName("D")
        .desc("stop after D (30s, 5m, 2h; a bare number is seconds)").get());
    o.addOption(Option.builder().longOpt("interval").hasArg().argName("D")
        .desc("how often findings are checked, the status line refreshed and host counters sampled"
            + " (default 5s)").get());
    o.addOption(Option.builder("w").longOpt("write").hasArg().argName("FILE")
        .desc("also write the captured packets to FILE (pcap, nanosecond timestamps), as tcpdump -w").get());
    o.addOption(Option.builder().longOpt("stream").hasArg().argName("MODE")
        .desc("stdout while capturing: jsonl (findings as they open, escalate, and at the end), status (one"
            + " refreshed line), none; default auto: status on a terminal, else jsonl").get());
    o.addOption(Option.builder().longOpt("host-counters")
        .desc("sample this host's TCP counters (/proc/net/netstat, snmp, tcp, tcp6) every interval and"
            + " compare them with the findings").get());
    o.addOption(Option.builder("F").longOpt("format").hasArg().argName("LIST")
        .desc("report formats, comma-separated: json, html, jsonl, tsv, sarif, junit (default json; jsonl when"
            + " the stream goes to stdout and there is no -o)").get());
    for (Option a : AnalyzeCommand.options().getOptions()) {
      if (Set.of("output", "connections", "memory", "max-flows", "detectors", "param", "debug", "help", "threads")
          .contains(a.getLongOpt())) {
        o.addOption(a);
      }
    }
    return o;
  }

  @Override
  public int run(String[] args, Io io) throws Exception {
    Options options = options();
    CommandLine cl = AnalyzeCommand.parse(options, args);
    if (cl.hasOption("help")) {
      PrintWriter w = new PrintWriter(io.out());
      new HelpFormatter().printHelp(w, 100, "synscope live -i IFACE [options] [BPF filter words]",
          "Capture on an interface (root, or CAP_NET_RAW and CAP_NET_ADMIN), analyse as packets come, write the"
              + " report(s) when stopped by --duration, -c or Ctrl-C/SIGTERM.", options, 2, 2,
          "exit codes: 0 done (also after Ctrl-C/SIGTERM), 2 usage, 3 capture not permitted, unknown interface,"
              + " bad filter or output not writable, 4 internal");
      w.flush();
      return ExitCode.OK;
    }
    Settings s = settings(cl, System.console() != null);
    List<ReportFormat> formats = AnalyzeCommand.formats(s.formats());
    List<Detector> detectors;
    try {
      detectors = Detectors.create(s.detectors(), s.params(), s.memory());
      ReportLimits.from(s.params()); // a bad report.* parameter is a usage error before capture starts
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    HostCounterSampler sampler = null;
    if (s.hostCounters()) {
      sampler = new HostCounterSampler();
      String problem = sampler.problem();
      if (problem != null) {
        throw new InputException("--host-counters", problem, null);
      }
    }
    LiveCaptureSource source = LiveCaptureSource.open(s.capture());
    return new Session(s, formats, detectors, sampler, source, io).run();
  }

  // ------------------------------------------------------------------ options

  static Settings settings(CommandLine cl, boolean terminal) throws UsageException {
    String device = cl.getOptionValue("interface");
    if (device == null || device.isBlank()) {
      throw new UsageException("no interface given: -i IFACE ('synscope interfaces' lists them)");
    }
    String filter = LiveOptions.DEFAULT_FILTER;
    if (cl.hasOption("filter")) {
      if (!cl.getArgList().isEmpty()) {
        throw new UsageException("give the filter either with -f or as trailing words, not both");
      }
      filter = cl.getOptionValue("filter");
    } else if (!cl.getArgList().isEmpty()) {
      filter = String.join(" ", cl.getArgList());
    }
    int snaplen = LiveOptions.DEFAULT_SNAPLEN;
    if (cl.hasOption("snaplen")) {
      long n = whole(cl, "snaplen");
      if (n < 0 || n > LiveOptions.MAX_SNAPLEN) {
        throw new UsageException("--snaplen must be 0.." + LiveOptions.MAX_SNAPLEN + ", not " + n);
      }
      snaplen = n == 0 ? LiveOptions.MAX_SNAPLEN : (int) n;
    }
    int buffer = LiveOptions.DEFAULT_BUFFER_BYTES;
    if (cl.hasOption("buffer-size")) {
      buffer = bufferBytes(cl.getOptionValue("buffer-size"));
    }
    long count = 0;
    if (cl.hasOption("count")) {
      count = whole(cl, "count");
      if (count < 1) {
        throw new UsageException("--count must be at least 1");
      }
    }
    long duration = 0;
    if (cl.hasOption("duration")) {
      duration = durationNanos("--duration", cl.getOptionValue("duration"));
    }
    long interval = DEFAULT_INTERVAL_NANOS;
    if (cl.hasOption("interval")) {
      interval = durationNanos("--interval", cl.getOptionValue("interval"));
      if (interval < MIN_INTERVAL_NANOS) {
        throw new UsageException("--interval must be at least 100ms");
      }
    }
    Stream stream = cl.hasOption("stream") ? Stream.parse(cl.getOptionValue("stream")) : Stream.AUTO;
    if (stream == Stream.AUTO) {
      stream = terminal ? Stream.STATUS : Stream.JSONL;
    }
    String output = cl.getOptionValue("output");
    if ("-".equals(output)) {
      output = null;
    }
    List<String> formats;
    if (cl.hasOption("format")) {
      formats = DetectorOptions.splitList(cl.getOptionValue("format"));
      if (stream == Stream.JSONL && output == null
          && !formats.stream().allMatch(f -> f.trim().equalsIgnoreCase("jsonl"))) {
        throw new UsageException("stdout carries the JSON Lines stream: give -o FILE|DIR for --format "
            + String.join(",", formats) + " (or --stream none)");
      }
    } else {
      formats = List.of(stream == Stream.JSONL && output == null ? "jsonl" : "json");
    }
    MemoryBudget memory = AnalyzeCommand.memory(cl);
    int maxFlows = AnalyzeCommand.maxFlows(cl, memory);
    Map<String, String> params = AnalyzeCommand.params(cl);
    List<String> detectors = AnalyzeCommand.detectorIds(cl);
    LiveOptions capture = new LiveOptions(device, filter, snaplen, !cl.hasOption("no-promiscuous"), buffer, count,
        cl.getOptionValue("write"));
    return new Settings(capture, duration, interval, stream, cl.hasOption("host-counters"), formats, output,
        cl.hasOption("connections"), maxFlows, detectors, params, cl.hasOption("debug"), memory,
        AnalyzeCommand.threads(cl));
  }

  private static long whole(CommandLine cl, String option) throws UsageException {
    String v = cl.getOptionValue(option);
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new UsageException("--" + option + " takes a whole number, not '" + v + "'");
    }
  }

  /** "30s", "5m", "1.5h", "250ms", "2d"; a bare number is seconds ({@link DurationText}). */
  static long durationNanos(String option, String text) throws UsageException {
    double nanos = DurationText.nanos(text);
    if (nanos < 0) {
      throw new UsageException(option + " takes a duration such as 30s, 5m, 2h or 250ms, not '" + text + "'");
    }
    if (nanos < 1e6 || nanos > 365 * 86400e9) {
      throw new UsageException(option + " must be between 1ms and 365d, not '" + text + "'");
    }
    return (long) nanos;
  }

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg])?(?:i?b)?");

  /** tcpdump -B: a bare number is KiB; k, m, g units (powers of 1024). */
  static int bufferBytes(String text) throws UsageException {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UsageException("--buffer-size takes KiB or a size such as 64m or 1g, not '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    long unit = switch (m.group(2) == null ? "k" : m.group(2)) {
      case "m" -> 1L << 20;
      case "g" -> 1L << 30;
      default -> 1L << 10;
    };
    if (n < 1 || n > Integer.MAX_VALUE / unit) {
      throw new UsageException("--buffer-size must be between 1 KiB and 2 GiB, not '" + text + "'");
    }
    return (int) (n * unit);
  }

  static String text(long nanos) {
    if (nanos % 1_000_000_000L != 0) {
      return nanos / 1_000_000 + "ms";
    }
    long s = nanos / 1_000_000_000L;
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  // ------------------------------------------------------------------ one capture

  /** One running capture: timers, the shutdown hook, the stream, the final reports. */
  private static final class Session {
    private final Settings s;
    private final List<ReportFormat> formats;
    private final List<Detector> detectors;
    private final HostCounterSampler sampler;
    private final LiveCaptureSource source;
    private final Io io;
    private final Object outLock = new Object();
    private final AtomicReference<String> stoppedBy = new AtomicReference<>();
    private final AtomicInteger exitCode = new AtomicInteger(ExitCode.INTERNAL);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "synscope-live-timer");
      t.setDaemon(true);
      return t;
    });
    private FindingStream stream;
    private HostCounterRecorder recorder;
    private volatile String sampleProblem;
    // The last progress, for the status line (written by the analysis thread).
    private volatile long connections;
    private volatile String findingsText = "0";
    private int statusLength;

    Session(Settings s, List<ReportFormat> formats, List<Detector> detectors, HostCounterSampler sampler,
        LiveCaptureSource source, Io io) {
      this.s = s;
      this.formats = formats;
      this.detectors = detectors;
      this.sampler = sampler;
      this.source = source;
      this.io = io;
    }

    int run() {
      Thread hook = new Thread(this::onSignal, "synscope-live-shutdown");
      boolean hooked = false;
      try {
        Runtime.getRuntime().addShutdownHook(hook);
        hooked = true;
        exitCode.set(capture());
      } catch (IOException | UncheckedIOException e) {
        exitCode.set(ExitCode.INPUT);
        io.err().println("synscope: " + oneLine(e));
        if (s.debug()) {
          e.printStackTrace(io.err());
        }
      } catch (RuntimeException | Error e) {
        exitCode.set(ExitCode.INTERNAL);
        io.err().println("synscope: internal error: " + oneLine(e)
            + (s.debug() ? "" : " (run with --debug for details; please report it)"));
        if (s.debug()) {
          e.printStackTrace(io.err());
        }
      } finally {
        timer.shutdownNow();
        source.close();
        synchronized (outLock) {
          io.out().flush();
        }
        io.err().flush();
        finished.countDown();
        if (hooked) {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException e) {
            // shutting down: the hook is running and exits with our code
          }
        }
      }
      return exitCode.get();
    }

    /** Ctrl-C or SIGTERM: stop the capture, let the command write its reports, exit with its code. */
    private void onSignal() {
      stoppedBy.compareAndSet(null, "signal");
      source.stop();
      try {
        if (finished.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS)) {
          Runtime.getRuntime().halt(exitCode.get());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static String oneLine(Throwable e) {
      String m = e.getMessage();
      return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
    }

    private int capture() throws IOException {
      String startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
      LiveOptions c = s.capture();
      io.err().println("synscope: listening on " + c.device() + ", filter '" + c.filter() + "', snapshot length "
          + c.snaplen() + " bytes" + (s.durationNanos() > 0 ? ", for " + text(s.durationNanos()) : "")
          + (c.count() > 0 ? ", up to " + c.count() + " packets" : "") + "; stop with Ctrl-C");
      if (s.durationNanos() > 0) {
        timer.schedule(() -> {
          stoppedBy.compareAndSet(null, "duration");
          source.stop();
        }, s.durationNanos(), TimeUnit.NANOSECONDS);
      }
      long interval = s.intervalNanos();
      if (sampler != null) {
        recorder = new HostCounterRecorder(
            sampler.directory() + " (network namespace of synscope's process)", interval / 1e9);
        sample();
        timer.scheduleAtFixedRate(this::sample, interval, interval, TimeUnit.NANOSECONDS);
      }
      if (s.stream() == Stream.JSONL) {
        stream = new FindingStream(io.out(), outLock, Version.get());
      }
      if (s.stream() == Stream.STATUS) {
        timer.scheduleAtFixedRate(this::status, interval, interval, TimeUnit.NANOSECONDS);
      }
      AnalysisOptions analysis = new AnalysisOptions(
          FlowConfig.defaults().withMaxFlows(s.maxFlows()), s.connections(), Version.get(),
          AnalyzeCommand.generatedAt(), ReportLimits.from(s.params()), s.threads());
      Analyzer.ProgressListener listener = s.stream() == Stream.NONE ? null : this::onProgress;
      Report report = new Analyzer(analysis, detectors).run(source, () -> false, List.of(), interval, listener);

      // The capture has ended: stop the timers before the last sample.
      timer.shutdownNow();
      try {
        timer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      String endedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
      List<Finding> findings = new ArrayList<>();
      for (Detector d : detectors) {
        findings.addAll(d.findings());
      }
      CaptureStats stats = source.stats();
      long frames = report.stats().packets();
      if (stoppedBy.get() == null) {
        // nobody stopped it and the count was not reached: libpcap failed (interface gone, ...)
        stoppedBy.compareAndSet(null, c.count() > 0 && frames >= c.count() ? "count" : "error");
      }
      Report.Capture capture = new Report.Capture(c.device(), c.filter(), c.snaplen(), startedAt, endedAt,
          stoppedBy.get(), stats.received(), stats.droppedByKernel(), stats.droppedByInterface(),
          stats.handoffDropped());
      List<String> warnings = new ArrayList<>();
      long lost = stats.droppedByKernel() + stats.droppedByInterface() + stats.handoffDropped();
      if (lost > 0) {
        warnings.add(lost + " packet(s) were lost (" + stats.droppedByKernel() + " dropped by the kernel, "
            + stats.droppedByInterface() + " by the interface, " + stats.handoffDropped() + " in synscope's hand-off):"
            + " findings may be incomplete; raise -B, narrow the filter (-f), or lower the snaplen (-s)");
      }
      HostCounters host = null;
      if (recorder != null) {
        sample();
        if (sampleProblem != null) {
          warnings.add("host counters: " + sampleProblem);
        }
        host = recorder.summary();
        if (host != null) {
          host = host.withComparisons(WireKernelComparison.compare(findings, host, LocalAddresses.ofThisHost()));
        }
      }
      report = report.withLive(capture, host, warnings);

      boolean reportIsStream = stream != null && s.output() == null;
      if (stream != null) {
        stream.update(findings); // what opened since the last interval, before the final objects
        stream.finish(report, reportIsStream);
      }
      if (s.stream() == Stream.STATUS) {
        status();
        synchronized (outLock) {
          io.out().println();
        }
      }
      if (!reportIsStream) {
        synchronized (outLock) {
          ReportOutput.write(report, formats, s.output(), baseName(c.device()), io.out(), io.colour());
        }
      }
      if ("error".equals(stoppedBy.get())) {
        String why = report.inputs().stream().flatMap(i -> i.warnings().stream())
            .filter(w -> w.startsWith("capture failed")).findFirst().orElse("capture failed");
        io.err().println("synscope: " + c.device() + ": " + why + " (the report covers what was captured)");
        return ExitCode.INPUT;
      }
      io.err().println("synscope: " + frames + " packets analysed, " + stats.received() + " received by filter, "
          + stats.droppedByKernel() + " dropped by kernel, " + stats.droppedByInterface() + " dropped by interface, "
          + stats.handoffDropped() + " dropped in hand-off; " + report.findings().size() + " finding(s); stopped by "
          + stoppedBy.get());
      return ExitCode.OK;
    }

    private void sample() {
      try {
        recorder.add(sampler.sample(System.currentTimeMillis()));
      } catch (IOException | RuntimeException e) {
        sampleProblem = "a sample failed: " + e.getMessage();
      }
    }

    private void onProgress(Analyzer.Progress p) {
      connections = p.activeConnections();
      List<Finding> current = p.findings();
      findingsText = findingsText(current);
      if (stream != null) {
        try {
          stream.update(current);
        } catch (IOException e) {
          throw new UncheckedIOException("writing the JSON Lines stream failed: " + e.getMessage(), e);
        }
      }
    }

    static String findingsText(List<Finding> current) {
      if (current.isEmpty()) {
        return "0";
      }
      List<Finding> sorted = new ArrayList<>(current);
      sorted.sort((a, b) -> b.severity().compareTo(a.severity()));
      StringBuilder sb = new StringBuilder().append(current.size()).append(": ");
      for (int i = 0; i < Math.min(3, sorted.size()); i++) {
        Finding f = sorted.get(i);
        sb.append(i == 0 ? "" : ", ").append(f.severity() == Severity.INFO ? "" : f.severity().label() + " ")
            .append(f.detector()).append(' ').append(f.target());
      }
      if (sorted.size() > 3) {
        sb.append(", ...");
      }
      return sb.toString();
    }

    /** The one-line status, rewritten in place on the terminal. */
    private void status() {
      CaptureStats st = source.stats();
      long drops = st.droppedByKernel() + st.droppedByInterface() + st.handoffDropped();
      String line = CLOCK.format(LocalTime.now()) + " " + s.capture().device() + "  "
          + String.format(Locale.ROOT, "%,d", st.received()) + " pkts  " + String.format(Locale.ROOT, "%,d", connections)
          + " conns  drops " + drops + "  findings " + findingsText;
      if (line.length() > STATUS_WIDTH) {
        line = line.substring(0, STATUS_WIDTH - 3) + "...";
      }
      synchronized (outLock) {
        int pad = Math.max(0, statusLength - line.length());
        io.out().print("\r" + line + " ".repeat(pad));
        io.out().flush();
        statusLength = line.length();
      }
    }
  }

  /** Report file names for -o DIR: "live-eth0.json". */
  static String baseName(String device) {
    return "live-" + device.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
