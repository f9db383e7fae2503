package dev.synscope.capture;

import java.io.IOException;

/** An input that is not a capture at all, or is unusable from its first bytes (exit code 3). */
public final class CaptureFormatException extends IOException {
  public CaptureFormatException(String message) {
    super(message);
  }
}
