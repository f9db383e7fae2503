package dev.synscope.report;

import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.HostPort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Handshake counts per listener (resp ip:port) for the report's "top listeners" tables. Bounded:
 * the first {@code report.max_listeners} listeners are counted, connections to further ones (a
 * port scan, say) are only counted as untracked.
 */
final class ListenerTable {
  static final String NAME = "report.listeners";
  static final int TOP = 10;

  private static final int ATTEMPTS = 0;
  private static final int ESTABLISHED = 1;
  private static final int REJECTED = 2;
  private static final int UNANSWERED = 3;
  private static final int SYN_RETRANSMISSIONS = 4;

  private final Map<HostPort, long[]> byListener = new HashMap<>();
  private long untracked;
  private final int maxListeners;

  ListenerTable(int maxListeners) {
    this.maxListeners = maxListeners;
  }

  /**
   * Counts a finished connection whose SYN was seen; others have no known listener. Its
   * {@code connState} comes from the caller, which derives it once per removal.
   */
  void accept(ConnectionSummary s, String connState) {
    if (s.synNanos() < 0) {
      return;
    }
    HostPort listener = s.id().responder();
    long[] c = byListener.get(listener);
    if (c == null) {
      if (byListener.size() >= maxListeners) {
        untracked++;
        return;
      }
      c = new long[5];
      byListener.put(listener, c);
    }
    c[ATTEMPTS]++;
    if (s.handshakeCompleted()) {
      c[ESTABLISHED]++;
    }
    if ("REJ".equals(connState)) {
      c[REJECTED]++;
    } else if ("S0".equals(connState)) {
      c[UNANSWERED]++;
    }
    c[SYN_RETRANSMISSIONS] += s.orig().synRetransmissions();
  }

  /** Listeners kept; refused counts the connections to listeners past the cap. */
  StateTableStats stats() {
    return StateTableStats.refusing(NAME, maxListeners, byListener.size(), untracked);
  }

  Report.Listeners build() {
    List<Report.Listener> all = new ArrayList<>(byListener.size());
    byListener.forEach((k, c) -> all.add(new Report.Listener(
        k.toString(), c[ATTEMPTS], c[ESTABLISHED], c[ATTEMPTS] - c[ESTABLISHED], c[REJECTED], c[UNANSWERED],
        c[SYN_RETRANSMISSIONS])));
    List<Report.Listener> byAttempts = all.stream()
        .sorted(Comparator.comparingLong(Report.Listener::attempts).reversed().thenComparing(Report.Listener::listener))
        .limit(TOP)
        .toList();
    List<Report.Listener> byFailures = all.stream()
        .filter(l -> l.failed() > 0)
        .sorted(Comparator.comparingLong(Report.Listener::failed).reversed().thenComparing(Report.Listener::listener))
        .limit(TOP)
        .toList();
    return new Report.Listeners(byListener.size(), untracked, byAttempts, byFailures);
  }
}
