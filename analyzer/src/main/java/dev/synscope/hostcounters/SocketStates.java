package dev.synscope.hostcounters;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TCP sockets by state in one sample of {@code /proc/net/tcp} and {@code /proc/net/tcp6}, as
 * {@code ss -tan} would count them. SYN_RECV counts the request sockets of half-open handshakes
 * (Linux lists them with state SYN_RECV); TIME_WAIT the timewait entries.
 *
 * @param counts state name (lower case: established, syn_sent, syn_recv, fin_wait1, fin_wait2,
 *     time_wait, close, close_wait, last_ack, listen, closing) to number of sockets, in that order
 * @param truncated whether the files were longer than {@link #MAX_LINES} lines and counting stopped
 */
public record SocketStates(Map<String, Long> counts, boolean truncated) {
  /** Kernel state numbers 1..11 (include/net/tcp_states.h), index = number - 1. */
  static final String[] NAMES = {
    "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close", "close_wait",
    "last_ack", "listen", "closing"
  };
  /** Lines read per sample at most (about 150 MB of /proc text): a bound on time spent. */
  public static final long MAX_LINES = 1_000_000;

  public SocketStates {
    counts = ordered(counts);
  }

  private static Map<String, Long> ordered(Map<String, Long> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String n : NAMES) {
      out.put(n, m.getOrDefault(n, 0L));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  public long get(String state) {
    return counts.getOrDefault(state, 0L);
  }

  static SocketStates of(long[] byState, boolean truncated) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < NAMES.length; i++) {
      m.put(NAMES[i], byState[i]);
    }
    return new SocketStates(m, truncated);
  }
}
