package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link FlowId}s of connections whose events are decoded outside a flow table ({@link
 * EventCodec}), as a stream engine rebuilds them on another operator. A table's ids of one
 * connection are equal; ids made outside a table equal only themselves, so this hands out one
 * instance per connection while it lives: detectors that key maps by id, or keep {@link
 * ConnectionAttribute} values on it, then work as they do behind a table.
 *
 * <p>One instance per consumer (a detector, or the consumers of one operator), used by one thread:
 * its ids share one {@link ConnectionAttributes}, so attribute slots are numbered once per
 * instance. Serials must come from one analysis (they number the frames of a run); a serial seen
 * again with other endpoints is refused.
 */
public final class ReplayIds implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final ConnectionAttributes attributes = new ConnectionAttributes();
  private final Map<Long, FlowId> live = new HashMap<>();

  /** The id of connection {@code serial}: the same instance until {@link #release}. */
  public FlowId id(long serial, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    FlowId id = live.get(serial);
    if (id == null) {
      id = create(serial, origHost, origPort, respHost, respPort);
      live.put(serial, id);
    } else {
      check(id, origHost, origPort, respHost, respPort);
    }
    return id;
  }

  /**
   * The id of a connection that may have left already (a PortReused's {@code previous}): the live
   * instance while it is registered, so it equals the ids of that connection's earlier events;
   * otherwise a new id that is not registered (a table's id of a connection that left holds no
   * attributes either; this one starts empty and equals only itself).
   */
  FlowId lookup(long serial, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    FlowId id = live.get(serial);
    if (id == null) {
      return create(serial, origHost, origPort, respHost, respPort);
    }
    check(id, origHost, origPort, respHost, respPort);
    return id;
  }

  /**
   * Forgets connection {@code serial} and drops the attribute values kept on its id, as the
   * engine does once a Removed event has reached every consumer. Call it after handling Removed.
   */
  public void release(long serial) {
    FlowId id = live.remove(serial);
    if (id != null) {
      id.releaseAttributes();
    }
  }

  /** As {@link #release(long)}, for the id a Removed event carries. */
  public void release(FlowId id) {
    release(id.serial());
  }

  /** Connections registered (decoded and not yet released). */
  public int size() {
    return live.size();
  }

  private FlowId create(long serial, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    return new FlowId(serial, origHost, origPort, new HostPort(respHost, respPort), attributes);
  }

  /** Equal serials with other endpoints: events of two analyses mixed on one stream. */
  private static void check(FlowId id, IpAddress origHost, int origPort, IpAddress respHost, int respPort) {
    if (id.origPort() != origPort || id.respPort() != respPort || !id.origHost().equals(origHost)
        || !id.respHost().equals(respHost)) {
      throw new IllegalArgumentException("connection serial " + id.serial() + " is " + id.origEndpoint() + " -> "
          + id.respEndpoint() + ", not " + origHost.withPort(origPort) + " -> " + respHost.withPort(respPort)
          + ": events of two analyses on one stream?");
    }
  }
}
