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
import java.util.Set;
import java.util.Map;

/**
 * TIME_WAIT pileup on a host that closes connections first, and the ephemeral-port exhaustion
 * risk.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "time-wait-pileup".
 */
public final class TimeWaitPileupDetector implements Detector {
  public static final String ID = "time-wait-pileup";

  /**
   * @param maxHosts hosts with TIME_WAIT entries alive tracked at once ({@code max_hosts}; default
   *     from the memory budget): past it the host that closed least recently is swept early, as if
   *     its entries had expired (one near a finding is kept among the retired, and counted)
   */
  public record Config(
      long timeWaitMillis, int ephemeralLow, int ephemeralHigh, long minPeak, double highRatio,
      double criticalRatio, int maxEvidence, int maxHosts, double lowRatio, double mediumRatio, long maxTwBuckets)
      implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getLong("time_wait_ms", 60_000), p.getInt("ephemeral_low", 32768), p.getInt("ephemeral_high", 60999),
          p.getLong("min_peak", 1000), p.getDouble("high_ratio", 0.5), p.getDouble("critical_ratio", 0.8),
          p.getInt("max_evidence", 5), p.cap("max_hosts", HOST_BYTES), p.getDouble("low_ratio", 0.05),
          p.getDouble("medium_ratio", 0.25), p.getLong("max_tw_buckets", 131_072));
    }

    int rangeSize() {
      return ephemeralHigh - ephemeralLow + 1;
    }
  }

  /**
   * Concurrent TIME_WAIT entries of one key: their end times in order (closes come in packet-time
   * order, so ends do too) in a ring of primitive longs, and the peak.
   */
  private static final class Pile implements java.io.Serializable {
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

  private static final class HostState implements java.io.Serializable {
    final IpAddress address;
    final Pile pile = new Pile();
    /** The place of its latest entry in {@link #recency}. */
    long touched;
    long asClient;
    long asServer;
    long reuses;
    long reusesAccepted;
    long reusesRejected;
    /**
     * Client-side TIME_WAIT per destination, while any is alive. Most hosts close toward one
     * destination: it is kept in two fields, and the map is made for a second one. Ties are
     * broken in its order, the order destinations were met in: a LinkedHashMap's, which a copy
     * restored from a checkpoint keeps (a HashMap's depends on its table's size, which it does not).
     */
    HostPort soleDestination;
    Pile solePile;
    Map<HostPort, Pile> triples;
    /** The busiest destination whose entries have all expired. */
    HostPort pastBusiestTriple;
    long pastBusiestPeak;
    List<FlowId> evidenceUids;

    HostState(IpAddress address) {
      this.address = address;
    }

    Pile destination(HostPort to) {
      if (triples == null) {
        if (soleDestination == null) {
          soleDestination = to;
          solePile = new Pile();
          return solePile;
        }
        if (soleDestination.equals(to)) {
          return solePile;
        }
        triples = new LinkedHashMap<>();
        triples.put(soleDestination, solePile);
        soleDestination = null;
        solePile = null;
      }
      Pile p = triples.get(to);
      if (p == null) {
        p = new Pile();
        triples.put(to, p);
      }
      return p;
    }

    /** Folds the expired destinations into the past busiest one. */
    void forgetDestinations() {
      if (soleDestination != null) {
        foldPast(soleDestination, solePile);
        soleDestination = null;
        solePile = null;
      } else if (triples != null) {
        for (Map.Entry<HostPort, Pile> t : triples.entrySet()) {
          foldPast(t.getKey(), t.getValue());
        }
        triples.clear();
      }
    }

    private void foldPast(HostPort to, Pile p) {
      if (p.peak > pastBusiestPeak) {
        pastBusiestPeak = p.peak;
        pastBusiestTriple = to;
      }
    }
  }

  /**
   * Hosts in the order they were last used, least recent first, as a LinkedHashMap in access
   * order keeps them but without relinking on every use: each use appends (host, number) and a
   * host's entries other than its latest are skipped when reached.
   */
  private static final class Recency implements java.io.Serializable {
    private HostState[] hosts = new HostState[64];
    private long[] numbers = new long[64];
    private int head;
    private int size;
    private long last;

    void touch(HostState h) {
      if (size > 0 && h.touched == last && hosts[(head + size - 1) & (hosts.length - 1)] == h) {
        return; // already the most recent
      }
      if (size == hosts.length) {
        grow();
      }
      int i = (head + size) & (hosts.length - 1);
      hosts[i] = h;
      numbers[i] = ++last;
      h.touched = last;
      size++;
    }

    /** The least recently used host, dropping stale entries on the way, or null. */
    HostState eldest() {
      while (size > 0) {
        HostState h = hosts[head];
        if (h.touched == numbers[head]) {
          return h;
        }
        poll();
      }
      return null;
    }

    /** Removes the head entry. */
    void poll() {
      hosts[head] = null;
      head = (head + 1) & (hosts.length - 1);
      size--;
    }

    /** The hosts from least to most recently used. */
    List<HostState> inOrder() {
      List<HostState> out = new ArrayList<>();
      for (int k = 0; k < size; k++) {
        int i = (head + k) & (hosts.length - 1);
        if (hosts[i].touched == numbers[i]) out.add(hosts[i]);
      }
      return out;
    }

    private void grow() {
      HostState[] h = new HostState[hosts.length * 2];
      long[] n = new long[h.length];
      for (int k = 0; k < size; k++) {
        int i = (head + k) & (hosts.length - 1);
        h[k] = hosts[i];
        n[k] = numbers[i];
      }
      hosts = h;
      numbers = n;
      head = 0;
    }
  }

  private final Config config;
  /** Hosts with TIME_WAIT entries that may be alive, and their order of last use. */
  private final AddressMap<HostState> hosts = new AddressMap<>();
  private final Recency recency = new Recency();
  /** Hosts whose entries all expired but that came near a finding (findings list them in this order). */
  private final Map<IpAddress, HostState> retired = new LinkedHashMap<>();
  /** New connections that reopened a 4-tuple in TIME_WAIT, keyed by uid, to learn if accepted. */
  private final Map<FlowId, HostState> pendingReuse = new HashMap<>();
  private final Map<FlowId, Evidence> evidence = new HashMap<>();
  private final java.util.Set<FlowId> evidenceWanted = new java.util.HashSet<>();
  private long lastNanos = Long.MIN_VALUE;
  private long lastSweepNanos = Long.MIN_VALUE;
  /** How often idle state is pruned, in packet time. */
  private static final long SWEEP_NANOS = 10_000_000_000L;
  /** Heap a host costs with a few TIME_WAIT entries and destinations. */
  static final int HOST_BYTES = 1024;
  private long hostsPeak;
  private long hostsEvicted;
  private long hostsEvictedNearFinding;

  public TimeWaitPileupDetector(Config config) {
    this.config = config;
  }

  @Override
  public String id() {
    return ID;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Closed.class, ConnectionEvent.Established.class, ConnectionEvent.PortReused.class, ConnectionEvent.Removed.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
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
      // isEmpty first, here and below: these are rarely used, and hashing every connection is not free
      HostState h = pendingReuse.isEmpty() ? null : pendingReuse.remove(e.id());
      if (h != null) h.reusesAccepted++;
    } else if (event instanceof ConnectionEvent.Removed r) {
      HostState h = pendingReuse.isEmpty() ? null : pendingReuse.remove(r.id());
      if (h != null) h.reusesRejected++;
      if (!evidenceWanted.isEmpty() && evidenceWanted.remove(r.id())) {
        evidence.put(r.id(), EvidenceBook.of(r.connection(), "closed first by this host: TIME_WAIT follows"));
      }
    }
  }

  /**
   * Keeps memory and work bounded by what is alive. Hosts are kept in the order of their last
   * close, so the ones whose TIME_WAIT entries have all expired are at the head: each is looked at
   * once and dropped unless it came near a finding (then its destinations fold into its past
   * busiest and it waits, idle, in {@code retired}).
   */
  private void sweep(long now) {
    lastSweepNanos = now;
    long timeWait = config.timeWaitMillis() * 1_000_000L;
    for (HostState h = recency.eldest(); h != null; h = recency.eldest()) {
      if (h.pile.lastNanos + timeWait > now) {
        break; // every later host closed more recently
      }
      recency.poll();
      hosts.remove(h.address);
      if (h.pile.peak >= config.minPeak() || h.reuses > 0) {
        h.pile.expire(now);
        h.forgetDestinations();
        retired.put(h.address, h);
      } // else dropped whole: nothing refers to it any more, so its piles need no tidying

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
        h = new HostState(address);
      }
      if (hosts.size() >= config.maxHosts()) {
        evictEldest();
      }
      hosts.put(address, h);
      hostsPeak = Math.max(hostsPeak, hosts.size());
    }
    recency.touch(h);
    return h;
  }

  /** Makes room: the host that closed least recently leaves as a sweep would let it go. */
  private void evictEldest() {
    HostState h = recency.eldest();
    if (h == null) {
      return;
    }
    recency.poll();
    hosts.remove(h.address);
    hostsEvicted++;
    if (h.pile.peak >= config.minPeak() || h.reuses > 0) {
      hostsEvictedNearFinding++; // its live entries are no longer counted: its finding may be low
      h.pile.expire(lastNanos);
      h.forgetDestinations();
      retired.put(h.address, h);
    }
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(new StateTableStats(ID + ".hosts", config.maxHosts(), hostsPeak, hostsEvicted,
        hostsEvictedNearFinding));
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
      h.destination(id.responder()).add(c.timestampNanos(), end);
    } else {
      h.asServer++;
    }
    // Evidence only where a finding is likely: a pile already half way to the threshold.
    if (h.pile.size() * 2 >= config.minPeak()
        && (h.evidenceUids == null || h.evidenceUids.size() < config.maxEvidence())) {
      if (h.evidenceUids == null) h.evidenceUids = new ArrayList<>();
      h.evidenceUids.add(id);
      evidenceWanted.add(id);
    }
  }

  /** The risk: a client's port range toward its busiest destination, a server's TIME_WAIT table. */
  private Severity severity(double portRangeRatio, long peak) {
    Severity client = portRangeRatio >= config.criticalRatio() ? Severity.CRITICAL
        : portRangeRatio >= config.highRatio() ? Severity.HIGH
        : portRangeRatio >= config.mediumRatio() ? Severity.MEDIUM
        : portRangeRatio >= config.lowRatio() ? Severity.LOW : Severity.INFO;
    double buckets = (double) peak / config.maxTwBuckets();
    Severity table = buckets >= 1 ? Severity.HIGH : buckets >= 0.5 ? Severity.MEDIUM
        : buckets >= 0.1 ? Severity.LOW : Severity.INFO;
    return client.compareTo(table) >= 0 ? client : table;
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    Map<IpAddress, HostState> all = new LinkedHashMap<>(retired);
    for (HostState h : recency.inOrder()) {
      all.put(h.address, h);
    }
    all.forEach((host, h) -> {
      if (h.pile.peak < config.minPeak()) {
        return;
      }
      HostPort worstTriple = h.pastBusiestTriple;
      long worstPeak = h.pastBusiestPeak;
      Map<HostPort, Pile> alive = h.triples != null ? h.triples
          : h.soleDestination != null ? Map.of(h.soleDestination, h.solePile) : Map.of();
      for (Map.Entry<HostPort, Pile> t : alive.entrySet()) {
        if (worstTriple == null || t.getValue().peak > worstPeak) {
          worstPeak = t.getValue().peak;
          worstTriple = t.getKey();
        }
      }
      boolean worst = worstTriple != null;
      double ratio = worst ? (double) worstPeak / config.rangeSize() : 0;
      Severity severity = severity(ratio, h.pile.peak);
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
      metrics.put("time_wait_table_ratio", Math.round((double) h.pile.peak / config.maxTwBuckets() * 1000) / 1000.0);
      if (worst) {
        metrics.put("busiest_destination", worstTriple.toString());
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
      for (FlowId uid : h.evidenceUids != null ? h.evidenceUids : List.<FlowId>of()) {
        Evidence e = evidence.get(uid);
        if (e != null) ev.add(e);
      }
      out.add(new Finding(ID, severity, host.toString(), h.pile.firstNanos, h.pile.lastNanos, summary, metrics, ev, explanation));
    });
    return out;
  }
}
