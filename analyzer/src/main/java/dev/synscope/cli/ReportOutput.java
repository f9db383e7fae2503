package dev.synscope.cli;

import dev.synscope.report.Report;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Writes a report in each requested format: to stdout, to one file, or to a directory (one file
 * per format). Files are written to a temporary name and renamed, so a failed run never leaves
 * half a report.
 */
final class ReportOutput {
  private ReportOutput() {}

  /** @param colour colours on stdout (a terminal without NO_COLOR); files never get them */
  static void write(
      Report report, List<ReportFormat> formats, String output, String baseName, PrintStream stdout, boolean colour)
      throws IOException {
    if (output == null || output.equals("-")) {
      for (ReportFormat f : formats) {
        f.writer(null, colour).write(report, stdout);
      }
      stdout.flush();
      return;
    }
    Path target = Path.of(output);
    if (formats.size() == 1 && !Files.isDirectory(target)) {
      atomicWrite(target, out -> formats.get(0).writer().write(report, out));
      return;
    }
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new IOException(output + ": cannot create output directory: " + e.getMessage(), e);
    }
    for (ReportFormat f : formats) {
      Path file = target.resolve(baseName + "." + f.writer().extension());
      atomicWrite(file, out -> f.writer().write(report, out));
    }
  }

  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  static void atomicWrite(Path file, Body body) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    } catch (IOException e) {
      throw new IOException(file + ": cannot write: " + e.getMessage(), e);
    }
    try {
      try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        body.writeTo(out);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw new IOException(file + ": cannot write: " + e.getMessage(), e);
    }
  }
}
