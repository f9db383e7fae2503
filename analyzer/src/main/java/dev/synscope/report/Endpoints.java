package dev.synscope.report;

/** Splits the report's endpoint strings ("10.0.0.1:80", "[fd00::1]:80", or a bare host). */
record Endpoints(String ip, int port) {

  /** @return the address and port, port -1 when the text is a bare host; null for null */
  static Endpoints parse(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close > 0) {
        String ip = text.substring(1, close);
        return new Endpoints(ip, port(text.substring(close + 1)));
      }
      return new Endpoints(text, -1);
    }
    int colon = text.indexOf(':');
    if (colon > 0 && colon == text.lastIndexOf(':')) {
      int p = port(text.substring(colon));
      if (p >= 0) {
        return new Endpoints(text.substring(0, colon), p);
      }
    }
    return new Endpoints(text, -1);
  }

  private static int port(String suffix) {
    if (suffix.length() < 2 || suffix.charAt(0) != ':') {
      return -1;
    }
    try {
      int p = Integer.parseInt(suffix.substring(1));
      return p >= 0 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  boolean isIpv6() {
    return ip.indexOf(':') >= 0;
  }
}
