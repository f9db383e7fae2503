package dev.synscope.cli;

import dev.synscope.detect.Detectors;
import dev.synscope.detect.Severity;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The man page synscope(1) and the bash completion, made at build time from the very option
 * definitions {@code --help} prints, the command list, the report formats and the detector
 * registry, so the three never drift apart. {@code mvn package} runs {@link #main} before the
 * Debian package is assembled.
 */
public final class ManualPages {
  private ManualPages() {}

  /** Writes {@code synscope.1.gz} and {@code completions/synscope} into the directory given. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/manual");
    Files.createDirectories(dir);
    // gzip -9n's result: no name, no time stamp, so the package builds reproducibly.
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("synscope.1.gz")))) {
      out.write(manPage().getBytes(StandardCharsets.UTF_8));
    }
    Files.createDirectories(dir.resolve("completions"));
    Files.writeString(dir.resolve("completions/synscope"), bashCompletion());
  }

  private static List<Command> commands() {
    return new Main().commands();
  }

  /** synscope(1) in man(7) roff. */
  static String manPage() {
    StringBuilder m = new StringBuilder();
    m.append(".TH SYNSCOPE 1 \"\" \"synscope ").append(Version.get()).append("\" \"User Commands\"\n");
    m.append(".SH NAME\nsynscope \\- TCP handshake analyzer for packet captures\n");
    m.append(".SH SYNOPSIS\n");
    for (Command c : commands()) {
      m.append(".B synscope ").append(c.name()).append("\n[\\fIoptions\\fR]")
          .append(c.name().equals("analyze") || c.name().equals("check") ? " \\fICAPTURE\\fR...\n" : "\n").append(".br\n");
    }
    m.append(".B synscope \\-\\-version\n.br\n.B synscope \\-\\-help\n");
    m.append(".SH DESCRIPTION\n")
        .append(text("synscope reads packet captures (pcap, pcapng, either gzip-compressed, or stdin) or sniffs an"
            + " interface, tracks both endpoints of every TCP connection through the handshake and close, and"
            + " reports what the kernel's handshake machinery did: SYN floods, listen queues that overflow or"
            + " saturate, SYN cookies, connect timeouts, CLOSE_WAIT leaks, TIME_WAIT pileups, self-connections"
            + " and simultaneous opens, and every host's sockets by TCP state as ss(8) would count them."))
        .append("\n.PP\n")
        .append(text("On a terminal, analyze and check print a text summary; to a pipe or a file analyze writes the"
            + " JSON report. Formats: " + ReportFormat.labels() + "."))
        .append("\n");
    m.append(".SH COMMANDS\n");
    for (Command c : commands()) {
      m.append(".SS ").append(c.name()).append('\n').append(text(c.description())).append('\n');
      for (Option o : sorted(c.optionDefinitions())) {
        m.append(".TP\n").append(optionHead(o)).append('\n').append(text(o.getDescription())).append('\n');
      }
    }
    m.append(".SH DETECTORS\n")
        .append(text("Chosen with \\-\\-detectors (default all), tuned with \\-\\-param ID.KEY=VALUE."))
        .append('\n');
    for (Detectors.Entry e : Detectors.all()) {
      m.append(".TP\n.B ").append(e.id().replace("-", "\\-")).append('\n').append(text(e.description())).append('\n');
    }
    m.append(".SH EXIT STATUS\n");
    for (String[] code : new String[][] {
        {"0", "done; for check, no finding at or above \\-\\-fail\\-on"},
        {"1", "check: a finding reached \\-\\-fail\\-on"},
        {"2", "usage error"},
        {"3", "an input could not be read or an output written"},
        {"4", "internal error (a bug; run with \\-\\-debug)"}}) {
      m.append(".TP\n.B ").append(code[0]).append('\n').append(code[1]).append('\n');
    }
    m.append(".SH ENVIRONMENT\n");
    for (String[] env : new String[][] {
        {"NO_COLOR", "when set and not empty, the text summary has no colour"},
        {"SYNSCOPE_JAVA_OPTS", "JVM options instead of the launcher's choice (for example \\-Xmx4g)"},
        {"SYNSCOPE_JAR", "the jar the launcher runs (default /usr/share/synscope/synscope.jar)"},
        {"SOURCE_DATE_EPOCH", "the report's generated_at, for reproducible output"}}) {
      m.append(".TP\n.B ").append(env[0]).append('\n').append(env[1]).append('\n');
    }
    m.append(".SH FILES\n.TP\n.I /usr/share/synscope/synscope.jar\nthe program\n");
    m.append(".SH EXAMPLES\n.nf\n")
        .append("synscope analyze capture.pcap\n")
        .append("synscope analyze \\-F html \\-o report.html capture.pcapng\n")
        .append("synscope check \\-\\-fail\\-on high ci\\-trace.pcap\n")
        .append("sudo synscope live \\-i eth0 \\-\\-duration 60s\n")
        .append(".fi\n");
    m.append(".SH SEE ALSO\n.BR tcpdump (8),\n.BR ss (8),\n.BR tshark (1)\n");
    return m.toString();
  }

  private static List<Option> sorted(Options options) {
    List<Option> out = new ArrayList<>(options.getOptions());
    out.sort(Comparator.comparing(o -> (o.getLongOpt() != null ? o.getLongOpt() : o.getOpt()).toLowerCase(Locale.ROOT)));
    return out;
  }

  private static String optionHead(Option o) {
    StringBuilder h = new StringBuilder();
    if (o.getOpt() != null) {
      h.append("\\fB\\-").append(o.getOpt()).append("\\fR");
    }
    if (o.getLongOpt() != null) {
      h.append(h.length() > 0 ? ", " : "").append("\\fB\\-\\-").append(o.getLongOpt().replace("-", "\\-")).append("\\fR");
    }
    if (o.hasArg()) {
      h.append(" \\fI").append(o.getArgName() == null ? "ARG" : o.getArgName()).append("\\fR");
    }
    return h.toString();
  }

  /** Running text, escaped for roff: backslashes, and a leading dot or quote. */
  static String text(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replace("\\-", "\u0000").replace("\\", "\\e").replace("\u0000", "\\-");
    if (t.startsWith(".") || t.startsWith("'")) {
      t = "\\&" + t;
    }
    return t;
  }

  /** Completion for bash: commands, each command's options, formats, detector ids, severities. */
  static String bashCompletion() {
    StringBuilder b = new StringBuilder();
    b.append("# bash completion for synscope, generated from its option definitions (ManualPages.java)\n");
    List<String> names = new ArrayList<>();
    for (Command c : commands()) {
      names.add(c.name());
    }
    List<String> detectors = new ArrayList<>();
    for (Detectors.Entry e : Detectors.all()) {
      detectors.add(e.id());
    }
    List<String> severities = new ArrayList<>();
    for (Severity s : Severity.values()) {
      severities.add(s.label());
    }
    b.append("_synscope_list() {\n")
        .append("  # a comma-separated list: complete the word after the last comma\n")
        .append("  if [[ $cur == *,* ]]; then\n")
        .append("    COMPREPLY=($(compgen -P \"${cur%,*},\" -W \"$1\" -- \"${cur##*,}\"))\n")
        .append("  else\n")
        .append("    COMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))\n")
        .append("  fi\n")
        .append("  compopt -o nospace 2>/dev/null || true\n")
        .append("}\n");
    b.append("_synscope() {\n")
        .append("  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]:-}\n")
        .append("  COMPREPLY=()\n")
        .append("  if ((COMP_CWORD == 1)); then\n")
        .append("    COMPREPLY=($(compgen -W \"").append(String.join(" ", names)).append(" --help --version\" -- \"$cur\"))\n")
        .append("    return\n")
        .append("  fi\n")
        .append("  case $prev in\n")
        .append("    -F|--format) _synscope_list \"").append(ReportFormat.labels().replace(",", "")).append("\"; return ;;\n")
        .append("    --detectors) _synscope_list \"").append(String.join(" ", detectors)).append(" none\"; return ;;\n")
        .append("    --param) COMPREPLY=($(compgen -S . -W \"").append(String.join(" ", detectors))
        .append(" report\" -- \"$cur\")); compopt -o nospace 2>/dev/null || true; return ;;\n")
        .append("    --fail-on) COMPREPLY=($(compgen -W \"").append(String.join(" ", severities)).append("\" -- \"$cur\")); return ;;\n")
        .append("    --reader) COMPREPLY=($(compgen -W \"builtin libpcap\" -- \"$cur\")); return ;;\n")
        .append("    -i|--interface) COMPREPLY=($(compgen -W \"$(ls /sys/class/net 2>/dev/null) any\" -- \"$cur\")); return ;;\n")
        .append("  esac\n")
        .append("  local opts= takes=\n")
        .append("  case $cmd in\n");
    for (Command c : commands()) {
      List<String> all = new ArrayList<>();
      List<String> withArg = new ArrayList<>();
      for (Option o : sorted(c.optionDefinitions())) {
        for (String flag : flags(o)) {
          all.add(flag);
          if (o.hasArg()) {
            withArg.add(flag);
          }
        }
      }
      b.append("    ").append(c.name()).append(") opts=\"").append(String.join(" ", all)).append("\" takes=\" ")
          .append(String.join(" ", withArg)).append(" \" ;;\n");
    }
    b.append("    *) return ;;\n")
        .append("  esac\n")
        .append("  if [[ $takes == *\" $prev \"* ]]; then\n")
        .append("    COMPREPLY=($(compgen -f -- \"$cur\"))  # a file, a directory, a size or a number\n")
        .append("    return\n")
        .append("  fi\n")
        .append("  if [[ $cur == -* ]]; then\n")
        .append("    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n")
        .append("  else\n")
        .append("    COMPREPLY=($(compgen -f -- \"$cur\"))\n")
        .append("  fi\n")
        .append("}\n")
        .append("complete -o filenames -o bashdefault -F _synscope synscope\n");
    return b.toString();
  }

  private static List<String> flags(Option o) {
    List<String> out = new ArrayList<>();
    if (o.getOpt() != null) {
      out.add("-" + o.getOpt());
    }
    if (o.getLongOpt() != null) {
      out.add("--" + o.getLongOpt());
    }
    return out;
  }
}
