package dev.synscope.report;

import dev.synscope.detect.Detectors;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML for CI test reports (GitLab's artifacts:reports:junit, Jenkins, GitHub test-report
 * actions): a test suite per detector; in it a test case per finding, failed when the finding fails
 * the gate, skipped when the policy accepts it, passed (with the finding as system-out) when it is
 * below --fail-on; a detector without findings has one passing case, "no finding". Such UIs only
 * show results: the exit code of {@code synscope check} is what fails the job.
 */
public final class JunitWriter implements ReportWriter {
  private final Verdict verdict;

  public JunitWriter() {
    this(null);
  }

  /** @param verdict the check's verdict, or null for the default gate */
  public JunitWriter(Verdict verdict) {
    this.verdict = verdict;
  }

  @Override
  public String extension() {
    return "junit.xml";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    Verdict v = verdict == null ? Verdict.defaults(report) : verdict;
    Map<String, List<Verdict.Judgement>> byDetector = new LinkedHashMap<>();
    for (Detectors.Entry e : Detectors.all()) {
      byDetector.put(e.id(), new ArrayList<>());
    }
    for (Verdict.Judgement j : v.judgements()) {
      byDetector.computeIfAbsent(j.finding().detector(), k -> new ArrayList<>()).add(j);
    }
    String captures = report.inputs() == null ? "" : String.join(" ", report.inputs().stream().map(Report.Input::path).toList());
    String timestamp = report.generatedAt() == null ? null : report.generatedAt().replaceFirst("(\\.\\d+)?Z$", "");
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out, "UTF-8");
      x.writeStartDocument("UTF-8", "1.0");
      nl(x, 0);
      x.writeStartElement("testsuites");
      x.writeAttribute("name", "synscope");
      x.writeAttribute("tests", String.valueOf(byDetector.values().stream().mapToInt(l -> Math.max(1, l.size())).sum()));
      x.writeAttribute("failures", String.valueOf(v.count(Verdict.Outcome.FAILS)));
      x.writeAttribute("errors", "0");
      x.writeAttribute("skipped", String.valueOf(v.count(Verdict.Outcome.ACCEPTED)));
      x.writeAttribute("time", "0");
      for (Map.Entry<String, List<Verdict.Judgement>> e : byDetector.entrySet()) {
        List<Verdict.Judgement> js = e.getValue();
        String suite = "synscope." + e.getKey();
        nl(x, 1);
        x.writeStartElement("testsuite");
        x.writeAttribute("name", suite);
        x.writeAttribute("tests", String.valueOf(Math.max(1, js.size())));
        x.writeAttribute("failures", String.valueOf(js.stream().filter(j -> j.outcome() == Verdict.Outcome.FAILS).count()));
        x.writeAttribute("errors", "0");
        x.writeAttribute("skipped", String.valueOf(js.stream().filter(j -> j.outcome() == Verdict.Outcome.ACCEPTED).count()));
        x.writeAttribute("time", "0");
        if (timestamp != null) {
          x.writeAttribute("timestamp", timestamp);
        }
        nl(x, 2);
        x.writeStartElement("properties");
        property(x, "captures", captures);
        property(x, "fail_on", v.failOn().label());
        nl(x, 2);
        x.writeEndElement();
        if (js.isEmpty()) {
          nl(x, 2);
          x.writeEmptyElement("testcase");
          x.writeAttribute("classname", suite);
          x.writeAttribute("name", "no finding");
          x.writeAttribute("time", "0");
        }
        for (Verdict.Judgement j : js) {
          Report.ReportFinding f = j.finding();
          nl(x, 2);
          x.writeStartElement("testcase");
          x.writeAttribute("classname", suite);
          x.writeAttribute("name", f.target() + " (" + f.severity() + ")");
          x.writeAttribute("time", "0");
          nl(x, 3);
          switch (j.outcome()) {
            case FAILS -> {
              x.writeStartElement("failure");
              x.writeAttribute("type", f.severity());
              x.writeAttribute("message", f.summary() == null ? "" : f.summary());
              x.writeCharacters(details(f));
              x.writeEndElement();
            }
            case ACCEPTED -> {
              x.writeEmptyElement("skipped");
              x.writeAttribute("message", "accepted by policy" + (j.reason() == null ? "" : ": " + j.reason()));
            }
            case BELOW_THRESHOLD -> {
              x.writeStartElement("system-out");
              x.writeCharacters("below --fail-on " + v.failOn().label() + "\n" + details(f));
              x.writeEndElement();
            }
          }
          nl(x, 2);
          x.writeEndElement();
        }
        nl(x, 1);
        x.writeEndElement();
      }
      nl(x, 0);
      x.writeEndElement();
      x.writeEndDocument();
      x.writeCharacters("\n");
      x.flush();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write JUnit XML: " + e.getMessage(), e);
    }
    out.flush();
  }

  private static void property(XMLStreamWriter x, String name, String value) throws XMLStreamException {
    nl(x, 3);
    x.writeEmptyElement("property");
    x.writeAttribute("name", name);
    x.writeAttribute("value", value);
  }

  private static String details(Report.ReportFinding f) {
    StringBuilder sb = new StringBuilder();
    sb.append(f.severity()).append(' ').append(f.detector()).append(' ').append(f.target()).append('\n');
    sb.append(f.firstSeen()).append(" - ").append(f.lastSeen()).append('\n');
    if (f.summary() != null) {
      sb.append(f.summary()).append('\n');
    }
    if (f.metrics() != null && !f.metrics().isEmpty()) {
      f.metrics().forEach((k, val) -> sb.append("  ").append(k).append(" = ").append(val).append('\n'));
    }
    if (f.evidence() != null) {
      for (Report.ReportEvidence e : f.evidence()) {
        sb.append("  evidence ").append(e.uid()).append(' ').append(e.orig()).append(" -> ").append(e.resp())
            .append(' ').append(e.connState()).append(' ').append(e.history());
        if (e.frames() != null && !e.frames().isEmpty()) {
          sb.append(" frames ").append(e.frames());
        }
        if (!e.laterFramesText().isEmpty()) {
          sb.append(" (").append(e.laterFramesText()).append(')');
        }
        sb.append('\n');
      }
    }
    if (f.explanation() != null) {
      sb.append('\n').append(f.explanation()).append('\n');
    }
    return sb.toString();
  }

  private static void nl(XMLStreamWriter x, int depth) throws XMLStreamException {
    x.writeCharacters("\n" + "  ".repeat(depth));
  }
}
