package dev.synscope.cli;

import java.io.InputStream;
import java.io.PrintStream;

/**
 * The process's standard streams, injected so commands run in-process in tests, and what they
 * are connected to: a terminal gets the text summary (in colour unless {@code NO_COLOR} is set)
 * and the progress line; a pipe or a file gets JSON and no progress.
 *
 * @param outIsTerminal stdout is a terminal
 * @param errIsTerminal stderr is a terminal
 * @param colour ANSI colour on stdout: a terminal, and {@code NO_COLOR} unset or empty
 */
record Io(InputStream in, PrintStream out, PrintStream err, boolean outIsTerminal, boolean errIsTerminal, boolean colour) {
  /** Streams that are not terminals (tests, embedding). */
  Io(InputStream in, PrintStream out, PrintStream err) {
    this(in, out, err, false, false, false);
  }

  /**
   * What the launcher found ({@code -Dsynscope.stdout.tty}, {@code -Dsynscope.stderr.tty}: the JVM
   * cannot ask isatty() of one stream); run as {@code java -jar}, the JVM's console, which it has
   * only when stdin and stdout are both terminals.
   */
  static Io of(InputStream in, PrintStream out, PrintStream err) {
    boolean console = System.console() != null;
    boolean outTty = flag("synscope.stdout.tty", console);
    boolean errTty = flag("synscope.stderr.tty", console);
    String noColor = System.getenv("NO_COLOR");
    return new Io(in, out, err, outTty, errTty, outTty && (noColor == null || noColor.isEmpty()));
  }

  private static boolean flag(String property, boolean fallback) {
    String v = System.getProperty(property);
    return v == null ? fallback : v.equals("true");
  }
}
