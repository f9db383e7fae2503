package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Who talks to whom in one connection: a value made by the flow table for the connection's
 * events (the table keeps no object per connection). Two ids of one connection are equal (same
 * analysis, same serial). Its Zeek-style uid and the responder's "ip:port" text are computed on
 * first use, so connections nobody reports on cost no string building.
 *
 * <p>Consumers keep per-connection values on it ({@link #get}, {@link #set}): they live in the
 * analysis's attribute columns at the connection's row, owned by the consumers' side, and go
 * once its Removed event has been handled ({@link #releaseAttributes}).
 *
 * <p>An id made outside a table (tests, replays: a stream engine's detectors) is Serializable,
 * with its attribute values: it equals only itself, and a copy is one object of the graph it is
 * written in, so keep the ids and what refers to them in one graph. A table's id is a view of a
 * row of that table and refuses to serialise (its values stay in the table).
 */
public final class FlowId implements Serializable {
  private static final char[] BASE62 =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

  private final long serial;
  private final IpAddress origHost;
  private final int origPort;
  private final HostPort responder;
  /** The slots of this connection's analysis (see {@link ConnectionAttribute}). */
  private final ConnectionAttributes attributes;
  /** The table's rows and this connection's row; null for an id made outside a table. */
  private final transient ConnectionRows rows;
  private final int row;
  /** Attribute values of an id made outside a table (tests, replays). */
  private Object[] own;
  private String uid;

  /**
   * A connection numbered {@code serial} in the run (the ordinal of the frame that started it, so
   * that any thread can number it alike); its uid derives from it.
   */
  public FlowId(long serial, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    this(serial, origHost, origPort, new HostPort(respHost, respPort), new ConnectionAttributes(), null, -1);
  }

  /** An id made outside a table, with the attribute slots of a given analysis (tests). */
  FlowId(long serial, IpAddress origHost, int origPort, HostPort responder, ConnectionAttributes attributes) {
    this(serial, origHost, origPort, responder, attributes, null, -1);
  }

  /** The table's id of the connection in {@code row} of {@code rows}. */
  FlowId(
      long serial, IpAddress origHost, int origPort, HostPort responder, ConnectionAttributes attributes,
      ConnectionRows rows, int row) {
    this.serial = serial;
    this.origHost = origHost;
    this.origPort = origPort;
    this.responder = responder;
    this.attributes = attributes;
    this.rows = rows;
    this.row = row;
  }

  /** A connection with a given uid (tests, replays). */
  public FlowId(String uid, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    this(0, origHost, origPort, respHost, respPort);
    this.uid = uid;
  }

  long serial() {
    return serial;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    if (rows != null) {
      throw new NotSerializableException(
          "FlowId of a flow table's row (" + this + "): only ids made outside a table serialise");
    }
    out.defaultWriteObject();
  }

  /** The table row it was made for (-1 outside a table). */
  int row() {
    return row;
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

  /** The value a consumer attached to this connection, or null (also once it has left the table). */
  @SuppressWarnings("unchecked")
  public <T> T get(ConnectionAttribute<T> key) {
    int slot = key.index(attributes);
    if (rows != null) {
      return (T) attributes.get(row, serial, slot);
    }
    Object[] values = own;
    return values != null && slot < values.length ? (T) values[slot] : null;
  }

  /**
   * Attaches {@code value} (null removes it); it lives as long as the connection is in the
   * table. Once the connection has left, the value is dropped.
   */
  public <T> void set(ConnectionAttribute<T> key, T value) {
    int slot = key.index(attributes);
    if (rows != null) {
      attributes.set(row, serial, slot, value);
      return;
    }
    Object[] values = own;
    if (values == null || slot >= values.length) {
      if (value == null) {
        return;
      }
      values = values == null ? new Object[slot + 1] : java.util.Arrays.copyOf(values, slot + 1);
      own = values;
    }
    values[slot] = value;
  }

  /**
   * Drops every value consumers attached to this connection: the engine calls it once the
   * connection's Removed event has reached every consumer.
   */
  public void releaseAttributes() {
    if (rows != null) {
      attributes.release(row, serial);
    } else {
      own = null;
    }
  }

  /** Ids of one table's connection are equal; an id made outside a table equals only itself. */
  @Override
  public boolean equals(Object o) {
    return o == this || (rows != null && o instanceof FlowId other && other.serial == serial && other.rows == rows);
  }

  @Override
  public int hashCode() {
    if (rows == null) {
      return System.identityHashCode(this);
    }
    long h = serial * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  @Override
  public String toString() {
    return origEndpoint() + " -> " + respEndpoint();
  }
}
