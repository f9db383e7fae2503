package dev.synscope.report;

import java.io.IOException;
import java.io.OutputStream;

/** Serialises a report in one format; writers compute nothing. */
public interface ReportWriter {
  /** File extension used when several formats go to a directory. */
  String extension();

  void write(Report report, OutputStream out) throws IOException;
}
