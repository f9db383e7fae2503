package dev.synscope.flink;

import dev.synscope.cli.DetectorOptions;
import dev.synscope.cli.DurationText;
import dev.synscope.cli.Version;

import dev.synscope.capture.InputException;
import dev.synscope.cli.ExitCode;
import dev.synscope.detect.Detectors;
import dev.synscope.report.ReportLimits;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The findings job from a command line: {@code java -jar synscope-flink.jar -o findings.jsonl
 * CAPTURE...} runs it on a local mini-cluster and leaves one JSON Lines file in the report's
 * order; {@code flink run synscope-flink.jar --output-dir DIR CAPTURE...} submits it to the
 * cluster and leaves the part files in {@code DIR}. Only {@link #main} exits the JVM; {@link
 * #run} returns the exit code (synscope's codes: {@link ExitCode}).
 */
public final class SynscopeFlink {
  static final String NAME = "synscope-flink";
  /** The most subtasks {@code --parallelism} asks for. */
  static final int MAX_PARALLELISM = 256;
  static final Duration MAX_OUT_OF_ORDERNESS = Duration.ofHours(24);

  /** Builds the job's findings stream; {@link FindingsJob#findings} outside tests. */
  @FunctionalInterface
  interface Job {
    DataStream<FindingRecord> findings(StreamExecutionEnvironment env, JobOptions options) throws Exception;
  }

  /** A command line that cannot be run: one line for the user, exit 2. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  /** An input or output that cannot be used: one line for the user, exit 3. */
  static final class IoProblem extends Exception {
    IoProblem(String message) {
      super(message);
    }
  }

  /** The job was submitted and failed (its cause: the exception Flink threw). */
  static final class JobFailed extends Exception {
    JobFailed(Throwable cause) {
      super(cause);
    }
  }

  /** The parsed command line. */
  record Settings(JobOptions job, Integer parallelism, java.nio.file.Path output, String outputDir, boolean debug) {}

  /** How a run ended: the exit code, and whether the job went to a cluster rather than a local mini-cluster. */
  record Outcome(int code, boolean cluster) {}

  private SynscopeFlink() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    Outcome outcome = execute(args, out, err, StreamExecutionEnvironment::getExecutionEnvironment, FindingsJob::findings);
    out.flush();
    // Under flink run in application mode main() runs inside the JobManager: a clean return, not
    // System.exit, ends it there. Locally the mini-cluster may leave threads behind: exit.
    if (outcome.code() != ExitCode.OK || !outcome.cluster()) {
      System.exit(outcome.code());
    }
  }

  /** Runs one command line; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return execute(args, out, err, StreamExecutionEnvironment::getExecutionEnvironment, FindingsJob::findings).code();
  }

  /** {@link #run} with the environment and the job given (tests). */
  static Outcome execute(String[] args, PrintStream out, PrintStream err,
      Supplier<StreamExecutionEnvironment> environments, Job job) {
    boolean debug = List.of(args).contains("--debug");
    boolean cluster = false;
    java.nio.file.Path staging = null;
    try {
      Options options = options();
      CommandLine cl = parse(options, args);
      if (cl.hasOption("help")) {
        printHelp(out, options);
        return new Outcome(ExitCode.OK, false);
      }
      if (cl.hasOption("version")) {
        out.println(NAME + " " + version() + " (Apache Flink " + EnvironmentInformation.getVersion() + ")");
        return new Outcome(ExitCode.OK, false);
      }
      Settings settings = settings(cl);
      checkInputs(settings.job().captures());
      checkOutput(settings);

      StreamExecutionEnvironment env = environments.get();
      cluster = !(env instanceof LocalStreamEnvironment);
      if (cluster && settings.output() != null) {
        throw new UsageException("-o writes through a local mini-cluster (java -jar); to run on a cluster give"
            + " --output-dir DIR on a file system every TaskManager reaches");
      }
      if (settings.parallelism() != null) {
        env.setParallelism(settings.parallelism());
      }
      String sinkDir;
      if (settings.output() != null) {
        java.nio.file.Path file = settings.output().toAbsolutePath();
        staging = Files.createTempDirectory(file.getParent(), "." + file.getFileName() + ".parts-");
        sinkDir = staging.toUri().toString();
      } else {
        sinkDir = settings.outputDir();
      }
      FindingsSink.attach(job.findings(env, settings.job()), sinkDir);
      long start = System.nanoTime();
      JobExecutionResult result;
      try {
        result = env.execute(jobName(settings.job().captures()));
      } catch (Exception e) {
        throw new JobFailed(e);
      }
      String took = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
      if (!result.isJobExecutionResult()) {
        err.println(NAME + ": job " + result.getJobID() + " submitted (detached); its findings go to "
            + settings.outputDir() + " as " + FindingsSink.PART_PREFIX + "-*" + FindingsSink.PART_SUFFIX);
        return new Outcome(ExitCode.OK, cluster);
      }
      // As the CLI's report's warnings: a truncated or partly corrupt capture is read as far as it
      // goes, and said so.
      for (String w : Warnings.of(result)) {
        err.println(NAME + ": warning: " + w);
      }
      if (settings.output() != null) {
        long lines = FindingsSink.mergeParts(staging, settings.output());
        err.println(NAME + ": " + findings(lines) + " written to " + settings.output() + " (" + took + ")");
      } else {
        long lines = countLines(settings.outputDir());
        err.println(NAME + ": " + (lines < 0 ? "findings" : findings(lines)) + " written to " + settings.outputDir()
            + " as " + FindingsSink.PART_PREFIX + "-*" + FindingsSink.PART_SUFFIX + " (" + took + ")");
      }
      return new Outcome(ExitCode.OK, cluster);
    } catch (UsageException e) {
      err.println(NAME + ": " + e.getMessage() + " (try '" + NAME + " --help')");
      return new Outcome(ExitCode.USAGE, cluster);
    } catch (IoProblem e) {
      err.println(NAME + ": " + e.getMessage());
      return new Outcome(ExitCode.INPUT, cluster);
    } catch (Exception | Error e) {
      Failure f = failure(e);
      err.println(NAME + ": " + f.message()
          + (debug || f.code() != ExitCode.INTERNAL ? "" : " (run with --debug for details)"));
      if (debug) {
        e.printStackTrace(err);
      }
      return new Outcome(f.code(), cluster);
    } finally {
      if (staging != null) {
        deleteTree(staging);
      }
    }
  }

  static Options options() {
    Options o = new Options();
    o.addOption(Option.builder("o").longOpt("output").hasArg().argName("FILE")
        .desc("the findings as one JSON Lines file, in the report's order (runs on a local mini-cluster)").get());
    o.addOption(Option.builder().longOpt("output-dir").hasArg().argName("DIR")
        .desc("leave the findings as part files " + FindingsSink.PART_PREFIX + "-*" + FindingsSink.PART_SUFFIX
            + " in DIR, any file system Flink writes (for flink run; instead of -o)").get());
    o.addOption(Option.builder().longOpt("parallelism").hasArg().argName("N")
        .desc("the job's parallelism, 1 to " + MAX_PARALLELISM + " (default: the processors locally, the"
            + " cluster's default or flink run -p under flink run)").get());
    o.addOption(Option.builder().longOpt("out-of-orderness").hasArg().argName("DURATION")
        .desc("how far packets may arrive out of time order, e.g. 0s, 500ms, 2s (default 0s)").get());
    o.addOption(Option.builder().longOpt("detectors").hasArg().argName("LIST")
        .desc("detector ids to run, comma-separated (default all; none for no detector)").get());
    o.addOption(Option.builder().longOpt("param").hasArg().argName("ID.KEY=VALUE")
        .desc("override a detector parameter (repeatable)").get());
    o.addOption(Option.builder().longOpt("kafka-bootstrap").hasArg().argName("SERVERS")
        .desc("also write findings and connections to Kafka (host:port[,host:port...]), one JSON object a"
            + " record with the ECS names of synscope analyze --format jsonl").get());
    o.addOption(Option.builder().longOpt("kafka-topic-prefix").hasArg().argName("PREFIX")
        .desc("the topics PREFIX.findings and PREFIX.connections (default " + KafkaOptions.DEFAULT_PREFIX + ")").get());
    o.addOption(Option.builder().longOpt("debug").desc("print stack traces of errors").get());
    o.addOption(Option.builder().longOpt("version").desc("print the version").get());
    o.addOption(Option.builder("h").longOpt("help").desc("this help").get());
    return o;
  }

  private static CommandLine parse(Options options, String[] args) throws UsageException {
    try {
      return DefaultParser.builder().get().parse(options, args);
    } catch (ParseException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static void printHelp(PrintStream out, Options options) {
    PrintWriter w = new PrintWriter(out);
    new HelpFormatter().printHelp(w, 100,
        NAME + " (-o FILE | --output-dir DIR) [options] CAPTURE...",
        "Runs synscope's analysis as an Apache Flink job. CAPTURE: capture files or directories (any file"
            + " system Flink reads).",
        options, 2, 2,
        "java -jar synscope-flink.jar runs on a local mini-cluster; flink run -p N synscope-flink.jar"
            + " --output-dir DIR ... on a cluster.\n"
            + "exit codes: 0 done, 2 usage error, 3 input or output error (also a job failing on an input),"
            + " 4 internal error or other job failure");
    w.flush();
  }

  static Settings settings(CommandLine cl) throws UsageException {
    List<String> captures = cl.getArgList();
    if (captures.isEmpty()) {
      throw new UsageException("no capture given");
    }
    if (captures.contains("-")) {
      throw new UsageException("a Flink job cannot read stdin ('-'): name capture files or directories");
    }
    String output = cl.getOptionValue("output");
    String outputDir = cl.getOptionValue("output-dir");
    if (output == null && outputDir == null) {
      throw new UsageException("no output given: -o FILE, or --output-dir DIR");
    }
    if (output != null && outputDir != null) {
      throw new UsageException("-o and --output-dir exclude each other");
    }
    if (output != null && (output.isBlank() || output.contains("://"))) {
      throw new UsageException("-o takes a local file, not '" + output + "' (use --output-dir for a file system URI)");
    }
    if (outputDir != null && outputDir.isBlank()) {
      throw new UsageException("--output-dir needs a directory");
    }
    Integer parallelism = null;
    if (cl.hasOption("parallelism")) {
      String v = cl.getOptionValue("parallelism").trim();
      try {
        parallelism = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new UsageException("--parallelism takes a whole number, not '" + v + "'");
      }
      if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
        throw new UsageException("--parallelism must be 1 to " + MAX_PARALLELISM + ", not " + parallelism);
      }
    }
    Duration outOfOrderness = Duration.ZERO;
    if (cl.hasOption("out-of-orderness")) {
      outOfOrderness = duration("--out-of-orderness", cl.getOptionValue("out-of-orderness"));
    }
    List<String> detectors = detectorIds(cl);
    Map<String, String> params = params(cl);
    try {
      Detectors.create(detectors, params); // an unknown or repeated id or parameter: before anything runs
      ReportLimits.from(params);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    JobOptions job = new JobOptions(captures, outOfOrderness, detectors, params);
    if (cl.hasOption("kafka-bootstrap") || cl.hasOption("kafka-topic-prefix")) {
      job = job.withKafka(kafka(cl));
    }
    return new Settings(job, parallelism,
        output == null ? null : java.nio.file.Path.of(output), outputDir, cl.hasOption("debug"));
  }

  /** "0s", "500ms", "2s", "1.5m", "1h"; a bare number is seconds. synscope live's syntax ({@link DurationText}). */
  static Duration duration(String option, String text) throws UsageException {
    double nanos = DurationText.nanos(text);
    if (nanos < 0) {
      throw new UsageException(option + " takes a duration such as 0s, 500ms or 2s, not '" + text + "'");
    }
    if (nanos > MAX_OUT_OF_ORDERNESS.toNanos()) {
      throw new UsageException(option + " must be 0 to 24h, not '" + text + "'");
    }
    return Duration.ofMillis(Math.round(nanos / 1e6));
  }

  /** {@code --detectors LIST} as synscope analyze takes it: empty for all; an empty list is an error. */
  static List<String> detectorIds(CommandLine cl) throws UsageException {
    try {
      return cl.hasOption("detectors") ? DetectorOptions.ids(cl.getOptionValue("detectors")) : List.of();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The repeated {@code --param ID.KEY=VALUE}, keyed "ID.KEY", as synscope analyze takes them. */
  static Map<String, String> params(CommandLine cl) throws UsageException {
    try {
      return cl.hasOption("param") ? DetectorOptions.params(cl.getOptionValues("param")) : Map.of();
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  /** {@code --kafka-bootstrap} and {@code --kafka-topic-prefix}. */
  static KafkaOptions kafka(CommandLine cl) throws UsageException {
    String servers = cl.getOptionValue("kafka-bootstrap");
    if (servers == null || servers.isBlank()) {
      throw new UsageException("--kafka-topic-prefix needs --kafka-bootstrap host:port");
    }
    String prefix = cl.getOptionValue("kafka-topic-prefix", KafkaOptions.DEFAULT_PREFIX);
    if (!TOPIC.matcher(prefix).matches()) {
      throw new UsageException("--kafka-topic-prefix takes letters, digits, '.', '_' and '-', not '" + prefix + "'");
    }
    return new KafkaOptions(servers.trim(), prefix);
  }

  /** Every capture exists, checked before the job is built: a missing one is exit 3, not a failed job. */
  static void checkInputs(List<String> captures) throws IoProblem {
    for (String c : captures) {
      try {
        Path p = new Path(c);
        if (!p.getFileSystem().exists(p)) {
          throw new IoProblem(c + ": no such file or directory");
        }
      } catch (IOException | IllegalArgumentException e) {
        throw new IoProblem(c + ": " + oneLine(e));
      }
    }
  }

  /** -o: a file in an existing, writable directory; --output-dir: no part files of an earlier run in it. */
  static void checkOutput(Settings s) throws IoProblem {
    if (s.output() != null) {
      java.nio.file.Path file = s.output().toAbsolutePath();
      if (Files.isDirectory(file)) {
        throw new IoProblem(s.output() + ": is a directory (-o takes a file; --output-dir leaves part files)");
      }
      java.nio.file.Path parent = file.getParent();
      if (!Files.isDirectory(parent)) {
        throw new IoProblem(s.output() + ": no such directory " + parent);
      }
      if (!Files.isWritable(parent)) {
        throw new IoProblem(s.output() + ": cannot write in " + parent);
      }
      return;
    }
    try {
      Path dir = new Path(s.outputDir());
      FileSystem fs = dir.getFileSystem();
      if (!fs.exists(dir)) {
        return;
      }
      FileStatus[] files = fs.listStatus(dir);
      for (FileStatus f : files == null ? new FileStatus[0] : files) {
        String name = f.getPath().getName();
        if (name.startsWith(FindingsSink.PART_PREFIX + "-") || name.startsWith("." + FindingsSink.PART_PREFIX + "-")) {
          throw new IoProblem(s.outputDir() + ": already holds part files (" + name
              + "); remove them or choose another directory");
        }
      }
      if (!fs.getFileStatus(dir).isDir()) {
        throw new IoProblem(s.outputDir() + ": is not a directory");
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IoProblem(s.outputDir() + ": " + oneLine(e));
    }
  }

  /** The findings lines in the committed part files of {@code dir}; -1 when they cannot be read from here. */
  private static long countLines(String dir) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem();
      long lines = 0;
      FileStatus[] files = fs.listStatus(p);
      for (FileStatus f : files == null ? new FileStatus[0] : files) {
        String name = f.getPath().getName();
        if (!f.isDir() && name.startsWith(FindingsSink.PART_PREFIX + "-") && name.endsWith(FindingsSink.PART_SUFFIX)) {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(fs.open(f.getPath()), StandardCharsets.UTF_8))) {
            while (r.readLine() != null) {
              lines++;
            }
          }
        }
      }
      return lines;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static String findings(long n) {
    return n + (n == 1 ? " finding" : " findings");
  }

  private static String jobName(List<String> captures) {
    return "synscope findings: " + (captures.size() == 1 ? captures.get(0) : captures.size() + " captures");
  }

  record Failure(int code, String message) {}

  /**
   * A failure as one line and an exit code. A job's failure comes wrapped (JobExecutionException,
   * the restart strategy's JobException, ExecutionException, ProgramInvocationException...): the
   * line names the root cause. An unreadable input (synscope's InputException, or any I/O error)
   * is exit 3, as synscope analyze gives; anything else is exit 4.
   */
  static Failure failure(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    for (Throwable t : chain) {
      if (t instanceof InputException) {
        return new Failure(ExitCode.INPUT, oneLine(t));
      }
    }
    Throwable root = chain.get(chain.size() - 1);
    if (root instanceof IOException || root instanceof UncheckedIOException) {
      return new Failure(ExitCode.INPUT, oneLine(root));
    }
    boolean jobFailed = e instanceof JobFailed;
    return new Failure(ExitCode.INTERNAL, (jobFailed ? "job failed: " : "internal error: ") + oneLine(root));
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** synscope's version, from the analyzer's build. */
  static String version() {
    return Version.get();
  }

  private static void deleteTree(java.nio.file.Path dir) {
    try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
      for (java.nio.file.Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException | UncheckedIOException e) {
      // a leftover hidden staging directory is untidy, not wrong
    }
  }
}
