package dev.synscope.hostcounters;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accumulates host samples in constant memory: the first and last sample, per-state peaks,
 * per-counter peak rates, and a series of at most {@value #MAX_POINTS} points (when it fills,
 * neighbouring points merge, so days of sampling keep the whole span at a coarser step).
 * Thread-safe: a timer samples while the capture runs, the command takes the last sample.
 */
public final class HostCounterRecorder {
  /** Counters whose increase the report gives (those this kernel has). */
  public static final List<String> TRACKED = List.of(
      "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
      "TcpExtSyncookiesFailed", "TcpExtTCPReqQFullDrop", "TcpExtTCPReqQFullDoCookies", "TcpExtTCPTimeWaitOverflow",
      "TcpExtTW", "TcpExtTWRecycled", "TcpExtEmbryonicRsts", "TcpExtTCPBacklogDrop", "TcpExtTCPSynRetrans",
      "TcpExtTCPAbortOnData", "TcpActiveOpens", "TcpPassiveOpens", "TcpAttemptFails", "TcpEstabResets", "TcpOutRsts",
      "TcpRetransSegs", "TcpInErrs");
  /** Counters and socket states the series keeps. */
  static final List<String> SERIES_COUNTERS = List.of(
      "TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
      "TcpExtSyncookiesFailed", "TcpExtTCPReqQFullDrop", "TcpExtTCPReqQFullDoCookies");
  static final List<String> SERIES_STATES = List.of("established", "syn_recv", "time_wait", "close_wait");
  public static final int MAX_POINTS = 240;

  private final String source;
  private final double intervalSeconds;
  private HostSample first;
  private HostSample last;
  private int samples;
  private final Map<String, Long> peakStates = new LinkedHashMap<>();
  private final Map<String, Double> peakRates = new LinkedHashMap<>();
  private boolean truncated;
  private int points;
  private final long[] times = new long[MAX_POINTS];
  private final long[][] counterSeries = new long[SERIES_COUNTERS.size()][MAX_POINTS];
  private final long[][] stateSeries = new long[SERIES_STATES.size()][MAX_POINTS];

  /**
   * @param source where the samples come from, for the report
   * @param intervalSeconds the sampling interval, for the report
   */
  public HostCounterRecorder(String source, double intervalSeconds) {
    this.source = source;
    this.intervalSeconds = intervalSeconds;
  }

  public synchronized int samples() {
    return samples;
  }

  public synchronized void add(HostSample s) {
    HostSample previous = last;
    if (first == null) {
      first = s;
    }
    last = s;
    samples++;
    if (s.sockets() != null) {
      truncated |= s.sockets().truncated();
      s.sockets().counts().forEach((k, v) -> peakStates.merge(k, v, Math::max));
    }
    if (previous != null) {
      double seconds = (s.epochMillis() - previous.epochMillis()) / 1000.0;
      if (seconds > 0) {
        for (String c : TRACKED) {
          long a = previous.get(c);
          long b = s.get(c);
          if (a >= 0 && b >= 0) {
            double rate = Math.round(Math.max(0, b - a) / seconds * 10) / 10.0;
            peakRates.merge(c, rate, Math::max);
          }
        }
      }
    }
    if (points == MAX_POINTS) {
      halve();
    }
    int i = points++;
    times[i] = s.epochMillis() - first.epochMillis();
    for (int k = 0; k < SERIES_COUNTERS.size(); k++) {
      String c = SERIES_COUNTERS.get(k);
      counterSeries[k][i] = previous == null ? 0 : increase(previous.get(c), s.get(c));
    }
    for (int k = 0; k < SERIES_STATES.size(); k++) {
      stateSeries[k][i] = s.sockets() == null ? 0 : s.sockets().get(SERIES_STATES.get(k));
    }
  }

  private static long increase(long before, long after) {
    return before < 0 || after < 0 ? 0 : Math.max(0, after - before);
  }

  /** Merges neighbouring points: a point keeps the later time, the sum of increases, the larger count. */
  private void halve() {
    int n = points / 2;
    for (int j = 0; j < n; j++) {
      times[j] = times[2 * j + 1];
      for (long[] c : counterSeries) {
        c[j] = c[2 * j] + c[2 * j + 1];
      }
      for (long[] c : stateSeries) {
        c[j] = Math.max(c[2 * j], c[2 * j + 1]);
      }
    }
    if (points % 2 == 1) {
      times[n] = times[points - 1];
      for (long[] c : counterSeries) {
        c[n] = c[points - 1];
      }
      for (long[] c : stateSeries) {
        c[n] = c[points - 1];
      }
      n++;
    }
    points = n;
  }

  /** The section so far (without comparisons), or null before the first sample. */
  public synchronized HostCounters summary() {
    if (first == null) {
      return null;
    }
    Map<String, Long> deltas = new LinkedHashMap<>();
    for (String c : TRACKED) {
      long a = first.get(c);
      long b = last.get(c);
      if (a >= 0 && b >= 0) {
        deltas.put(c, Math.max(0, b - a));
      }
    }
    Map<String, Double> rates = new LinkedHashMap<>();
    for (String c : TRACKED) {
      Double r = peakRates.get(c);
      if (r != null && r > 0) {
        rates.put(c, r);
      }
    }
    HostCounters.Sockets sockets = null;
    if (first.sockets() != null && last.sockets() != null) {
      sockets = new HostCounters.Sockets(
          first.sockets().counts(), last.sockets().counts(), ordered(peakStates),
          truncated);
    }
    long[] t = java.util.Arrays.copyOf(times, points);
    Map<String, long[]> cs = new LinkedHashMap<>();
    for (int k = 0; k < SERIES_COUNTERS.size(); k++) {
      if (last.get(SERIES_COUNTERS.get(k)) >= 0) {
        cs.put(SERIES_COUNTERS.get(k), java.util.Arrays.copyOf(counterSeries[k], points));
      }
    }
    Map<String, long[]> ss = new LinkedHashMap<>();
    for (int k = 0; k < SERIES_STATES.size(); k++) {
      ss.put(SERIES_STATES.get(k), java.util.Arrays.copyOf(stateSeries[k], points));
    }
    return new HostCounters(
        source, intervalSeconds, samples, Instant.ofEpochMilli(first.epochMillis()).toString(),
        Instant.ofEpochMilli(last.epochMillis()).toString(), deltas, rates, sockets, List.of(),
        new HostCounters.Series(points, t, cs, ss));
  }

  private static Map<String, Long> ordered(Map<String, Long> m) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String n : SocketStates.NAMES) {
      out.put(n, m.getOrDefault(n, 0L));
    }
    return out;
  }
}
