package dev.synscope.detect;

import dev.synscope.flow.MemoryBudget;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The explicit registry of detectors (no classpath scanning): id, one-line description, factory. */
public final class Detectors {

  /** One registered detector. */
  public record Entry(String id, String description, Function<DetectorParams, Detector> factory) {}

  private static final List<Entry> ALL = List.of(
      new Entry(SynFloodDetector.ID,
          "SYN floods per listener and per host: half-open attempts, completion ratio, spoofing, server response",
          p -> new SynFloodDetector(SynFloodDetector.Config.from(p))),
      new Entry(AcceptQueueOverflowDetector.ID,
          "accept-queue overflow: RST after the 3rd ACK (abort) or SYN-ACK retransmitted after it (drop)",
          p -> new AcceptQueueOverflowDetector(AcceptQueueOverflowDetector.Config.from(p))),
      new Entry(ListenerSaturationDetector.ID,
          "listeners that drop real clients' SYNs while answering others (a full accept queue): retries, latency, timeouts",
          p -> new ListenerSaturationDetector(ListenerSaturationDetector.Config.from(p))),
      new Entry(CloseWaitDetector.ID,
          "CLOSE_WAIT leaks: the peer's FIN acknowledged, no FIN back for min_age_s; peak, at the end, half-close apart",
          p -> new CloseWaitDetector(CloseWaitDetector.Config.from(p))),
      new Entry(ConnectTimeoutDetector.ID,
          "destinations that answer nobody while clients resend their SYNs: firewall drop vs host down, resend schedule",
          p -> new ConnectTimeoutDetector(ConnectTimeoutDetector.Config.from(p))),
      new Entry(SynCookiesDetector.ID,
          "time windows in which a listener answered with SYN cookies, and FreeBSD cookie fingerprints",
          p -> new SynCookiesDetector(SynCookiesDetector.Config.from(p))),
      new Entry(TimeWaitPileupDetector.ID,
          "TIME_WAIT entries piling up on the host that closes first, and ephemeral-port exhaustion risk",
          p -> new TimeWaitPileupDetector(TimeWaitPileupDetector.Config.from(p))),
      new Entry(SelfConnectDetector.ID,
          "TCP self-connections (source ip:port == destination ip:port)",
          p -> new SelfConnectDetector(SelfConnectDetector.Config.from(p))),
      new Entry(SimultaneousOpenDetector.ID,
          "simultaneous opens (SYNs crossing), an info finding",
          p -> new SimultaneousOpenDetector()));

  private Detectors() {}

  public static List<Entry> all() {
    return ALL;
  }

  /** The id that asks for no detector: the connections are tracked and reported, nothing judged. */
  public static final String NONE = "none";

  /**
   * Instantiates the chosen detectors (all when {@code ids} is empty, none for {@link #NONE})
   * with their overrides.
   *
   * @param params overrides keyed "id.key"
   * @throws IllegalArgumentException for an unknown or repeated id, or an unknown parameter
   */
  public static List<Detector> create(List<String> ids, Map<String, String> params) {
    return create(ids, params, MemoryBudget.fromHeap());
  }

  /** As above, with the caps of the detectors' tables set by {@code budget}. */
  public static List<Detector> create(List<String> ids, Map<String, String> params, MemoryBudget budget) {
    Map<String, Entry> byId = new LinkedHashMap<>();
    for (Entry e : ALL) {
      byId.put(e.id(), e);
    }
    for (String key : params.keySet()) {
      if (key.startsWith("report.")) {
        continue; // the report's own caps (ReportLimits)
      }
      int dot = key.indexOf('.');
      String id = dot < 0 ? key : key.substring(0, dot);
      if (!byId.containsKey(id)) {
        throw new IllegalArgumentException("--param " + key + ": no detector '" + id + "'" + known(byId));
      }
    }
    List<Entry> chosen = new ArrayList<>();
    if (ids.contains(NONE)) {
      if (ids.size() > 1) {
        throw new IllegalArgumentException("'" + NONE + "' cannot be combined with detector ids");
      }
    } else if (ids.isEmpty()) {
      chosen.addAll(ALL);
    } else {
      for (String id : ids) {
        Entry e = byId.get(id);
        if (e == null) {
          throw new IllegalArgumentException("unknown detector '" + id + "'" + known(byId));
        }
        if (chosen.contains(e)) {
          // Two instances would report every finding twice.
          throw new IllegalArgumentException("detector '" + id + "' is listed twice");
        }
        chosen.add(e);
      }
    }
    List<Detector> out = new ArrayList<>();
    for (Entry e : chosen) {
      Map<String, String> own = new LinkedHashMap<>();
      params.forEach((k, v) -> {
        if (k.startsWith(e.id() + ".")) {
          own.put(k.substring(e.id().length() + 1), v);
        }
      });
      DetectorParams p = new DetectorParams(e.id(), own, budget);
      out.add(e.factory().apply(p));
      p.checkAllUsed();
    }
    return out;
  }

  private static String known(Map<String, Entry> byId) {
    return byId.isEmpty() ? "" : " (known: " + String.join(", ", byId.keySet()) + ")";
  }
}
