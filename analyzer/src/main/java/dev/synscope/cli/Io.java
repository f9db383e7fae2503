package dev.synscope.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** The process's standard streams, injected so commands run in-process in tests. */
record Io(InputStream in, PrintStream out, PrintStream err) {}
