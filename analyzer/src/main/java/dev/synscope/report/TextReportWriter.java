package dev.synscope.report;

import static dev.synscope.report.Formats.bytes;
import static dev.synscope.report.Formats.duration;
import static dev.synscope.report.Formats.instant;
import static dev.synscope.report.Formats.num;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as a terminal reads it, the way tcpdump or {@code zeek-cut} users expect: a header
 * (inputs, time span, packets, connections, handshakes), the findings most severe first with
 * their key numbers, the busiest listeners, the connection states, each host's sockets by kernel
 * state, and how to get the full report. With a check's verdict each finding carries its outcome
 * and the verdict ends the text. ANSI colour only when asked for (the CLI asks on a terminal
 * without {@code NO_COLOR}).
 */
public final class TextReportWriter implements ReportWriter {
  /** Scalar metrics shown under a finding. */
  private static final int KEY_METRICS = 5;
  private static final int LISTENERS = 5;
  /** Findings shown in full on a terminal; the rest are counted by detector. */
  private static final int FINDINGS_SHOWN = 20;
  private static final int HOSTS = 8;
  private static final String[] CENSUS_LABELS = {
    "syn_sent", "syn_recv", "estab", "fin_wait1", "fin_wait2", "close_wait", "last_ack", "closing", "time_wait"
  };

  private final Verdict verdict;
  private final boolean colour;
  private final List<String> notes;

  /** Plain text without a verdict. */
  public TextReportWriter() {
    this(null, false);
  }

  /**
   * @param verdict a check's verdict to show with each finding and at the end, or null
   * @param colour ANSI colours and bold headings
   */
  public TextReportWriter(Verdict verdict, boolean colour) {
    this(verdict, colour, List.of());
  }

  /** @param notes lines printed just before the verdict (a check's remarks on its policy) */
  public TextReportWriter(Verdict verdict, boolean colour, List<String> notes) {
    this.verdict = verdict;
    this.colour = colour;
    this.notes = List.copyOf(notes);
  }

  @Override
  public String extension() {
    return "txt";
  }

  @Override
  public void write(Report r, OutputStream out) throws IOException {
    PrintWriter w = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), false);
    header(w, r);
    findings(w, r);
    listeners(w, r);
    states(w, r);
    census(w, r);
    w.println();
    for (String note : notes) {
      w.println(note);
    }
    if (verdict != null) {
      w.println(verdictLine());
      w.println(dim("Full report: add -o report.json, or -F html -o report.html"));
    } else {
      w.println(dim("Full report: -F json (every field, evidence, explanations), or -F html -o report.html"));
    }
    w.flush();
  }

  private void header(PrintWriter w, Report r) {
    w.println(bold("synscope " + r.tool().version()));
    long packets = 0;
    long bytes = 0;
    String first = null;
    String last = null;
    for (Report.Input in : r.inputs()) {
      w.printf(Locale.ROOT, "%-12s%s (%s, %s packets, %s on the wire)%n", "input", in.path(), in.format(),
          num(in.packets()), bytes(in.bytes()));
      packets += in.packets();
      bytes += in.bytes();
      if (in.firstTs() != null && (first == null || in.firstTs().compareTo(first) < 0)) {
        first = in.firstTs();
      }
      if (in.lastTs() != null && (last == null || in.lastTs().compareTo(last) > 0)) {
        last = in.lastTs();
      }
    }
    if (first != null && last != null) {
      w.printf(Locale.ROOT, "%-12s%s to %s (%s)%n", "time span", clock(first, true), clock(last, !sameDay(first, last)),
          span(first, last));
    }
    Report.Stats s = r.stats();
    if (s != null) {
      w.printf(Locale.ROOT, "%-12s%s (%s TCP: %s SYN, %s SYN-ACK, %s RST, %s FIN)%n", "packets", num(s.packets()),
          num(s.tcpPackets()), num(s.tcpFlags().syn()), num(s.tcpFlags().synack()), num(s.tcpFlags().rst()),
          num(s.tcpFlags().fin()));
    }
    Report.Summary m = r.summary();
    if (m != null) {
      w.printf(Locale.ROOT, "%-12s%s, %s handshakes completed, %s rejected (RST to a SYN)%n", "connections",
          num(m.connections()), num(m.handshakesCompleted()), num(m.rejected()));
      Report.Percentiles p = m.handshakeRttMs() == null ? null : m.handshakeRttMs().synToSynack();
      if (p != null && p.samples() > 0) {
        w.printf(Locale.ROOT, "%-12sSYN to SYN-ACK p50 %s, p99 %s, max %s (%s samples); retransmitted: %s SYN, %s SYN-ACK%n",
            "handshake", ms(p.p50()), ms(p.p99()), ms(p.max()), num(p.samples()), num(m.synRetransmissions()),
            num(m.synackRetransmissions()));
      }
    }
    for (String warning : r.warnings()) {
      w.println(yellow("warning") + "     " + warning);
    }
  }

  private void findings(PrintWriter w, Report r) {
    w.println();
    List<Report.ReportFinding> all = r.findings();
    if (all.isEmpty()) {
      w.println(bold("FINDINGS") + "  none");
      return;
    }
    StringBuilder bySeverity = new StringBuilder();
    r.findingsBySeverity().forEach((sev, n) ->
        bySeverity.append(bySeverity.length() == 0 ? "" : ", ").append(n).append(' ').append(sev));
    w.println(bold("FINDINGS") + "  " + all.size() + " (" + bySeverity + ")");
    int shown = Math.min(all.size(), FINDINGS_SHOWN);
    for (int i = 0; i < shown; i++) {
      Report.ReportFinding f = all.get(i);
      String mark = "";
      if (verdict != null && i < verdict.judgements().size()) {
        mark = switch (verdict.judgements().get(i).outcome()) {
          case FAILS -> red("FAIL ");
          case ACCEPTED -> "ok   ";
          case BELOW_THRESHOLD -> "     ";
        };
      }
      w.println(mark + severity(f.severity()) + " " + f.detector() + "  " + bold(f.target()));
      String indent = verdict != null ? "              " : "         ";
      if (f.summary() != null) {
        w.println(indent + f.summary());
      }
      String key = keyMetrics(f.metrics());
      String when = clock(f.firstSeen(), false) + " to " + clock(f.lastSeen(), false);
      w.println(indent + dim(when + (key.isEmpty() ? "" : " · " + key)));
      if (verdict != null && i < verdict.judgements().size()) {
        Verdict.Judgement j = verdict.judgements().get(i);
        if (j.outcome() == Verdict.Outcome.ACCEPTED && j.reason() != null && !j.reason().isEmpty()) {
          w.println(indent + dim("accepted by policy: " + j.reason()));
        }
      }
    }
    moreFindings(w, all, shown);
  }

  /** The findings past those shown, counted by detector (and, for a check, how many fail). */
  private void moreFindings(PrintWriter w, List<Report.ReportFinding> all, int shown) {
    if (shown >= all.size()) {
      return;
    }
    java.util.Map<String, Integer> byDetector = new java.util.TreeMap<>();
    for (Report.ReportFinding f : all.subList(shown, all.size())) {
      byDetector.merge(f.detector(), 1, Integer::sum);
    }
    StringBuilder sb = new StringBuilder();
    byDetector.forEach((d, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(n).append(' ').append(d));
    long failing = 0;
    if (verdict != null) {
      for (int i = shown; i < Math.min(all.size(), verdict.judgements().size()); i++) {
        if (verdict.judgements().get(i).outcome() == Verdict.Outcome.FAILS) {
          failing++;
        }
      }
    }
    w.println(dim("  " + (all.size() - shown) + " more, less severe or later: " + sb
        + (failing > 0 ? " (" + failing + " of them fail the check)" : "") + "; all of them with -F json"));
  }

  /** The first few numbers and short words of a finding's metrics, as key=value. */
  private static String keyMetrics(Map<String, Object> metrics) {
    if (metrics == null) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : metrics.entrySet()) {
      Object v = e.getValue();
      boolean scalar = v instanceof Number || v instanceof Boolean || (v instanceof String s && s.length() <= 24);
      if (scalar) {
        out.add(e.getKey() + " " + (v instanceof Number n ? number(n) : v));
        if (out.size() == KEY_METRICS) {
          break;
        }
      }
    }
    return String.join(" · ", out);
  }

  private void listeners(PrintWriter w, Report r) {
    Report.Listeners l = r.listeners();
    if (l == null || l.byAttempts() == null || l.byAttempts().isEmpty()) {
      return;
    }
    w.println();
    w.println(bold("LISTENERS") + "  busiest of " + num(l.tracked()));
    w.printf(Locale.ROOT, "  %-40s %9s %11s %8s %8s %10s %8s%n", "listener", "attempts", "established", "failed",
        "rejected", "unanswered", "syn_retx");
    List<Report.Listener> rows = l.byAttempts();
    for (int i = 0; i < Math.min(LISTENERS, rows.size()); i++) {
      Report.Listener x = rows.get(i);
      w.printf(Locale.ROOT, "  %-40s %9s %11s %8s %8s %10s %8s%n", x.listener(), num(x.attempts()),
          num(x.established()), num(x.failed()), num(x.rejected()), num(x.unanswered()), num(x.synRetransmissions()));
    }
    if (rows.size() > LISTENERS) {
      w.println(dim("  " + (rows.size() - LISTENERS) + " more in the JSON report"));
    }
  }

  private void states(PrintWriter w, Report r) {
    if (r.summary() == null || r.summary().states() == null || r.summary().states().isEmpty()) {
      return;
    }
    w.println();
    w.println(bold("CONNECTIONS BY STATE") + "  (Zeek conn_state)");
    r.summary().states().forEach((code, n) -> w.printf(Locale.ROOT, "  %-7s %9s  %s%n", code, num(n),
        HtmlReportWriter.STATE_MEANINGS.getOrDefault(code, "")));
  }

  private void census(PrintWriter w, Report r) {
    if (r.hosts() == null || r.hosts().isEmpty()) {
      return;
    }
    w.println();
    w.println(bold("SOCKETS BY STATE AT THE END") + "  (as ss -tan would count them; ~ includes estimates)");
    StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-39s %7s", "host", "peak"));
    for (String label : CENSUS_LABELS) {
      head.append(String.format(Locale.ROOT, " %10s", label));
    }
    w.println(head);
    // The hosts holding sockets at the end, busiest first; else the busiest at their peak.
    List<Report.HostSockets> hosts = r.hosts().stream().filter(h -> h.socketStates().socketsAtEnd() > 0).toList();
    if (hosts.isEmpty()) {
      hosts = r.hosts().subList(0, Math.min(3, r.hosts().size()));
    }
    for (int i = 0; i < Math.min(HOSTS, hosts.size()); i++) {
      Report.SocketStates s = hosts.get(i).socketStates();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-39s %7s", hosts.get(i).host(),
          num(s.peak().sockets()) + (s.peak().estimated() != null ? "~" : "")));
      for (Map.Entry<String, Long> e : s.atEnd().entrySet()) {
        long n = e.getValue();
        Long est = s.estimatedAtEnd() == null ? null : s.estimatedAtEnd().get(e.getKey());
        String cell = n == 0 ? "." : num(n) + (est != null && est > 0 ? "~" : "");
        line.append(String.format(Locale.ROOT, " %10s", cell));
      }
      w.println(line);
    }
    int more = Math.max(0, r.hosts().size() - Math.min(HOSTS, hosts.size()));
    Report.HostsNotListed rest = r.hostsNotListed();
    long restHosts = more + (rest == null ? 0 : (long) rest.moreHosts() + rest.hostsPastCap());
    if (restHosts > 0) {
      w.println(dim("  " + num(restHosts) + " more hosts in the JSON report"));
    }
  }

  private String verdictLine() {
    long fails = verdict.count(Verdict.Outcome.FAILS);
    long accepted = verdict.count(Verdict.Outcome.ACCEPTED);
    long below = verdict.count(Verdict.Outcome.BELOW_THRESHOLD);
    StringBuilder sb = new StringBuilder("synscope check: ");
    if (fails > 0) {
      sb.append(red("FAIL")).append(": ").append(fails).append(fails == 1 ? " finding" : " findings")
          .append(" at or above ").append(verdict.failOn().label());
    } else {
      sb.append(green("PASS")).append(": no finding at or above ").append(verdict.failOn().label());
    }
    if (accepted > 0 || below > 0) {
      sb.append(" (");
      if (accepted > 0) {
        sb.append(accepted).append(" accepted by policy");
      }
      if (below > 0) {
        sb.append(accepted > 0 ? ", " : "").append(below).append(" below");
      }
      sb.append(')');
    }
    return sb.toString();
  }

  // --- formatting ---

  private String severity(String s) {
    String padded = String.format(Locale.ROOT, "%-8s", s == null ? "" : s);
    if (!colour || s == null) {
      return padded;
    }
    return switch (s) {
      case "critical" -> "\u001b[1;97;41m" + s + "\u001b[0m" + padded.substring(s.length());
      case "high" -> "\u001b[1;31m" + padded + "\u001b[0m";
      case "medium" -> "\u001b[33m" + padded + "\u001b[0m";
      case "low" -> "\u001b[36m" + padded + "\u001b[0m";
      default -> "\u001b[2m" + padded + "\u001b[0m";
    };
  }

  private String bold(String s) {
    return colour ? "\u001b[1m" + s + "\u001b[0m" : s;
  }

  private String dim(String s) {
    return colour ? "\u001b[2m" + s + "\u001b[0m" : s;
  }

  private String red(String s) {
    return colour ? "\u001b[1;31m" + s + "\u001b[0m" : s;
  }

  private String green(String s) {
    return colour ? "\u001b[1;32m" + s + "\u001b[0m" : s;
  }

  private String yellow(String s) {
    return colour ? "\u001b[33m" + s + "\u001b[0m" : s;
  }

  private static String number(Number n) {
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        return num((long) d);
      }
      return new java.math.BigDecimal(d).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
    }
    return num(n.longValue());
  }

  private static String ms(Double v) {
    if (v == null) {
      return "-";
    }
    if (v >= 1000) {
      return String.format(Locale.ROOT, "%.2f s", v / 1000);
    }
    return String.format(Locale.ROOT, v >= 10 ? "%.1f ms" : "%.3f ms", v);
  }

  /** "2026-11-21 20:55:09.856 UTC" with the date, "20:55:09.856" without. */
  private static String clock(String iso, boolean withDate) {
    Instant t = instant(iso);
    if (t == null) {
      return iso == null ? "-" : iso;
    }
    return withDate ? t.toString().substring(0, 10) + " " + Formats.clock(t) + " UTC" : Formats.clock(t);
  }

  private static boolean sameDay(String a, String b) {
    return a.length() >= 10 && b.length() >= 10 && a.substring(0, 10).equals(b.substring(0, 10));
  }

  private static String span(String first, String last) {
    Instant a = instant(first);
    Instant b = instant(last);
    return a == null || b == null ? "?" : duration(Duration.between(a, b));
  }

}
