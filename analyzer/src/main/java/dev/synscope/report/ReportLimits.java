package dev.synscope.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Caps of the report's own tables, set with {@code --param report.<key>=N}. They bound what the
 * report lists, never a verdict: past a cap the table keeps its first entries and counts the rest
 * ({@code stats.state.report.*.refused}).
 *
 * @param maxListeners listeners counted for the top-listener tables (further listeners' connections
 *     are counted as {@code listeners.untracked_connections})
 * @param maxTimelineHosts hosts whose TIME_WAIT series the timeline estimates (7 KB each; closes by
 *     further hosts are counted as {@code timeline.time_wait_other_hosts})
 * @param maxCensusHosts hosts the socket-state census keeps a row for (5 KB each; sockets of
 *     further hosts are summed in {@code hosts_not_listed})
 */
public record ReportLimits(int maxListeners, int maxTimelineHosts, int maxCensusHosts) {
  public static final String PREFIX = "report.";
  public static final ReportLimits DEFAULT = new ReportLimits(10_000, 256, 1_024);
  private static final Set<String> KEYS = Set.of("max_listeners", "max_timeline_hosts", "max_census_hosts");

  /** The {@code report.*} entries of the {@code --param} map; a bad key or value is an {@link IllegalArgumentException}. */
  public static ReportLimits from(Map<String, String> params) {
    Map<String, Integer> given = new LinkedHashMap<>();
    params.forEach((k, v) -> {
      if (!k.startsWith(PREFIX)) {
        return;
      }
      String key = k.substring(PREFIX.length());
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown parameter " + k + " (known: report.max_listeners, report.max_timeline_hosts, report.max_census_hosts)");
      }
      int n;
      try {
        n = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(k + ": not a whole number: " + v);
      }
      if (n < 1) {
        throw new IllegalArgumentException(k + ": must be at least 1");
      }
      given.put(key, n);
    });
    return new ReportLimits(
        given.getOrDefault("max_listeners", DEFAULT.maxListeners()),
        given.getOrDefault("max_timeline_hosts", DEFAULT.maxTimelineHosts()),
        given.getOrDefault("max_census_hosts", DEFAULT.maxCensusHosts()));
  }
}
