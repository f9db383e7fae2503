package dev.synscope.cli;

import dev.synscope.report.HtmlReportWriter;
import dev.synscope.report.JsonLinesWriter;
import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.JunitWriter;
import dev.synscope.report.ReportWriter;
import dev.synscope.report.SarifWriter;
import dev.synscope.report.TsvWriter;
import dev.synscope.report.Verdict;
import java.util.Locale;
import java.util.function.Function;

/** The report formats --format accepts, each with its writer. */
enum ReportFormat {
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

  String label() {
    return name().toLowerCase(Locale.ROOT);
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
