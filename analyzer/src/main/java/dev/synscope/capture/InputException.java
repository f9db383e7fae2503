package dev.synscope.capture;

import java.io.IOException;

/** An input that cannot be used, with the path it concerns: one line for the user, exit 3. */
public final class InputException extends IOException {
  private final String path;

  public InputException(String path, String problem, Throwable cause) {
    super(path + ": " + problem, cause);
    this.path = path;
  }

  public String path() {
    return path;
  }
}
