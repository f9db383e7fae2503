package dev.synscope.detect;

import dev.synscope.decode.IpAddress;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.HostPort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Connect timeouts: a destination ip:port that answers nobody while clients keep resending their
 * SYNs.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "connect-timeout".
 */
public final class ConnectTimeoutDetector implements Detector {
  public static final String ID = "connect-timeout";

  public record Config(
      int minAttempts, int highAttempts, long minRtoMillis, int minResends, int maxEvidence, int maxTargets)
      implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(p.getInt("min_attempts", 2), p.getInt("high_attempts", 10), p.getLong("min_rto_ms", 200),
          p.getInt("min_resends", 2), p.getInt("max_evidence", 5), p.cap("max_targets", TARGET_BYTES));
    }
  }

  static final int TARGET_BYTES = 256;
  private static final int MAX_SCHEDULE = 8;
  /** Distinct clients told apart per destination: enough to tell one client from many. */
  static final int MAX_SOURCES = 100;

  private final Config config;
  /** Per destination ip:port, in the order first met. */
  private final BoundedTable<HostPort, Target> targets;
  /** Per host: attempts it answered on any port (SYN-ACK or RST). */
  private final BoundedTable<IpAddress, Host> hosts;

  public ConnectTimeoutDetector(Config config) {
    this.config = config;
    this.targets = new BoundedTable<>(ID + ".targets", config.maxTargets(), t -> t.unanswered > 0);
    this.hosts = new BoundedTable<>(ID + ".hosts", config.maxTargets(), h -> false);
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(targets.stats(), hosts.stats());
  }

  private static final class Target extends BoundedTable.Entry {
    final HostPort endpoint;
    long attempts;
    long answered;
    long unanswered;
    /** Distinct clients of the unanswered attempts, up to {@value #MAX_SOURCES}. */
    final java.util.Set<IpAddress> sources = new java.util.HashSet<>();
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;
    long longestTryNanos;
    long retransmissions;
    /** The first unanswered attempt's resends, seconds after its first SYN. */
    final List<Double> schedule = new ArrayList<>();
    final List<Evidence> evidence = new ArrayList<>();

    Target(HostPort endpoint) {
      this.endpoint = endpoint;
    }
  }

  private static final class Host extends BoundedTable.Entry {
    long answered;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Attempted.class, ConnectionEvent.Removed.class, ConnectionEvent.SynRetransmitted.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.SynRetransmitted r) {
      Target t = targets.get(r.id().responder());
      if (t != null && t.unanswered == 0 && t.schedule.size() < MAX_SCHEDULE && r.count() == t.schedule.size() + 1
          && r.sinceFirstSynNanos() >= 0) {
        // The schedule of the destination's first retried attempt (its first SYN made the target).
        t.schedule.add(Math.round(r.sinceFirstSynNanos() / 1e8) / 10.0);
      }
    } else if (event instanceof ConnectionEvent.Attempted a) {
      HostPort endpoint = a.id().responder();
      if (targets.get(endpoint) == null) {
        targets.put(endpoint, new Target(endpoint));
      }
    } else if (event instanceof ConnectionEvent.Removed r) {
      onRemoved(r.connection());
    }
  }

  private void onRemoved(ConnectionSummary s) {
    if (s.synNanos() < 0 || s.selfConnect() || s.simultaneousOpen()) {
      return;
    }
    boolean answered = s.synAckNanos() >= 0 || s.resp().firstRst() != null || s.resp().packets() > 0;
    if (answered) {
      Host h = hosts.get(s.id().respHost());
      if (h == null) {
        h = new Host();
        hosts.put(s.id().respHost(), h);
      }
      h.answered++;
    }
    Target t = targets.get(s.id().responder());
    if (t == null) {
      return; // evicted meanwhile: its counts start again
    }
    t.attempts++;
    if (answered) {
      t.answered++;
      return;
    }
    long tried = s.lastNanos() - s.synNanos();
    if (s.orig().synRetransmissions() < config.minResends() || tried < config.minRtoMillis() * 1_000_000L) {
      return; // a probe resent once (scanners do), or a tool's duplicate: no connect() kept trying
    }
    t.unanswered++;
    t.retransmissions += s.orig().synRetransmissions();
    if (t.sources.size() < MAX_SOURCES) {
      t.sources.add(s.id().origHost());
    }
    t.firstNanos = Math.min(t.firstNanos, s.synNanos());
    t.lastNanos = Math.max(t.lastNanos, s.lastNanos());
    t.longestTryNanos = Math.max(t.longestTryNanos, tried);
    if (t.evidence.size() < config.maxEvidence()) {
      t.evidence.add(EvidenceBook.of(s, (1 + s.orig().synRetransmissions()) + " SYNs over "
          + Math.round(tried / 1e8) / 10.0 + " s, never answered"));
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (Target t : targets.values()) {
      if (t.unanswered < config.minAttempts() || t.answered > 0) {
        continue; // a destination that answers others is saturated, not dead: listener-saturation
      }
      Host h = hosts.get(t.endpoint.host());
      long hostAnswered = h == null ? 0 : h.answered;
      String target = t.endpoint.toString();
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("attempts_unanswered", t.unanswered);
      metrics.put("syn_retransmissions", t.retransmissions);
      metrics.put("client_sources_seen", t.sources.size()); // at most MAX_SOURCES
      metrics.put("longest_try_s", Math.round(t.longestTryNanos / 1e8) / 10.0);
      metrics.put("retransmission_schedule_s", List.copyOf(t.schedule));
      metrics.put("schedule", schedule(t.schedule));
      metrics.put("host_answers_other_ports", hostAnswered > 0);
      metrics.put("host_attempts_answered", hostAnswered);
      String cause = hostAnswered > 0
          ? "the host answers on other ports: this port is dropped (a firewall rule that drops, not rejects) or"
              + " its service is gone behind a filter"
          : "the host answers on no port in the capture: it is down, unreachable, or everything to it is dropped";
      metrics.put("inferred_cause", cause);
      Severity severity = t.unanswered >= config.highAttempts() ? Severity.HIGH : Severity.MEDIUM;
      String summary = target + " answered none of " + t.unanswered + " connection attempts whose clients kept"
          + " resending their SYN (up to " + metrics.get("longest_try_s") + " s): connect() timed out; "
          + (hostAnswered > 0 ? "the host answers on other ports" : "the host answered nothing");
      String explanation = "Clients resent their SYN on their timers (" + schedule(t.schedule) + ") and got neither"
          + " a SYN-ACK nor a RST: a closed port would have answered with RST at once, so the SYNs were dropped"
          + " on the way or at the host. Inferred: " + cause + ". connect() blocks until the client gives up"
          + " (net.ipv4.tcp_syn_retries: 6 by default, about 127 s) and fails with ETIMEDOUT. Check: is the service"
          + " listening (ss -lnt), a firewall drop rule (nft list ruleset; iptables -L -n -v counters), the route"
          + " (ip route get), and the client's connect timeout.";
      out.add(new Finding(ID, severity, target, t.firstNanos, t.lastNanos, summary, metrics, t.evidence, explanation));
    }
    return out;
  }

  /**
   * Names a resend schedule from its times after the first SYN: gaps of about 1 s for the first
   * few and doubling after (Linux since 6.5, tcp_syn_linear_timeouts=4; macOS), doubling from 1 s
   * (Linux before 6.5), or as seen.
   */
  static String schedule(List<Double> s) {
    if (s.isEmpty()) {
      return "not seen";
    }
    List<Double> gaps = new ArrayList<>();
    double previous = 0;
    for (double x : s) {
      gaps.add(x - previous);
      previous = x;
    }
    int linear = 0;
    while (linear < gaps.size() && near(gaps.get(linear), 1)) {
      linear++;
    }
    boolean doubling = linear > 0;
    for (int i = Math.max(linear, 1); i < gaps.size() && doubling; i++) {
      doubling = near(gaps.get(i), 2 * gaps.get(i - 1));
    }
    if (doubling && linear >= 2) {
      return "1 s apart for the first " + linear + ", then doubling (Linux 6.5+ tcp_syn_linear_timeouts, macOS)";
    }
    if (doubling) {
      return "doubling from 1 s (Linux before 6.5)";
    }
    return "resends at " + s + " s";
  }

  private static boolean near(double gap, double expected) {
    return Math.abs(gap - expected) <= Math.max(0.3, 0.15 * expected);
  }
}
