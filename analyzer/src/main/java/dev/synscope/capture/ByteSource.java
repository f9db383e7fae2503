package dev.synscope.capture;

import java.io.IOException;
import java.io.InputStream;

/**
 * A refillable window over an input stream. Records are lent straight out of {@link #buf}
 * (no copy), so the reader's hot path touches each byte once.
 */
final class ByteSource {
  private static final int INITIAL_CAPACITY = 1 << 22;

  private final InputStream in;
  byte[] buf = new byte[INITIAL_CAPACITY];
  int pos;
  int limit;
  /** Stream offset of buf[0], for messages that name where a problem is. */
  long base;
  private boolean eof;

  ByteSource(InputStream in) {
    this.in = in;
  }

  /** Makes at least {@code n} bytes available at {@link #pos}; false if the input ends first. */
  boolean ensure(int n) throws IOException {
    if (limit - pos >= n) {
      return true;
    }
    if (eof) {
      return false;
    }
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, limit - pos);
      base += pos;
      limit -= pos;
      pos = 0;
    }
    if (n > buf.length) {
      byte[] bigger = new byte[Math.max(n, buf.length * 2)];
      System.arraycopy(buf, 0, bigger, 0, limit);
      buf = bigger;
    }
    while (limit < n) {
      int read = in.read(buf, limit, buf.length - limit);
      if (read < 0) {
        eof = true;
        return false;
      }
      limit += read;
    }
    return true;
  }

  int available() {
    return limit - pos;
  }

  long offset() {
    return base + pos;
  }

  /** Skips {@code n} bytes; false if the input ends first. */
  boolean skip(long n) throws IOException {
    while (n > 0) {
      if (limit == pos && !ensure(1)) {
        return false;
      }
      int step = (int) Math.min(n, limit - pos);
      pos += step;
      n -= step;
    }
    return true;
  }

  void close() throws IOException {
    in.close();
  }
}
