package dev.synscope.testing;

import dev.synscope.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs synscope's command line in-process and keeps what it printed. */
public final class Cli {
  private Cli() {}

  /** The outcome of one command line. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static Result run(String... args) {
    return run(InputStream.nullInputStream(), args);
  }

  public static Result run(InputStream stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, stdin,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
