package dev.synscope.cli;

import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.ReportWriter;
import java.util.Locale;
import java.util.function.Supplier;

/** The report formats --format accepts, each with its writer. */
enum ReportFormat {
  JSON(JsonReportWriter::new);

  private final Supplier<ReportWriter> writer;

  ReportFormat(Supplier<ReportWriter> writer) {
    this.writer = writer;
  }

  ReportWriter writer() {
    return writer.get();
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
