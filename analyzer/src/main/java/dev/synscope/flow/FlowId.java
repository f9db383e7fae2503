package dev.synscope.flow;

import dev.synscope.decode.IpAddress;

/**
 * Who talks to whom in one connection: made once per connection and shared by all its events.
 * Its Zeek-style uid and the responder's "ip:port" text are computed on first use, so
 * connections nobody reports on cost no string building. Equality is identity: there is exactly
 * one instance per connection.
 */
public final class FlowId {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  /** Attribute slots held in fields (a0 to a7); keys past them use {@link #more}. */
  static final int INLINE = 8;

  private final long serial;
  private final IpAddress origHost;
  private final int origPort;
  private final HostPort responder;
  /** The slots of this connection's analysis (see {@link ConnectionAttribute}). */
  private final ConnectionAttributes attributes;
  private String uid;
  // Attribute values: the first INLINE keys in fields, so that a detector's read is one load from
  // the id the event already holds, not a second trip to an array; later keys (tests, which
  // make keys per detector instance) in an array.
  private Object a0;
  private Object a1;
  private Object a2;
  private Object a3;
  private Object a4;
  private Object a5;
  private Object a6;
  private Object a7;
  private Object[] more;

  /** A connection numbered {@code serial} (1, 2, ...) in the run; its uid derives from it. */
  public FlowId(long serial, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    this(serial, origHost, origPort, new HostPort(respHost, respPort), new ConnectionAttributes());
  }

  /**
   * As above, with the responder already made (shared by connections to one listener) and the
   * attribute slots of the analysis it belongs to.
   */
  FlowId(long serial, IpAddress origHost, int origPort, HostPort responder, ConnectionAttributes attributes) {
    this.serial = serial;
    this.origHost = origHost;
    this.origPort = origPort;
    this.responder = responder;
    this.attributes = attributes;
  }

  /** A connection with a given uid (tests, replays). */
  public FlowId(String uid, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    this(0, origHost, origPort, respHost, respPort);
    this.uid = uid;
  }

  /** "C" + 11 base62 digits of a bijective scramble of the serial: unique and deterministic. */
  public String uid() {
    if (uid == null) {
      long x = serial * 0x9E3779B97F4A7C15L;
      x ^= x >>> 31;
      x *= 0xBF58476D1CE4E5B9L;
      x ^= x >>> 29;
      char[] out = new char[12];
      out[0] = 'C';
      // 11 base62 digits hold all 64 bits; after the first (unsigned) step the rest is positive,
      // where division by a constant is cheap.
      long v = Long.divideUnsigned(x, 62);
      out[1] = BASE62[(int) (x - v * 62)];
      for (int k = 2; k < 12; k++) {
        out[k] = BASE62[(int) (v % 62)];
        v /= 62;
      }
      uid = new String(out);
    }
    return uid;
  }

  public IpAddress origHost() {
    return origHost;
  }

  public int origPort() {
    return origPort;
  }

  public IpAddress respHost() {
    return responder.host();
  }

  public int respPort() {
    return responder.port();
  }

  /** The responder (the listener of a handshake), a cheap map key. */
  public HostPort responder() {
    return responder;
  }

  /** The responder as a listener target: "10.0.0.1:80" or "[fd00::1]:80". */
  public String respEndpoint() {
    return responder.toString();
  }

  public String origEndpoint() {
    return origHost.withPort(origPort);
  }

  public boolean isSelfConnection() {
    return origPort == responder.port() && origHost.equals(responder.host());
  }

  /** Reads this id, which detectors are about to use (see FlowTable.warm). */
  long warm() {
    return origPort;
  }

  /** The value a consumer attached to this connection, or null. */
  @SuppressWarnings("unchecked")
  public <T> T get(ConnectionAttribute<T> key) {
    return (T) switch (key.index(attributes)) {
      case 0 -> a0;
      case 1 -> a1;
      case 2 -> a2;
      case 3 -> a3;
      case 4 -> a4;
      case 5 -> a5;
      case 6 -> a6;
      case 7 -> a7;
      default -> {
        Object[] m = more;
        int i = key.index(attributes) - INLINE;
        yield m != null && i < m.length ? m[i] : null;
      }
    };
  }

  /** Attaches {@code value} (null removes it); it lives as long as this connection's id. */
  public <T> void set(ConnectionAttribute<T> key, T value) {
    int index = key.index(attributes);
    switch (index) {
      case 0 -> a0 = value;
      case 1 -> a1 = value;
      case 2 -> a2 = value;
      case 3 -> a3 = value;
      case 4 -> a4 = value;
      case 5 -> a5 = value;
      case 6 -> a6 = value;
      case 7 -> a7 = value;
      default -> setMore(index - INLINE, value);
    }
  }

  private void setMore(int i, Object value) {
    Object[] m = more;
    if (m == null || i >= m.length) {
      if (value == null) {
        return;
      }
      int n = Math.max(attributes.size() - INLINE, i + 1);
      m = m == null ? new Object[n] : java.util.Arrays.copyOf(m, n);
      more = m;
    }
    m[i] = value;
  }

  @Override
  public String toString() {
    return origEndpoint() + " -> " + respEndpoint();
  }
}
