package dev.synscope.hostcounters;

import java.util.Map;

/**
 * One reading of the kernel's counters.
 *
 * @param epochMillis wall-clock time of the reading
 * @param counters nstat-style names ({@code TcpExtListenOverflows}, {@code TcpActiveOpens}) to
 *     values, for the counters this kernel has
 * @param sockets socket states, or null when they were not read
 */
public record HostSample(long epochMillis, Map<String, Long> counters, SocketStates sockets) {
  public HostSample {
    counters = Map.copyOf(counters);
  }

  /** The counter's value, or -1 when this kernel does not have it. */
  public long get(String name) {
    return counters.getOrDefault(name, -1L);
  }
}
