package dev.synscope.cli;

/** A command line that cannot be run: one line for the user, exit 2. */
final class UsageException extends Exception {
  UsageException(String message) {
    super(message);
  }
}
