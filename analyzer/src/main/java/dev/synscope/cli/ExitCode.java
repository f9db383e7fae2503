package dev.synscope.cli;

/** The documented exit codes (README.md, "Exit codes"; docs/analyze.md, docs/check.md, docs/live.md). */
public final class ExitCode {
  /** Done; for check: no finding at or above --fail-on. */
  public static final int OK = 0;
  /** check: a finding reached --fail-on. */
  public static final int FINDINGS = 1;
  /** Bad command line. */
  public static final int USAGE = 2;
  /** An input could not be read (missing, not a capture, unreadable), or output could not be written. */
  public static final int INPUT = 3;
  /** A bug in synscope. */
  public static final int INTERNAL = 4;

  private ExitCode() {}
}
