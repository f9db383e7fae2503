package dev.synscope.cli;

import dev.synscope.detect.Severity;
import dev.synscope.report.JunitWriter;
import dev.synscope.report.Report;
import dev.synscope.report.SarifWriter;
import dev.synscope.report.TextReportWriter;
import dev.synscope.report.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code synscope check}: analyze like {@code analyze}, then act as a CI gate. Exit 0 when no
 * finding reaches {@code --fail-on} (findings the policy accepts do not count), 1 when one does,
 * 2/3/4 as for analyze. Its standard output is the verdict, one line per finding; reports go to
 * files: {@code -o} (any --format), {@code --sarif FILE}, {@code --junit FILE}.
 */
final class CheckCommand implements Command {

  @Override
  public String name() {
    return "check";
  }

  @Override
  public String description() {
    return "analyze captures as a CI gate: exit 1 when a finding reaches --fail-on";
  }

  @Override
  public Options optionDefinitions() {
    return options();
  }

  static Options options() {
    Options o = AnalyzeCommand.options();
    o.addOption(Option.builder().longOpt("fail-on").hasArg().argName("SEVERITY")
        .desc("fail (exit 1) on a finding at or above info, low, medium, high or critical (default "
            + Verdict.DEFAULT_FAIL_ON.label() + ")").get());
    o.addOption(Option.builder().longOpt("policy").hasArg().argName("FILE")
        .desc("policy file (JSON or YAML): fail_on, detectors, per-detector params, accepted findings").get());
    o.addOption(Option.builder().longOpt("sarif").hasArg().argName("FILE")
        .desc("also write SARIF 2.1.0 (code scanning)").get());
    o.addOption(Option.builder().longOpt("junit").hasArg().argName("FILE")
        .desc("also write JUnit XML (CI test reports)").get());
    return o;
  }

  @Override
  public int run(String[] args, Io io) throws Exception {
    Options options = options();
    CommandLine cl = AnalyzeCommand.parse(options, args);
    if (cl.hasOption("help")) {
      PrintWriter w = new PrintWriter(io.out());
      new HelpFormatter().printHelp(w, 100, "synscope check [options] CAPTURE...",
          "Analyze captures and gate on the findings; the verdict goes to stdout.", options, 2, 2,
          "exit codes: 0 no finding at or above --fail-on, 1 one is, 2 usage, 3 input/output, 4 internal");
      w.flush();
      return ExitCode.OK;
    }
    AnalyzeOptions given = AnalyzeCommand.analyzeOptions(cl, io);
    if (cl.hasOption("format") && !cl.hasOption("output")) {
      throw new UsageException("check writes reports only to files: give -o FILE|DIR with --format "
          + "(its standard output is the verdict)");
    }
    List<ReportFormat> formats = AnalyzeCommand.formats(given.formats());
    Severity failOn = null;
    if (cl.hasOption("fail-on")) {
      failOn = severity(cl.getOptionValue("fail-on"));
    }
    CheckPolicy policy = CheckPolicy.NONE;
    if (cl.hasOption("policy")) {
      policy = CheckPolicy.read(Path.of(cl.getOptionValue("policy")));
    }
    if (failOn == null) {
      failOn = policy.failOn() != null ? policy.failOn() : Verdict.DEFAULT_FAIL_ON;
    }
    Map<String, String> params = new LinkedHashMap<>(policy.params());
    params.putAll(given.params());
    List<String> detectors = given.detectors().isEmpty() ? policy.detectors() : given.detectors();
    AnalyzeOptions opts = new AnalyzeOptions(
        given.inputs(), given.formats(), given.output(), given.connections(), given.maxFlows(), given.reader(),
        detectors, Map.copyOf(params), given.debug(), given.memory(), given.quiet(), given.threads());

    Report report = AnalyzeCommand.analyze(opts, io);
    CheckPolicy p = policy;
    Verdict verdict = Verdict.of(report, failOn, p::acceptance);

    if (opts.output() != null && !opts.output().equals("-")) {
      writeReports(report, verdict, formats, opts.output(), AnalyzeCommand.baseName(opts.inputs()));
    }
    if (cl.hasOption("sarif")) {
      ReportOutput.atomicWrite(Path.of(cl.getOptionValue("sarif")), out -> new SarifWriter(verdict).write(report, out));
    }
    if (cl.hasOption("junit")) {
      ReportOutput.atomicWrite(Path.of(cl.getOptionValue("junit")), out -> new JunitWriter(verdict).write(report, out));
    }
    print(verdict, policy, report, io.out(), io.colour());
    return verdict.failed() ? ExitCode.FINDINGS : ExitCode.OK;
  }

  private static Severity severity(String text) throws UsageException {
    try {
      return Severity.parse(text);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--fail-on: " + e.getMessage());
    }
  }

  /** Like analyze's -o: one format to a file, several (or an existing directory) into a directory. */
  private static void writeReports(Report report, Verdict verdict, List<ReportFormat> formats, String output, String base)
      throws IOException {
    Path target = Path.of(output);
    if (formats.size() == 1 && !Files.isDirectory(target)) {
      ReportOutput.atomicWrite(target, out -> formats.get(0).writer(verdict).write(report, out));
      return;
    }
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new IOException(output + ": cannot create output directory: " + e.getMessage(), e);
    }
    for (ReportFormat f : formats) {
      var writer = f.writer(verdict);
      ReportOutput.atomicWrite(target.resolve(base + "." + writer.extension()), out -> writer.write(report, out));
    }
  }

  /** The text summary with each finding's outcome, the policy's remarks and the verdict. */
  static void print(Verdict v, CheckPolicy policy, Report report, PrintStream out, boolean colour) throws IOException {
    List<String> notes = new ArrayList<>();
    for (CheckPolicy.Acceptance a : policy.unused(report.findings())) {
      notes.add("note: policy accepts '" + a.describe() + "', which matched no finding");
    }
    new TextReportWriter(v, colour, notes).write(report, out);
    out.flush();
  }
}
