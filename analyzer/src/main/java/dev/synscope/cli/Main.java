package dev.synscope.cli;

import dev.synscope.capture.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * synscope's entry point. Only {@link #main} exits the JVM; {@link #run} returns the exit code,
 * so every command is testable in-process.
 */
public final class Main {
  private final Map<String, Command> commands = new LinkedHashMap<>();

  Main() {
    for (Command c : List.<Command>of(
        new AnalyzeCommand(), new CheckCommand(), new LiveCommand(), new InterfacesCommand())) {
      commands.put(c.name(), c);
    }
  }

  /** The commands, in the order help lists them. */
  List<Command> commands() {
    return List.copyOf(commands.values());
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
    int code = new Main().dispatch(args, Io.of(System.in, out, err));
    out.flush();
    System.exit(code);
  }

  /** Runs one command line; returns the exit code. */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    return run(args, new Io(in, out, err));
  }

  /** Runs one command line with streams that may stand for terminals (tests). */
  static int run(String[] args, Io io) {
    return new Main().dispatch(args, io);
  }

  private int dispatch(String[] args, Io io) {
    boolean debug = Arrays.asList(args).contains("--debug");
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
      printHelp(io.out());
      return args.length == 0 ? ExitCode.USAGE : ExitCode.OK;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      io.out().println("synscope " + Version.get());
      return ExitCode.OK;
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      io.err().println("synscope: unknown command '" + args[0] + "' (try 'synscope --help')");
      return ExitCode.USAGE;
    }
    try {
      return command.run(Arrays.copyOfRange(args, 1, args.length), io);
    } catch (UsageException e) {
      io.err().println("synscope " + command.name() + ": " + e.getMessage()
          + " (try 'synscope " + command.name() + " --help')");
      return ExitCode.USAGE;
    } catch (InputException e) {
      io.err().println("synscope: " + e.getMessage());
      debugTrace(debug, e, io);
      return ExitCode.INPUT;
    } catch (IOException | UncheckedIOException e) {
      io.err().println("synscope: " + oneLine(e));
      debugTrace(debug, e, io);
      return ExitCode.INPUT;
    } catch (Exception | Error e) {
      io.err().println("synscope: internal error: " + oneLine(e)
          + (debug ? "" : " (run with --debug for details; please report it)"));
      debugTrace(debug, e, io);
      return ExitCode.INTERNAL;
    }
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage();
    return (m == null ? e.getClass().getSimpleName() : m).replace('\n', ' ');
  }

  private static void debugTrace(boolean debug, Throwable e, Io io) {
    if (debug) {
      e.printStackTrace(io.err());
    }
  }

  private void printHelp(PrintStream out) {
    out.println("synscope " + Version.get() + ": TCP handshake analyzer for packet captures");
    out.println();
    out.println("usage: synscope COMMAND [options]");
    out.println();
    out.println("commands:");
    for (Command c : commands.values()) {
      out.printf("  %-11s %s%n", c.name(), c.description());
    }
    out.println();
    out.println("  --version   print the version");
    out.println("  --help      this help; 'synscope COMMAND --help' for a command's options");
    out.println();
    out.println("exit codes: 0 done, 1 findings at or above --fail-on (check), 2 usage error,");
    out.println("            3 input or output error, 4 internal error");
  }
}
