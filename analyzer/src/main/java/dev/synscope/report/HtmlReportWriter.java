package dev.synscope.report;

import static dev.synscope.report.Formats.clock;
import static dev.synscope.report.Formats.duration;
import static dev.synscope.report.Formats.instant;
import static dev.synscope.report.Formats.num;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * One self-contained HTML page a person reads: capture facts and the verdict, findings with their
 * explanation and ladder diagrams, time series, handshake-time histograms, connection states and
 * top listeners. Works offline: the chart library (Chart.js, from its webjar on the classpath),
 * styles, script and the report data (JSON, without per-connection records) are all inlined, and a
 * Content-Security-Policy forbids any request. Tables and numbers are plain HTML, so the page
 * reads with scripts off; the script draws the charts and sorts tables.
 */
public final class HtmlReportWriter implements ReportWriter {
  private static final String BASE = "dev/synscope/report/";
  private static final Mustache TEMPLATE = new DefaultMustacheFactory(BASE).compile("report.html.mustache");
  private static final String CSS = resource(BASE + "report.css");
  private static final String JS = resource(BASE + "report.js");
  private static final ObjectWriter JSON =
      JsonReportWriter.mapper().writer().without(SerializationFeature.INDENT_OUTPUT);
  /** Findings whose evidence gets a ladder diagram, and diagrams per finding. */
  private static final int LADDERS_PER_FINDING = 2;
  /** Findings shown in full (explanation, metrics, ladders); further ones get one table row each. */
  static final int FULL_FINDINGS = 25;
  /** Further findings listed in the table; any beyond are only counted (the JSON report has them). */
  static final int MAX_ROWS = 1000;
  /** Findings shaded on the time series. */
  private static final int MAX_EPISODES = 30;

  static final Map<String, String> STATE_MEANINGS = stateMeanings();

  private final Verdict verdict;

  /** Shows the verdict of the default gate ({@code check --fail-on medium}, no policy). */
  public HtmlReportWriter() {
    this(null);
  }

  /** @param verdict the check's verdict, or null for the default gate */
  public HtmlReportWriter(Verdict verdict) {
    this.verdict = verdict;
  }

  @Override
  public String extension() {
    return "html";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    TEMPLATE.execute(w, view(report, verdict == null ? Verdict.defaults(report) : verdict));
    w.flush();
  }

  // ---------------------------------------------------------------- view model

  Map<String, Object> view(Report r, Verdict v) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("title", title(r));
    m.put("version", r.tool() == null ? "" : r.tool().version());
    m.put("generatedAt", r.generatedAt());
    m.put("css", CSS);
    m.put("js", safeScript(JS));
    m.put("chartjs", safeScript(ChartJs.SOURCE));
    m.put("chartjsVersion", ChartJs.VERSION);
    m.put("json", dataIsland(r));
    m.put("verdict", verdict(r, v));
    m.put("facts", facts(r));
    m.put("inputs", inputs(r));
    m.put("warnings", r.warnings() == null ? List.of() : r.warnings());
    m.put("hasWarnings", r.warnings() != null && !r.warnings().isEmpty());
    List<Map<String, Object>> findings = findings(r, v);
    m.put("findings", findings.subList(0, Math.min(FULL_FINDINGS, findings.size())));
    List<Map<String, Object>> more = findings.subList(
        Math.min(FULL_FINDINGS, findings.size()), Math.min(FULL_FINDINGS + MAX_ROWS, findings.size()));
    m.put("omittedFindings", Math.max(0, findings.size() - FULL_FINDINGS - MAX_ROWS));
    m.put("moreFindings", more);
    m.put("hasMoreFindings", !more.isEmpty());
    m.put("moreFindingCount", more.size());
    m.put("findingCount", r.findings().size());
    List<Map<String, Object>> episodes = episodes(r);
    m.put("episodes", episodes);
    m.put("hasEpisodes", !episodes.isEmpty());
    m.put("timeline", timelineFacts(r));
    m.put("census", censusFacts(r));
    m.put("rtt", rtt(r));
    m.put("states", states(r));
    m.put("listeners", listeners(r));
    m.put("capture", LiveSections.capture(r));
    m.put("kernel", LiveSections.kernel(r));
    return m;
  }

  private static String title(Report r) {
    if (r.inputs() == null || r.inputs().isEmpty()) {
      return "synscope report";
    }
    List<String> names = r.inputs().stream().map(i -> fileName(i.path())).toList();
    return names.size() <= 3 ? String.join(", ", names) : names.get(0) + " and " + (names.size() - 1) + " more";
  }

  private static String fileName(String path) {
    if (path == null) {
      return "-";
    }
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return slash >= 0 ? path.substring(slash + 1) : path;
  }

  /**
   * The report as JSON safe inside a script element, kept small: no per-connection records, at most
   * the evidence the page draws, explanations only of the findings shown in full.
   */
  private static String dataIsland(Report r) throws IOException {
    List<Report.ReportFinding> findings = new ArrayList<>();
    for (Report.ReportFinding f : r.findings()) {
      boolean full = findings.size() < FULL_FINDINGS;
      List<Report.ReportEvidence> ev = f.evidence() == null ? null
          : f.evidence().subList(0, full ? Math.min(LADDERS_PER_FINDING, f.evidence().size()) : 0);
      findings.add(new Report.ReportFinding(f.detector(), f.severity(), f.target(), f.firstSeen(), f.lastSeen(),
          f.summary(), f.metrics(), ev, full ? f.explanation() : null));
    }
    Report slim = new Report(
        r.schemaVersion(), r.tool(), r.generatedAt(), r.inputs(), r.stats(), r.summary(), r.warnings(), findings,
        null, r.listeners(), r.handshakeHistogram(), r.timeline(), r.capture(), r.hostCounters(), r.hosts(),
        r.hostsNotListed());
    return JSON.writeValueAsString(slim).replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
  }

  /** Inline script text must not end its element early. */
  static String safeScript(String js) {
    return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT");
  }

  private static Map<String, Object> verdict(Report r, Verdict v) {
    Map<String, Object> m = new LinkedHashMap<>();
    long fails = v.count(Verdict.Outcome.FAILS);
    long accepted = v.count(Verdict.Outcome.ACCEPTED);
    long below = v.count(Verdict.Outcome.BELOW_THRESHOLD);
    String failOn = v.failOn().label();
    if (fails > 0) {
      m.put("cls", "fail");
      m.put("headline", plural(fails, "finding") + " at or above " + failOn);
    } else if (r.findings().isEmpty()) {
      m.put("cls", "pass");
      m.put("headline", "No handshake problems found");
    } else {
      m.put("cls", "pass");
      m.put("headline", "No finding at or above " + failOn);
    }
    List<String> details = new ArrayList<>();
    details.add("check --fail-on " + failOn + " would " + (fails > 0 ? "fail (exit 1)" : "pass (exit 0)"));
    if (accepted > 0) {
      details.add(accepted + " accepted by policy");
    }
    if (below > 0) {
      details.add(below + " below " + failOn);
    }
    m.put("detail", String.join(" · ", details));
    List<Map<String, Object>> counts = new ArrayList<>();
    r.findingsBySeverity().forEach((s, n) -> counts.add(Map.of("severity", s, "count", n)));
    m.put("counts", counts);
    return m;
  }

  private static List<Map<String, Object>> facts(Report r) {
    List<Map<String, Object>> f = new ArrayList<>();
    Instant first = null;
    Instant last = null;
    if (r.inputs() != null) {
      for (Report.Input i : r.inputs()) {
        Instant a = instant(i.firstTs());
        Instant b = instant(i.lastTs());
        if (a != null && (first == null || a.isBefore(first))) first = a;
        if (b != null && (last == null || b.isAfter(last))) last = b;
      }
    }
    if (first != null && last != null) {
      fact(f, "Time span", duration(Duration.between(first, last)),
          first.toString().replace('T', ' ') + " → " + last.toString().replace('T', ' '));
    } else {
      fact(f, "Time span", "-", "no timestamped packet");
    }
    Report.Stats s = r.stats();
    Report.Summary sum = r.summary();
    if (s != null) {
      fact(f, "Packets", num(s.packets()), num(s.tcpPackets()) + " TCP, " + num(s.nonTcpPackets()) + " other");
      if (s.tcpFlags() != null) {
        fact(f, "SYN / SYN-ACK", num(s.tcpFlags().syn()) + " / " + num(s.tcpFlags().synack()),
            num(s.tcpFlags().rst()) + " RST, " + num(s.tcpFlags().fin()) + " FIN segments");
      }
    }
    if (sum != null) {
      fact(f, "Connections", num(sum.connections()),
          num(sum.handshakesCompleted()) + " handshakes completed, " + num(sum.rejected()) + " rejected");
      Report.Percentiles p = sum.handshakeRttMs() == null ? null : sum.handshakeRttMs().synToSynack();
      if (p != null && p.p50() != null) {
        fact(f, "SYN → SYN-ACK p50", ms(p.p50()), "p99 " + ms(p.p99()) + ", " + num(p.samples()) + " samples");
      }
    }
    if (s != null) {
      if (s.flows() != null) {
        fact(f, "Flow table", "peak " + num(s.flows().peak()),
            num(s.flows().evicted()) + " evicted (capacity " + num(s.flows().maxFlows()) + ")")
            .put("warn", s.flows().evicted() > 0);
      }
      long anomalies = sum(s.anomalies());
      long skipped = sum(s.skipped());
      fact(f, "Anomalies", num(anomalies), anomalies == 0 ? "none" : top(s.anomalies())).put("warn", anomalies > 0);
      fact(f, "Skipped frames", num(skipped), skipped == 0 ? "none" : top(s.skipped()));
    }
    return f;
  }

  private static Map<String, Object> fact(List<Map<String, Object>> f, String label, String value, String detail) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", label);
    m.put("value", value);
    m.put("detail", detail);
    m.put("warn", false);
    f.add(m);
    return m;
  }

  private static long sum(Map<String, Long> m) {
    return m == null ? 0 : m.values().stream().mapToLong(Long::longValue).sum();
  }

  private static String top(Map<String, Long> m) {
    List<String> parts = new ArrayList<>();
    m.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
        .forEach(e -> parts.add(e.getKey() + " " + num(e.getValue())));
    return String.join(", ", parts);
  }

  private static List<Map<String, Object>> inputs(Report r) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (r.inputs() == null) {
      return out;
    }
    for (Report.Input i : r.inputs()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", i.path());
      m.put("format", i.format());
      m.put("linkTypes", i.linkTypes() == null ? "" : String.join(", ", i.linkTypes().keySet()));
      m.put("packets", num(i.packets()));
      m.put("packetsRaw", i.packets());
      m.put("bytes", num(i.bytes()));
      m.put("bytesRaw", i.bytes());
      m.put("firstTs", nz(i.firstTs()));
      m.put("lastTs", nz(i.lastTs()));
      out.add(m);
    }
    return out;
  }

  private static List<Map<String, Object>> findings(Report r, Verdict v) {
    List<Map<String, Object>> out = new ArrayList<>();
    int index = 0;
    for (Report.ReportFinding f : r.findings()) {
      Verdict.Judgement j = index < v.judgements().size() ? v.judgements().get(index) : null;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("index", index);
      m.put("detector", f.detector());
      m.put("severity", f.severity());
      m.put("target", f.target());
      m.put("summary", f.summary());
      m.put("firstSeen", nz(f.firstSeen()));
      m.put("lastSeen", nz(f.lastSeen()));
      Instant a = instant(f.firstSeen());
      Instant b = instant(f.lastSeen());
      m.put("duration", a != null && b != null ? duration(Duration.between(a, b)) : "");
      m.put("firstClock", clock(a));
      m.put("lastClock", clock(b));
      if (j != null) {
        m.put("outcome", switch (j.outcome()) {
          case FAILS -> "fails the gate";
          case ACCEPTED -> "accepted by policy" + (j.reason() == null || j.reason().isEmpty() ? "" : ": " + j.reason());
          case BELOW_THRESHOLD -> "below --fail-on " + v.failOn().label();
        });
        m.put("outcomeCls", j.outcome().name().toLowerCase(Locale.ROOT));
      }
      List<Map<String, Object>> metrics = new ArrayList<>();
      if (f.metrics() != null) {
        f.metrics().forEach((k, val) -> metrics.add(Map.of("key", k, "value", metricValue(val))));
      }
      m.put("metrics", metrics);
      m.put("hasMetrics", !metrics.isEmpty());
      m.put("explanation", paragraphs(f.explanation()));
      List<Map<String, Object>> evidence = new ArrayList<>();
      int e = 0;
      for (Report.ReportEvidence ev : f.evidence() == null ? List.<Report.ReportEvidence>of() : f.evidence()) {
        Map<String, Object> em = new LinkedHashMap<>();
        em.put("uid", nz(ev.uid()));
        em.put("orig", nz(ev.orig()));
        em.put("resp", nz(ev.resp()));
        em.put("history", nz(ev.history()));
        em.put("connState", nz(ev.connState()));
        em.put("frames", ev.framesText());
        em.put("input", ev.input());
        em.put("note", ev.note() == null ? "" : ev.note());
        evidence.add(em);
        e++;
      }
      m.put("evidence", evidence);
      m.put("hasEvidence", !evidence.isEmpty());
      List<Map<String, Object>> ladders = new ArrayList<>();
      List<Report.ReportEvidence> ev = f.evidence() == null ? List.of() : f.evidence();
      for (int i = 0; i < (index < FULL_FINDINGS ? Math.min(LADDERS_PER_FINDING, ev.size()) : 0); i++) {
        Report.ReportEvidence one = ev.get(i);
        ladders.add(Map.of(
            "svg", LadderDiagram.svg(one, "f" + index + "e" + i),
            "caption", nz(one.uid()) + (one.note() == null || one.note().isEmpty() ? "" : ": " + one.note())));
      }
      m.put("ladders", ladders);
      out.add(m);
      index++;
    }
    return out;
  }

  private static String metricValue(Object v) {
    if (v == null) {
      return "-";
    }
    if (v instanceof Double d) {
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? num(d.longValue()) : String.format(Locale.ROOT, "%,.3f", d);
    }
    if (v instanceof Float d) {
      return metricValue(d.doubleValue());
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short) {
      return num(((Number) v).longValue());
    }
    if (v instanceof String s) {
      return s;
    }
    try {
      return JSON.writeValueAsString(v).replace(",\"", ", \"");
    } catch (IOException e) {
      return String.valueOf(v);
    }
  }

  private static List<String> paragraphs(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String p : text.split("\\n\\s*\\n")) {
      if (!p.isBlank()) {
        out.add(p.strip());
      }
    }
    return out;
  }

  /**
   * The findings' time ranges, shaded on the time series: per detector, overlapping ranges merged
   * (a hundred overflow findings on as many listeners shade as one band), at most
   * {@link #MAX_EPISODES} bands per detector (the longest gaps kept apart).
   */
  private static List<Map<String, Object>> episodes(Report r) {
    Map<String, List<Instant[]>> byDetector = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (Report.ReportFinding f : r.findings()) {
      Instant a = instant(f.firstSeen());
      Instant b = instant(f.lastSeen());
      if (a == null || b == null) {
        continue;
      }
      byDetector.computeIfAbsent(f.detector(), k -> new ArrayList<>()).add(new Instant[] {a, b.isBefore(a) ? a : b});
      counts.merge(f.detector(), 1, Integer::sum);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    byDetector.forEach((detector, ranges) -> {
      ranges.sort((x, y) -> x[0].compareTo(y[0]));
      List<Instant[]> merged = new ArrayList<>();
      for (Instant[] range : ranges) {
        Instant[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (last != null && !range[0].isAfter(last[1])) {
          if (range[1].isAfter(last[1])) {
            last[1] = range[1];
          }
        } else {
          merged.add(new Instant[] {range[0], range[1]});
        }
      }
      while (merged.size() > MAX_EPISODES) {
        // Close the shortest gap.
        int best = 0;
        for (int k = 1; k < merged.size() - 1; k++) {
          if (Duration.between(merged.get(k)[1], merged.get(k + 1)[0])
              .compareTo(Duration.between(merged.get(best)[1], merged.get(best + 1)[0])) < 0) {
            best = k;
          }
        }
        merged.get(best)[1] = merged.get(best + 1)[1];
        merged.remove(best + 1);
      }
      StringBuilder intervals = new StringBuilder();
      for (Instant[] range : merged) {
        intervals.append(intervals.length() == 0 ? "" : ";").append(range[0]).append(',').append(range[1]);
      }
      int n = counts.get(detector);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("detector", detector);
      m.put("label", n == 1 ? "1 finding" : n + " findings");
      m.put("intervals", intervals.toString());
      m.put("colour", episodeColour(detector));
      out.add(m);
    });
    return out;
  }

  static String episodeColour(String detector) {
    return switch (detector) {
      case "syn-cookies" -> "rgba(234, 179, 8, 0.22)";
      case "accept-queue-overflow" -> "rgba(220, 38, 38, 0.18)";
      case "syn-flood" -> "rgba(147, 51, 234, 0.16)";
      case "time-wait-pileup" -> "rgba(14, 116, 144, 0.16)";
      default -> "rgba(100, 116, 139, 0.16)";
    };
  }

  /** The census table: the listed hosts with their counts at the end, null when there is none. */
  private static Map<String, Object> censusFacts(Report r) {
    if (r.hosts() == null || r.hosts().isEmpty()) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    Report.SocketSeries first = r.hosts().get(0).socketStates().series();
    m.put("bucket", first.bucketSeconds() + " s");
    m.put("shown", r.hosts().size());
    Report.HostsNotListed rest = r.hostsNotListed();
    long notListed = rest == null ? 0 : (long) rest.moreHosts() + rest.hostsPastCap();
    m.put("notListed", notListed > 0 ? num(notListed) : null);
    m.put("stateNames", List.copyOf(r.hosts().get(0).socketStates().atEnd().keySet()));
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Report.HostSockets h : r.hosts()) {
      Report.SocketStates s = h.socketStates();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("host", h.host());
      row.put("atEnd", num(s.socketsAtEnd()));
      row.put("peak", num(s.peak().sockets()));
      long peakEstimated = s.peak().estimated() == null ? 0
          : s.peak().estimated().values().stream().mapToLong(Long::longValue).sum();
      row.put("peakEstimated", peakEstimated > 0 ? num(peakEstimated) : null);
      row.put("peakAt", s.peak().at());
      row.put("peakClock", clock(instant(s.peak().at())));
      List<Map<String, Object>> states = new ArrayList<>();
      s.atEnd().forEach((state, n) -> {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("count", n == 0 ? "" : num(n));
        Long est = s.estimatedAtEnd() == null ? null : s.estimatedAtEnd().get(state);
        c.put("estimated", est != null && est > 0 && n > 0 ? num(est) : null);
        states.add(c);
      });
      row.put("states", states);
      rows.add(row);
    }
    m.put("rows", rows);
    return m;
  }

  private static Map<String, Object> timelineFacts(Report r) {
    Map<String, Object> m = new LinkedHashMap<>();
    Report.Timeline t = r.timeline();
    m.put("present", t != null);
    if (t != null) {
      m.put("bucket", t.bucketSeconds() == 1 ? "1 s" : t.bucketSeconds() + " s");
      m.put("coarse", t.bucketSeconds() > 1);
      m.put("start", t.start());
      m.put("hosts", t.timeWait() == null ? 0 : t.timeWait().size());
      m.put("otherHosts", t.timeWaitOtherHosts());
      m.put("timeWaitSeconds", t.timeWaitSeconds());
    }
    return m;
  }

  private static List<Map<String, Object>> rtt(Report r) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (r.summary() == null || r.summary().handshakeRttMs() == null) {
      return out;
    }
    out.add(percentiles("SYN → SYN-ACK (network + server)", r.summary().handshakeRttMs().synToSynack()));
    out.add(percentiles("SYN-ACK → ACK (network + client)", r.summary().handshakeRttMs().synackToAck()));
    return out;
  }

  private static Map<String, Object> percentiles(String label, Report.Percentiles p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("label", label);
    m.put("samples", p == null ? "0" : num(p.samples()));
    m.put("p50", p == null ? "-" : ms(p.p50()));
    m.put("p90", p == null ? "-" : ms(p.p90()));
    m.put("p99", p == null ? "-" : ms(p.p99()));
    m.put("max", p == null ? "-" : ms(p.max()));
    return m;
  }

  private static List<Map<String, Object>> states(Report r) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (r.summary() == null || r.summary().states() == null) {
      return out;
    }
    long total = Math.max(1, r.summary().connections());
    r.summary().states().forEach((code, n) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("code", code);
      m.put("meaning", STATE_MEANINGS.getOrDefault(code, ""));
      m.put("count", num(n));
      m.put("countRaw", n);
      m.put("share", String.format(Locale.ROOT, "%.1f %%", 100.0 * n / total));
      out.add(m);
    });
    return out;
  }

  private static Map<String, Object> listeners(Report r) {
    Map<String, Object> m = new LinkedHashMap<>();
    Report.Listeners l = r.listeners();
    m.put("byAttempts", l == null ? List.of() : listenerRows(l.byAttempts()));
    m.put("byFailures", l == null ? List.of() : listenerRows(l.byFailures()));
    m.put("tracked", l == null ? "0" : num(l.tracked()));
    m.put("untracked", l != null && l.untrackedConnections() > 0 ? num(l.untrackedConnections()) : null);
    return m;
  }

  private static List<Map<String, Object>> listenerRows(List<Report.Listener> rows) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (rows == null) {
      return out;
    }
    for (Report.Listener l : rows) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("listener", l.listener());
      m.put("attempts", l.attempts());
      m.put("established", l.established());
      m.put("failed", l.failed());
      m.put("rejected", l.rejected());
      m.put("unanswered", l.unanswered());
      m.put("synRetransmissions", l.synRetransmissions());
      m.put("failRate", l.attempts() == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100.0 * l.failed() / l.attempts()));
      out.add(m);
    }
    return out;
  }

  // ---------------------------------------------------------------- formatting

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.3f ms", v);
  }

  private static String plural(long n, String word) {
    return n + " " + word + (n == 1 ? "" : "s");
  }

  private static String nz(String s) {
    return s == null ? "-" : s;
  }

  private static Map<String, String> stateMeanings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("S0", "SYN seen, no reply");
    m.put("S1", "established, not terminated");
    m.put("SF", "established and closed normally");
    m.put("REJ", "SYN answered with RST (rejected)");
    m.put("S2", "established, orig closed, no reply from resp");
    m.put("S3", "established, resp closed, no reply from orig");
    m.put("RSTO", "established, orig aborted (RST)");
    m.put("RSTR", "established, resp aborted (RST)");
    m.put("RSTOS0", "orig sent SYN then RST, no SYN-ACK");
    m.put("RSTRH", "resp sent SYN-ACK then RST, no SYN from orig seen");
    m.put("SH", "orig sent SYN then FIN, no SYN-ACK (half-open)");
    m.put("SHR", "resp sent SYN-ACK then FIN, no SYN from orig seen");
    m.put("OTH", "no SYN seen: midstream traffic");
    return Map.copyOf(m);
  }

  static String resource(String name) {
    try (InputStream in = HtmlReportWriter.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Chart.js, read once from its webjar on the classpath. */
  static final class ChartJs {
    static final String VERSION = version();
    static final String SOURCE =
        resource("META-INF/resources/webjars/chart.js/" + VERSION + "/dist/chart.umd.min.js");

    private ChartJs() {}

    private static String version() {
      Properties p = new Properties();
      try (InputStream in = HtmlReportWriter.class.getClassLoader()
          .getResourceAsStream("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
        if (in == null) {
          throw new IllegalStateException("Chart.js webjar missing from the classpath");
        }
        p.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return p.getProperty("version");
    }
  }
}
