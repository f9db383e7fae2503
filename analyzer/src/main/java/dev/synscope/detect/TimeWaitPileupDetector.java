package dev.synscope.detect;

import dev.synscope.decode.IpAddress;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.HostPort;
import dev.synscope.flow.Role;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TIME_WAIT pileup on a host that closes connections first.
 *
 * <p>Signal: the side that sends the first FIN holds the 4-tuple in TIME_WAIT for 2MSL after the
 * close (60 s on Linux). Counting every graceful close by its first closer gives, per host, the
 * estimated number of concurrent TIME_WAIT entries over time, its peak and what is left when the
 * capture ends (compare with {@code ss -tan state time-wait}). For a client that closes first,
 * each (client ip, server ip, server port) can use at most the ephemeral port range at once: the
 * peak against that range is the port-exhaustion risk. A new SYN on a 4-tuple still in TIME_WAIT
 * is counted as reuse, accepted (the handshake completed) or rejected.
 *
 * <p>Thresholds: a host needs a peak of {@code min_peak} (1000) entries; the risk is high at half
 * the port range per destination and critical at {@code critical_ratio} (0.8). TIME_WAIT lasts
 * {@code time_wait_ms} (60000); the range is {@code ephemeral_low}-{@code ephemeral_high}
 * (32768-60999).
 *
 * <p>False positives: other stacks keep TIME_WAIT for other lengths (set time_wait_ms); connections
 * closed with RST (SO_LINGER 0) leave no TIME_WAIT and are not counted; above
 * tcp_max_tw_buckets Linux silently skips TIME_WAIT, so the host may hold fewer.
 *
 * <p>On the host: {@code ss -tan state time-wait | wc -l}, {@code nstat -az TcpExtTW
 * TcpExtTCPTimeWaitOverflow}, {@code net.ipv4.ip_local_port_range}, {@code net.ipv4.tcp_tw_reuse},
 * connection reuse (keep-alive, pools) in the application.
 */
public final class TimeWaitPileupDetector implements Detector {
  public static final String ID = "time-wait-pileup";

  public record Config(
      long timeWaitMillis, int ephemeralLow, int ephemeralHigh, long minPeak, double highRatio,
      double criticalRatio, int maxEvidence) {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getLong("time_wait_ms", 60_000), p.getInt("ephemeral_low", 32768), p.getInt("ephemeral_high", 60999),
          p.getLong("min_peak", 1000), p.getDouble("high_ratio", 0.5), p.getDouble("critical_ratio", 0.8),
          p.getInt("max_evidence", 5));
    }

    int rangeSize() {
      return ephemeralHigh - ephemeralLow + 1;
    }
  }

  /**
   * Concurrent TIME_WAIT entries of one key: their end times in order (closes come in packet-time
   * order, so ends do too) in a ring of primitive longs, and the peak.
   */
  private static final class Pile {
    private long[] ends = new long[4];
    private int head;
    private int size;
    long peak;
    long peakNanos;
    long total;
    long firstNanos = Long.MAX_VALUE;
    long lastNanos;

    void add(long now, long end) {
      expire(now);
      if (size == ends.length) {
        long[] bigger = new long[ends.length * 2];
        for (int i = 0; i < size; i++) {
          bigger[i] = ends[(head + i) & (ends.length - 1)];
        }
        ends = bigger;
        head = 0;
      }
      ends[(head + size) & (ends.length - 1)] = end;
      size++;
      total++;
      firstNanos = Math.min(firstNanos, now);
      lastNanos = Math.max(lastNanos, now);
      if (size > peak) {
        peak = size;
        peakNanos = now;
      }
    }

    void expire(long now) {
      while (size > 0 && ends[head] <= now) {
        head = (head + 1) & (ends.length - 1);
        size--;
      }
    }

    int size() {
      return size;
    }

    long aliveAt(long now) {
      long n = 0;
      for (int i = 0; i < size; i++) {
        if (ends[(head + i) & (ends.length - 1)] > now) n++;
      }
      return n;
    }
  }

  private static final class HostState {
    final Pile pile = new Pile();
    long asClient;
    long asServer;
    long reuses;
    long reusesAccepted;
    long reusesRejected;
    /** Client-side TIME_WAIT per destination, while any is alive. */
    final Map<HostPort, Pile> triples = new HashMap<>();
    /** The busiest destination whose entries have all expired. */
    String pastBusiestTriple;
    long pastBusiestPeak;
    final List<FlowId> evidenceUids = new ArrayList<>();
  }

  private final Config config;
  /** Hosts with TIME_WAIT entries that may be alive, least recently closing first. */
  private final Map<IpAddress, HostState> hosts = new LinkedHashMap<>(16, 0.75f, true);
  /** Hosts whose entries all expired but that came near a finding. */
  private final Map<IpAddress, HostState> retired = new HashMap<>();
  /** New connections that reopened a 4-tuple in TIME_WAIT, keyed by uid, to learn if accepted. */
  private final Map<FlowId, HostState> pendingReuse = new HashMap<>();
  private final Map<FlowId, Evidence> evidence = new HashMap<>();
  private final java.util.Set<FlowId> evidenceWanted = new java.util.HashSet<>();
  private long lastNanos = Long.MIN_VALUE;
  private long lastSweepNanos = Long.MIN_VALUE;
  /** How often idle state is pruned, in packet time. */
  private static final long SWEEP_NANOS = 10_000_000_000L;

  public TimeWaitPileupDetector(Config config) {
    this.config = config;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    lastNanos = Math.max(lastNanos, event.timestampNanos());
    if (lastSweepNanos == Long.MIN_VALUE) {
      lastSweepNanos = lastNanos;
    } else if (lastNanos - lastSweepNanos >= SWEEP_NANOS) {
      sweep(lastNanos);
    }
    if (event instanceof ConnectionEvent.Closed c && c.closedFirst() != null) {
      onClosed(c);
    } else if (event instanceof ConnectionEvent.PortReused r) {
      if (r.previousClosedFirst() != null
          && r.timestampNanos() - r.previousLastNanos() < config.timeWaitMillis() * 1_000_000L) {
        FlowId prev = r.previous();
        IpAddress closer = r.previousClosedFirst() == Role.ORIG ? prev.origHost() : prev.respHost();
        HostState h = host(closer, false);
        if (h != null) {
          h.reuses++;
          pendingReuse.put(r.id(), h);
        }
      }
    } else if (event instanceof ConnectionEvent.Established e) {
      HostState h = pendingReuse.remove(e.id());
      if (h != null) h.reusesAccepted++;
    } else if (event instanceof ConnectionEvent.Removed r) {
      HostState h = pendingReuse.remove(r.id());
      if (h != null) h.reusesRejected++;
      if (evidenceWanted.remove(r.id())) {
        evidence.put(r.id(), EvidenceBook.of(r.summary(), "closed first by this host: TIME_WAIT follows"));
      }
    }
  }

  /**
   * Keeps memory and work bounded by what is alive. Hosts are kept in the order of their last
   * close, so the ones whose TIME_WAIT entries have all expired are at the head: each is looked at
   * once, its destinations fold into its past busiest, and it is dropped unless it came near a
   * finding (then it waits, idle, in {@code retired}).
   */
  private void sweep(long now) {
    lastSweepNanos = now;
    long timeWait = config.timeWaitMillis() * 1_000_000L;
    for (java.util.Iterator<Map.Entry<IpAddress, HostState>> hi = hosts.entrySet().iterator(); hi.hasNext(); ) {
      Map.Entry<IpAddress, HostState> e = hi.next();
      HostState h = e.getValue();
      if (h.pile.lastNanos + timeWait > now) {
        break; // every later host closed more recently
      }
      h.pile.expire(now);
      for (Map.Entry<HostPort, Pile> t : h.triples.entrySet()) {
        if (t.getValue().peak > h.pastBusiestPeak) {
          h.pastBusiestPeak = t.getValue().peak;
          h.pastBusiestTriple = t.getKey().toString();
        }
      }
      h.triples.clear();
      hi.remove();
      if (h.pile.peak >= config.minPeak() || h.reuses > 0) {
        retired.put(e.getKey(), h);
      }
    }
  }

  /** The state of a host, from the active ones (marking it as just used) or the retired ones. */
  private HostState host(IpAddress address, boolean create) {
    HostState h = hosts.get(address);
    if (h == null) {
      h = retired.remove(address);
      if (h == null && !create) {
        return null;
      }
      if (h == null) {
        h = new HostState();
      }
      hosts.put(address, h);
    }
    return h;
  }

  private void onClosed(ConnectionEvent.Closed c) {
    addTimeWait(c, c.closedFirst());
    if (c.simultaneous()) {
      addTimeWait(c, c.closedFirst().peer()); // crossed FINs: both sides end in TIME_WAIT
    }
  }

  private void addTimeWait(ConnectionEvent.Closed c, Role closer) {
    FlowId id = c.id();
    boolean clientSide = closer == Role.ORIG;
    IpAddress closerHost = clientSide ? id.origHost() : id.respHost();
    HostState h = host(closerHost, true);
    long end = c.timestampNanos() + config.timeWaitMillis() * 1_000_000L;
    h.pile.add(c.timestampNanos(), end);
    if (clientSide) {
      h.asClient++;
      // The client is this host: its destinations are keyed by the server's ip:port.
      Pile destination = h.triples.get(id.responder());
      if (destination == null) {
        destination = new Pile();
        h.triples.put(id.responder(), destination);
      }
      destination.add(c.timestampNanos(), end);
    } else {
      h.asServer++;
    }
    // Evidence only where a finding is likely: a pile already half way to the threshold.
    if (h.evidenceUids.size() < config.maxEvidence() && h.pile.size() * 2 >= config.minPeak()) {
      h.evidenceUids.add(id);
      evidenceWanted.add(id);
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    Map<IpAddress, HostState> all = new LinkedHashMap<>(retired);
    all.putAll(hosts);
    all.forEach((host, h) -> {
      if (h.pile.peak < config.minPeak()) {
        return;
      }
      String worstTriple = h.pastBusiestTriple;
      long worstPeak = h.pastBusiestPeak;
      for (Map.Entry<HostPort, Pile> t : h.triples.entrySet()) {
        if (worstTriple == null || t.getValue().peak > worstPeak) {
          worstPeak = t.getValue().peak;
          worstTriple = t.getKey().toString();
        }
      }
      boolean worst = worstTriple != null;
      double ratio = worst ? (double) worstPeak / config.rangeSize() : 0;
      Severity severity = ratio >= config.criticalRatio() ? Severity.CRITICAL
          : ratio >= config.highRatio() ? Severity.HIGH : Severity.MEDIUM;
      boolean clientSide = h.asClient >= h.asServer;
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("side", clientSide ? "client" : "server");
      metrics.put("peak_time_wait", h.pile.peak);
      metrics.put("peak_at", dev.synscope.flow.Timestamps.iso(h.pile.peakNanos));
      metrics.put("time_wait_at_end", h.pile.aliveAt(lastNanos));
      metrics.put("closes_first", h.pile.total);
      metrics.put("closes_as_client", h.asClient);
      metrics.put("closes_as_server", h.asServer);
      metrics.put("time_wait_ms", config.timeWaitMillis());
      if (worst) {
        metrics.put("busiest_destination", worstTriple);
        metrics.put("busiest_destination_peak", worstPeak);
        metrics.put("ephemeral_range", config.ephemeralLow() + "-" + config.ephemeralHigh());
        metrics.put("port_range_used_ratio", Math.round(ratio * 1000) / 1000.0);
      }
      metrics.put("reuses_in_time_wait", h.reuses);
      metrics.put("reuses_accepted", h.reusesAccepted);
      metrics.put("reuses_rejected", h.reusesRejected);
      String summary = host + " closed " + h.pile.total + " connection(s) first and held up to " + h.pile.peak
          + " in TIME_WAIT at once (" + h.pile.aliveAt(lastNanos) + " left at the end of the capture)"
          + (worst ? "; toward " + worstTriple + " that is " + Math.round(ratio * 100)
              + "% of the ephemeral port range" : "");
      String explanation = (clientSide
          ? "This host closes its connections first, as a client: each close leaves the 4-tuple in TIME_WAIT for"
              + " 2MSL (" + config.timeWaitMillis() / 1000 + " s on Linux), and a client can have at most the"
              + " ephemeral port range (" + config.rangeSize() + " ports) in use toward one server ip:port, so about "
              + config.rangeSize() * 1000L / config.timeWaitMillis() + " new connections/s per destination exhaust it"
              + " (connect() then fails with EADDRNOTAVAIL or stalls). Reuse connections (HTTP keep-alive,"
              + " connection pools), widen net.ipv4.ip_local_port_range, or let net.ipv4.tcp_tw_reuse=1 reuse"
              + " TIME_WAIT sockets for outgoing connections (it needs TCP timestamps)."
          : "This host closes its connections first, as a server: every such close leaves a TIME_WAIT entry on the"
              + " server for " + config.timeWaitMillis() / 1000 + " s. Memory and the tcp_max_tw_buckets limit are"
              + " the cost; above that limit Linux skips TIME_WAIT (TcpExtTCPTimeWaitOverflow). Prefer letting"
              + " clients close first (HTTP keep-alive, client-initiated close) or reuse connections.")
          + (h.reuses > 0 ? " " + h.reuses + " new SYN(s) reopened a 4-tuple still in TIME_WAIT ("
              + h.reusesAccepted + " accepted, " + h.reusesRejected + " not completed)." : "")
          + " Check on the host: ss -tan state time-wait | wc -l; nstat -az TcpExtTW TcpExtTCPTimeWaitOverflow;"
          + " sysctl net.ipv4.ip_local_port_range net.ipv4.tcp_tw_reuse net.ipv4.tcp_max_tw_buckets.";
      List<Evidence> ev = new ArrayList<>();
      for (FlowId uid : h.evidenceUids) {
        Evidence e = evidence.get(uid);
        if (e != null) ev.add(e);
      }
      out.add(new Finding(ID, severity, host.toString(), h.pile.firstNanos, h.pile.lastNanos, summary, metrics, ev, explanation));
    });
    return out;
  }
}
