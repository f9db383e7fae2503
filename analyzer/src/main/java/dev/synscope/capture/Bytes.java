package dev.synscope.capture;

/** Unsigned reads in either byte order. */
final class Bytes {
  private Bytes() {}

  static int u16(byte[] b, int i, boolean bigEndian) {
    return bigEndian
        ? ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)
        : ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
  }

  static long u32(byte[] b, int i, boolean bigEndian) {
    return i32(b, i, bigEndian) & 0xffffffffL;
  }

  static int i32(byte[] b, int i, boolean bigEndian) {
    return bigEndian
        ? ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff)
        : ((b[i + 3] & 0xff) << 24) | ((b[i + 2] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i] & 0xff);
  }

  static String hex(byte[] b, int off, int len) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < len; i++) {
      sb.append(String.format("%02x", b[off + i] & 0xff));
    }
    return sb.toString();
  }

  /** "1f 8b 08 00": bytes as a person reads them in a message. */
  static String spacedHex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", x & 0xff));
    }
    return sb.toString();
  }
}
