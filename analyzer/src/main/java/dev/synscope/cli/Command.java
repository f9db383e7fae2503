package dev.synscope.cli;

/** One subcommand: parses its own arguments and returns an exit code; never exits the JVM. */
interface Command {
  String name();

  /** One line for the command list in {@code synscope --help}. */
  String description();

  int run(String[] args, Io io) throws Exception;

  /** Its options, as --help, the man page and the shell completion show them. */
  org.apache.commons.cli.Options optionDefinitions();
}
