package dev.synscope.flow;

import dev.synscope.decode.IpAddress;

/**
 * Hands out one {@link IpAddress} and one responder {@link HostPort} for the addresses new
 * connections keep using (a client's many connections, everyone's server), instead of new
 * objects per connection: less to allocate, less live while connections are held, and listener
 * maps then mostly compare a key with itself. A direct-mapped cache: bounded, nothing to evict,
 * and a miss only costs the allocation that would have happened anyway. Values are immutable,
 * so sharing them changes nothing else.
 */
final class RecentAddresses {
  static final int SLOTS = 1 << 12;

  private final int mask;
  private final IpAddress[] addresses;
  private final HostPort[] responders;

  RecentAddresses() {
    this(SLOTS);
  }

  /** A cache of {@code slots} entries (a power of two; a table of a few connections needs few). */
  RecentAddresses(int slots) {
    if (Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    mask = slots - 1;
    addresses = new IpAddress[slots];
    responders = new HostPort[slots];
  }

  IpAddress address(int version, long hi, long lo) {
    int i = slot(version, hi, lo, 0);
    IpAddress a = addresses[i];
    if (a == null || a.lo() != lo || a.hi() != hi || a.version() != version) {
      a = new IpAddress(version, hi, lo);
      addresses[i] = a;
    }
    return a;
  }

  HostPort responder(IpAddress host, int port) {
    int i = slot(host.version(), host.hi(), host.lo(), port);
    HostPort r = responders[i];
    if (r == null || r.port() != port || !r.host().equals(host)) {
      r = new HostPort(host, port);
      responders[i] = r;
    }
    return r;
  }

  private int slot(int version, long hi, long lo, int port) {
    long h = (lo ^ (hi * 0x9E3779B97F4A7C15L) ^ ((long) port << 32) ^ version) * 0xBF58476D1CE4E5B9L;
    return (int) (h >>> 40) & mask;
  }
}
