package dev.synscope.cli;

import dev.synscope.report.HtmlReportWriter;
import dev.synscope.report.JsonLinesWriter;
import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.JunitWriter;
import dev.synscope.report.ReportWriter;
import dev.synscope.report.SarifWriter;
import dev.synscope.report.TextReportWriter;
import dev.synscope.report.TsvWriter;
import dev.synscope.report.Verdict;
import java.util.Locale;
import java.util.function.Function;

/** The report formats --format accepts, each with its writer. */
enum ReportFormat {
  TEXT(v -> new TextReportWriter(v, false)),
  JSON(v -> new JsonReportWriter()),
  HTML(HtmlReportWriter::new),
  JSONL(v -> new JsonLinesWriter()),
  TSV(v -> new TsvWriter()),
  SARIF(SarifWriter::new),
  JUNIT(JunitWriter::new);

  private final Function<Verdict, ReportWriter> writer;

  ReportFormat(Function<Verdict, ReportWriter> writer) {
    this.writer = writer;
  }

  ReportWriter writer() {
    return writer.apply(null);
  }

  /** The writer for a check's verdict (html, sarif and junit show it; null: the default gate). */
  ReportWriter writer(Verdict verdict) {
    return writer.apply(verdict);
  }

  /** The writer, in colour when the format has colours and {@code colour} asks for them. */
  ReportWriter writer(Verdict verdict, boolean colour) {
    return this == TEXT ? new TextReportWriter(verdict, colour) : writer(verdict);
  }

  /**
   * The format a file's name implies ({@code .json}, {@code .html}, {@code .txt}, ...), or null.
   * Several writers share the extension of no other, so the mapping is one to one but for
   * {@code .htm} and {@code .xml} (JUnit's).
   */
  static ReportFormat ofFileName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.endsWith(".htm")) {
      return HTML;
    }
    if (n.endsWith(".xml")) {
      return JUNIT;
    }
    for (ReportFormat f : values()) {
      if (n.endsWith("." + f.writer().extension())) {
        return f;
      }
    }
    return null;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** "text, json, html, ...", for help texts. */
  static String labels() {
    StringBuilder sb = new StringBuilder();
    for (ReportFormat f : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(f.label());
    }
    return sb.toString();
  }

  static ReportFormat parse(String text) throws UsageException {
    for (ReportFormat f : values()) {
      if (f.label().equals(text.trim().toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    StringBuilder known = new StringBuilder();
    for (ReportFormat f : values()) {
      known.append(known.length() == 0 ? "" : ", ").append(f.label());
    }
    throw new UsageException("unknown format '" + text + "' (known: " + known + ")");
  }
}
