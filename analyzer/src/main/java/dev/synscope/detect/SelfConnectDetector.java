package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * TCP self-connection: a connection whose source and destination are the same ip:port.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "self-connect".
 */
public final class SelfConnectDetector implements Detector {
  public static final String ID = "self-connect";

  /**
   * Ephemeral port range of the host, to say whether the port lies inside it.
   *
   * @param maxTargets self-connected ip:ports remembered at once ({@code max_targets}; default
   *     from the memory budget): a LAND flood of random ports would otherwise make one per packet.
   *     Targets whose handshake completed (a real self-connect) stay while LAND-style ones go.
   */
  public record Config(int ephemeralLow, int ephemeralHigh, int maxTargets) implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(p.getInt("ephemeral_low", 32768), p.getInt("ephemeral_high", 60999),
          p.cap("max_targets", TARGET_BYTES));
    }
  }

  /** Heap a target costs: its counts and up to {@value #EVIDENCE} connection summaries. */
  static final int TARGET_BYTES = 2048;
  private static final int EVIDENCE = 5;

  /** One self-connected ip:port: how many connections, how many completed, the first few. */
  private static final class Target extends BoundedTable.Entry {
    final List<KeptSummary> first = new ArrayList<>(EVIDENCE);
    long connections;
    long completed;
    long lastNanos;
  }

  private final Config config;
  private final BoundedTable<String, Target> byTarget;

  public SelfConnectDetector(Config config) {
    this.config = config;
    this.byTarget = new BoundedTable<>(ID + ".targets", config.maxTargets(), t -> t.completed > 0);
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(byTarget.stats());
  }

  @Override
  public String id() {
    return ID;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Removed.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Removed r && r.connection().selfConnect()) {
      String key = r.id().respEndpoint();
      Target t = byTarget.get(key);
      if (t == null) {
        t = new Target();
        byTarget.put(key, t);
      }
      t.connections++;
      if (r.connection().handshakeCompleted()) {
        t.completed++;
      }
      t.lastNanos = Math.max(t.lastNanos, r.connection().lastNanos());
      if (t.first.size() < EVIDENCE) {
        t.first.add(new KeptSummary(r.connection()));
      }
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (Target t : byTarget.values()) {
      ConnectionSummary first = t.first.get(0).get();
      String target = first.id().respEndpoint();
      long completed = t.completed;
      int port = first.id().respPort();
      boolean inRange = port >= config.ephemeralLow() && port <= config.ephemeralHigh();
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("port", port);
      metrics.put("connections", t.connections);
      metrics.put("handshakes_completed", completed);
      metrics.put("port_in_ephemeral_range", inRange);
      metrics.put("ephemeral_range", config.ephemeralLow() + "-" + config.ephemeralHigh());
      List<Evidence> evidence = new ArrayList<>();
      for (KeptSummary s : t.first) {
        evidence.add(EvidenceBook.of(s.get(), "source and destination are both " + target));
      }
      boolean land = completed == 0;
      String summary = land
          ? "SYN from " + target + " to itself that never completed: a LAND-style packet or a failed self-connect"
          : "A socket on " + target + " connected to itself (" + completed + " time(s)): no listener was involved;"
              + " the client believes it reached a server";
      String explanation =
          "The source and destination ip:port are identical. connect() to a local port with nothing listening can"
              + " pick that port as its own source when it lies inside net.ipv4.ip_local_port_range ("
              + (inRange ? "it does, for the default range " : "it does not, for the assumed range ")
              + config.ephemeralLow() + "-" + config.ephemeralHigh()
              + "); the SYN reaches the same socket in SYN_SENT, the kernel treats it as a simultaneous open, and the"
              + " socket connects to itself. This typically happens in a retry loop against a service that is down."
              + " Check: sysctl net.ipv4.ip_local_port_range; keep service ports outside it or list them in"
              + " net.ipv4.ip_local_reserved_ports; make the client reject local==remote (as Go's dialer does)."
              + " From a non-local source, a SYN with source == destination is the LAND attack pattern.";
      out.add(new Finding(
          ID, land ? Severity.LOW : Severity.MEDIUM, target, first.startNanos(),
          t.lastNanos, summary, metrics, evidence, explanation));
    }
    return out;
  }
}
