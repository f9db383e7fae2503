package dev.synscope.cli;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.CaptureSources;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.engine.AnalysisOptions;
import dev.synscope.engine.Analyzer;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.MemoryBudget;
import dev.synscope.report.Report;
import dev.synscope.report.ReportLimits;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/** {@code synscope analyze}: read captures, track every TCP connection, write the report. */
final class AnalyzeCommand implements Command {

  @Override
  public String name() {
    return "analyze";
  }

  @Override
  public String description() {
    return "analyze capture files (pcap, pcapng, gzip, stdin) and write a report";
  }

  @Override
  public Options optionDefinitions() {
    return options();
  }

  static Options options() {
    Options o = new Options();
    o.addOption(Option.builder("r").longOpt("read").hasArg().argName("FILE")
        .desc("capture to read (repeatable; '-' is stdin; a directory means every capture in it)").get());
    o.addOption(Option.builder("F").longOpt("format").hasArg().argName("LIST")
        .desc("report formats, comma-separated: " + ReportFormat.labels() + " (default: text on a terminal, json to"
            + " a pipe or file; with -o FILE, the format its extension names)").get());
    o.addOption(Option.builder("o").longOpt("output").hasArg().argName("PATH")
        .desc("output file, or directory when several formats (default stdout)").get());
    o.addOption(Option.builder("q").longOpt("quiet").desc("no progress line on the terminal").get());
    o.addOption(Option.builder().longOpt("threads").hasArg().argName("N")
        .desc("threads: 1 does everything on one; 2 runs reading, decoding and connection tracking on a thread"
            + " of their own, ahead of the detectors and the report; 3 or more add a reader, flow shards by"
            + " connection and detector groups. The report is the same whatever the number (default: "
            + defaultThreads() + ", the processors available, at most " + MAX_DEFAULT_THREADS + ")").get());
    o.addOption(Option.builder().longOpt("connections").desc("include one record per connection").get());
    o.addOption(Option.builder().longOpt("memory").hasArg().argName("SIZE")
        .desc("heap the analysis may fill with state, such as 256m or 2g: it sets how many connections are"
            + " tracked at once and the caps of the detectors' tables (default " + MemoryBudget.DEFAULT_HEAP_PERCENT
            + "% of the JVM's maximum heap, at most " + FlowConfig.DEFAULT_MAX_FLOWS + " connections)").get());
    o.addOption(Option.builder().longOpt("max-flows").hasArg().argName("N")
        .desc("connections tracked at once before the oldest are evicted (default: what --memory holds)").get());
    o.addOption(Option.builder().longOpt("reader").hasArg().argName("KIND")
        .desc("builtin (default; no native library) or libpcap (pcap4j)").get());
    o.addOption(Option.builder().longOpt("detectors").hasArg().argName("LIST")
        .desc("detector ids to run, comma-separated (default all)").get());
    o.addOption(Option.builder().longOpt("param").hasArg().argName("ID.KEY=VALUE")
        .desc("override a detector parameter (repeatable)").get());
    o.addOption(Option.builder().longOpt("debug").desc("print stack traces of errors").get());
    o.addOption(Option.builder("h").longOpt("help").desc("this help").get());
    return o;
  }

  @Override
  public int run(String[] args, Io io) throws Exception {
    Options options = options();
    CommandLine cl = parse(options, args);
    if (cl.hasOption("help")) {
      printHelp(io, options);
      return ExitCode.OK;
    }
    AnalyzeOptions opts = analyzeOptions(cl, io);
    Report report = analyze(opts, io);
    ReportOutput.write(report, formats(opts.formats()), opts.output(), baseName(opts.inputs()), io.out(), io.colour());
    return ExitCode.OK;
  }

  static CommandLine parse(Options options, String[] args) throws UsageException {
    try {
      return DefaultParser.builder().get().parse(options, args);
    } catch (ParseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private void printHelp(Io io, Options options) {
    PrintWriter w = new PrintWriter(io.out());
    new HelpFormatter().printHelp(w, 100, "synscope analyze [options] CAPTURE...", "", options, 2, 2, "");
    w.flush();
  }

  static AnalyzeOptions analyzeOptions(CommandLine cl, Io io) throws UsageException {
    List<String> inputs = new ArrayList<>();
    if (cl.hasOption("read")) {
      inputs.addAll(List.of(cl.getOptionValues("read")));
    }
    inputs.addAll(cl.getArgList());
    if (inputs.isEmpty()) {
      throw new UsageException("no capture given");
    }
    if (inputs.stream().filter("-"::equals).count() > 1) {
      throw new UsageException("stdin ('-') can be read only once");
    }
    List<String> formats = cl.hasOption("format") ? DetectorOptions.splitList(cl.getOptionValue("format"))
        : List.of(defaultFormat(cl.getOptionValue("output"), io).label());
    MemoryBudget memory = memory(cl);
    int maxFlows = maxFlows(cl, memory);
    String reader = cl.getOptionValue("reader", "builtin");
    if (!reader.equals("builtin") && !reader.equals("libpcap")) {
      throw new UsageException("--reader takes builtin or libpcap, not '" + reader + "'");
    }
    Map<String, String> params = params(cl);
    List<String> detectors = detectorIds(cl);
    return new AnalyzeOptions(
        List.copyOf(inputs), formats, cl.getOptionValue("output"), cl.hasOption("connections"), maxFlows,
        reader, detectors, params, cl.hasOption("debug"), memory, cl.hasOption("quiet"), threads(cl));
  }

  /** Threads a run may ask for: each flow shard holds a share of the budget and a thread. */
  static final int MAX_THREADS = 64;

  /** Beyond this many the event stage's first group (the merge, the report) bounds the speed. */
  static final int MAX_DEFAULT_THREADS = 8;

  /** One per processor, up to {@value #MAX_DEFAULT_THREADS}; one processor gains nothing from a second thread. */
  static int defaultThreads() {
    return Math.max(1, Math.min(MAX_DEFAULT_THREADS, Runtime.getRuntime().availableProcessors()));
  }

  static int threads(CommandLine cl) throws UsageException {
    if (!cl.hasOption("threads")) {
      return defaultThreads();
    }
    try {
      int n = Integer.parseInt(cl.getOptionValue("threads").trim());
      if (n < 1 || n > MAX_THREADS) {
        throw new UsageException("--threads must be 1 to " + MAX_THREADS + ", not " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new UsageException("--threads takes a whole number, not '" + cl.getOptionValue("threads") + "'");
    }
  }

  /**
   * Without {@code --format}: the format a named output file's extension gives (else JSON); to
   * stdout, text for a person at a terminal and JSON for a pipe or a file, so scripts keep working.
   */
  static ReportFormat defaultFormat(String output, Io io) {
    if (output != null && !output.equals("-")) {
      ReportFormat byName = ReportFormat.ofFileName(output);
      return byName != null ? byName : ReportFormat.JSON;
    }
    return io.outIsTerminal() ? ReportFormat.TEXT : ReportFormat.JSON;
  }

  /** {@code --memory SIZE}, else the default budget from the heap; shared with live. */
  static MemoryBudget memory(CommandLine cl) throws UsageException {
    if (!cl.hasOption("memory")) {
      return MemoryBudget.fromHeap();
    }
    try {
      return MemoryBudget.parse(cl.getOptionValue("memory"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--memory: " + e.getMessage());
    }
  }

  /** {@code --max-flows N} (default: the budget's flow capacity); shared with live. */
  static int maxFlows(CommandLine cl, MemoryBudget memory) throws UsageException {
    int maxFlows = memory.flowCapacity();
    if (cl.hasOption("max-flows")) {
      try {
        maxFlows = Integer.parseInt(cl.getOptionValue("max-flows"));
      } catch (NumberFormatException e) {
        throw new UsageException("--max-flows takes a whole number, not '" + cl.getOptionValue("max-flows") + "'");
      }
      if (maxFlows < 1) {
        throw new UsageException("--max-flows must be at least 1");
      }
    }
    return maxFlows;
  }

  /** The repeated {@code --param ID.KEY=VALUE} options, keyed "ID.KEY"; shared with live. */
  static Map<String, String> params(CommandLine cl) throws UsageException {
    try {
      return cl.hasOption("param") ? DetectorOptions.params(cl.getOptionValues("param")) : new LinkedHashMap<>();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * {@code --detectors LIST}: the ids given, or none for all. An empty list is a usage error
   * rather than "all", which is what it would silently mean; {@code none} asks for none.
   */
  static List<String> detectorIds(CommandLine cl) throws UsageException {
    if (!cl.hasOption("detectors")) {
      return List.of();
    }
    try {
      return DetectorOptions.ids(cl.getOptionValue("detectors"));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  static List<ReportFormat> formats(List<String> names) throws UsageException {
    List<ReportFormat> out = new ArrayList<>();
    for (String n : names) {
      out.add(ReportFormat.parse(n));
    }
    if (out.isEmpty()) {
      throw new UsageException("--format needs at least one format");
    }
    return out;
  }

  /** Runs the analysis the options describe; shared by analyze and check. */
  static Report analyze(AnalyzeOptions opts, Io io) throws Exception {
    formats(opts.formats()); // reject a bad format before reading anything
    List<Detector> detectors;
    ReportLimits limits;
    try {
      detectors = Detectors.create(opts.detectors(), opts.params(), opts.memory());
      limits = ReportLimits.from(opts.params());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    AnalysisOptions analysis = new AnalysisOptions(
        FlowConfig.defaults().withMaxFlows(opts.maxFlows()), opts.connections(), Version.get(), generatedAt(), limits,
        opts.threads());
    try (CaptureSource source = CaptureSources.open(opts.reader(), opts.inputs(), io.in())) {
      if (opts.quiet() || !io.errIsTerminal()) {
        return new Analyzer(analysis, detectors).run(source, () -> false, List.of());
      }
      ProgressLine progress = new ProgressLine(source, io.err());
      try {
        return new Analyzer(analysis, detectors).run(source, () -> false, List.of(), 0, null, progress);
      } finally {
        progress.clear();
      }
    }
  }

  /** Now, or SOURCE_DATE_EPOCH when set (reproducible builds' convention). */
  static String generatedAt() {
    String epoch = System.getenv("SOURCE_DATE_EPOCH");
    Instant t = Instant.now();
    if (epoch != null && epoch.matches("\\d+")) {
      t = Instant.ofEpochSecond(Long.parseLong(epoch));
    }
    return t.toString();
  }

  static String baseName(List<String> inputs) {
    if (inputs.size() != 1 || inputs.get(0).equals("-")) {
      return "synscope";
    }
    String name = Path.of(inputs.get(0)).getFileName().toString();
    for (String ext : List.of(".gz", ".pcapng", ".pcap", ".cap")) {
      if (name.endsWith(ext)) {
        name = name.substring(0, name.length() - ext.length());
      }
    }
    return name.isEmpty() ? "synscope" : name;
  }
}
