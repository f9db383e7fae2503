package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.HostPort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Listener saturation: a listener that answers some SYNs while real clients' SYNs to it go
 * unanswered and are resent by their timers, or whose handshakes stall after completing.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "listener-saturation".
 */
public final class ListenerSaturationDetector implements Detector {
  public static final String ID = "listener-saturation";

  /**
   * @param maxListeners cap of the listener table ({@code max_listeners}; default from the memory
   *     budget at about {@value #LISTENER_BYTES} bytes a listener)
   * @param maxEpisodes episodes kept for the report ({@code max_episodes}; see {@link EpisodeLog})
   */
  public record Config(
      int windowSeconds, int minAffected, double minShare, long minRtoMillis, int quietSeconds, int maxEvidence,
      int maxListeners, double alpha, double lossFloor, int maxEpisodes) implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getInt("window_s", 3), p.getInt("min_affected", 3), p.getDouble("min_share", 0.05),
          p.getLong("min_rto_ms", 200), p.getInt("quiet_s", 10), p.getInt("max_evidence", 5),
          p.cap("max_listeners", LISTENER_BYTES), p.getDouble("alpha", 0.01), p.getDouble("loss_floor", 0.01),
          p.getInt("max_episodes", EpisodeLog.DEFAULT_CAP));
    }
  }

  /** Heap a listener costs with its sliding window, table entries included. */
  static final int LISTENER_BYTES = 512;

  private static final int ATTEMPTS = 0;
  private static final int ANSWERED = 1;
  private static final int RETRIED = 2;
  private static final int REJECTED = 3;
  private static final int KINDS = 4;
  /** What a listener with no history is assumed to retry by loss alone, and that prior's weight. */
  static final double PRIOR_SHARE = 0.05;
  /** How long signs of a full accept queue explain dropped SYNs. */
  static final int QUEUE_WINDOW_S = 10;
  private static final int QUEUE_FULL = 0;
  private static final int HANDSHAKES = 1;
  static final int PRIOR_ATTEMPTS = 50;
  /** Connect latencies kept per episode for the percentiles (the rest are counted). */
  private static final int MAX_LATENCIES = 10_000;
  private static final long SECOND = 1_000_000_000L;

  private final Config config;
  private final BoundedTable<HostPort, Listener> listeners;
  private final EpisodeLog<Episode> episodes;
  /** Listeners in an episode now, which the clock must roll so their episodes can end. */
  private final List<Listener> active = new ArrayList<>();
  private long lastSweepSecond = Long.MIN_VALUE;
  /** Tests against chance made so far (a window with min_affected retried attempts is one). */
  private long testsMade;

  public ListenerSaturationDetector(Config config) {
    this.config = config;
    // A listener with an open episode or stalled connections waiting for the end stays while
    // others can go: evicting it would drop them uncounted (both are bounded: max_stalled overall).
    this.listeners = new BoundedTable<>(ID + ".listeners", config.maxListeners(),
        l -> l.episode != null || !l.stalled.isEmpty());
    this.episodes = new EpisodeLog<>(ID + ".episodes", config.maxEpisodes());
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(listeners.stats(), StateTableStats.refusing(ID + ".stalled", MAX_STALLED, stalledKept, stalledRefused),
        episodes.stats());
  }

  private final class Listener extends BoundedTable.Entry {
    final HostPort endpoint;
    final SlidingCounts counts = new SlidingCounts(config.windowSeconds(), KINDS);
    Episode episode;
    int quietSeconds;
    /** Connections stalled after their handshake (see {@link #stalledAfterHandshake}). */
    final List<Stalled> stalled = new ArrayList<>();
    /** Its attempts and retried attempts over its life, for the share before a window. */
    long attempts;
    long retried;
    /**
     * Over the last {@value #QUEUE_WINDOW_S} s: signs of a full accept queue (a SYN-ACK resent
     * after the 3rd ACK, the 3rd ACK answered by the kernel's RST) and handshakes completed.
     */
    final SlidingCounts queue = new SlidingCounts(QUEUE_WINDOW_S, 2);
    /** Its episodes, open or closed: ended connections find theirs by the time of their SYN. */
    /** This listener's newest episodes, for the connections that end after them. */
    final List<Episode> episodes = new ArrayList<>(1);
    /** In {@code active}. */
    boolean active;

    Listener(HostPort endpoint) {
      this.endpoint = endpoint;
    }
  }

  /** A connection stalled after its handshake: when its 3rd ACK came, and the connection. */
  private record Stalled(long ackNanos, KeptSummary kept) implements java.io.Serializable {
    ConnectionSummary connection() {
      return kept.get();
    }
  }

  /** Stalled connections kept for findings, over all listeners (the rest are counted). */
  private static final int MAX_STALLED = 10_000;
  private int stalledKept;
  private long stalledRefused;

  private final class Episode implements java.io.Serializable {
    final Listener listener;
    final long firstNanos;
    long lastNanos;
    final long[] counts = new long[KINDS];
    long answeredAfterRetry;
    long neverAnswered;
    long synAcksAfterAck;
    long[] latencies = new long[16];
    int latencyCount;
    final List<Evidence> evidence = new ArrayList<>();
    /** The strongest window: its p-value, retried, attempts and the chance rate it was tested at. */
    double pValue = 1;
    /** Whether the listener proved its accept queue full during the episode. */
    boolean proven;
    long bestRetried;
    long bestAttempts;
    double bestChance;

    Episode(Listener listener, long firstNanos, long lastNanos) {
      this.listener = listener;
      this.firstNanos = firstNanos;
      this.lastNanos = lastNanos;
    }

    boolean covers(long nanos) {
      return nanos >= firstNanos && nanos <= lastNanos + config.windowSeconds() * SECOND;
    }

    void latency(long nanos) {
      if (latencyCount == MAX_LATENCIES) {
        return;
      }
      if (latencyCount == latencies.length) {
        latencies = Arrays.copyOf(latencies, latencies.length * 2);
      }
      latencies[latencyCount++] = nanos;
    }
  }

  private Listener listener(FlowId id) {
    HostPort endpoint = id.responder();
    Listener l = listeners.get(endpoint);
    if (l == null) {
      l = new Listener(endpoint);
      listeners.put(endpoint, l);
    }
    return l;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Attempted.class, ConnectionEvent.Established.class, ConnectionEvent.Rejected.class, ConnectionEvent.Removed.class, ConnectionEvent.Reset.class, ConnectionEvent.SynAckSent.class, ConnectionEvent.SynRetransmitted.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    long now = event.timestampNanos();
    sweep(Math.floorDiv(now, SECOND));
    int kind;
    if (event instanceof ConnectionEvent.Attempted) {
      kind = ATTEMPTS;
    } else if (event instanceof ConnectionEvent.SynAckSent s) {
      if (s.count() > 0) {
        if (s.afterHandshakeAck()) {
          Listener l = listener(s.id());
          roll(l, Math.floorDiv(now, SECOND));
          queueSign(l, QUEUE_FULL, now); // the 3rd ACK was dropped: the accept queue may be full
          if (l.episode != null) {
            l.episode.synAcksAfterAck++;
          }
        }
        return;
      }
      kind = ANSWERED;
    } else if (event instanceof ConnectionEvent.SynRetransmitted r) {
      if (r.count() != 1 || r.sinceFirstSynNanos() < config.minRtoMillis() * 1_000_000L) {
        return; // each attempt once, and only a client's timer
      }
      kind = RETRIED;
    } else if (event instanceof ConnectionEvent.Established e) {
      queueSign(listener(e.id()), HANDSHAKES, now);
      return;
    } else if (event instanceof ConnectionEvent.Rejected) {
      kind = REJECTED;
    } else if (event instanceof ConnectionEvent.Reset r) {
      if (AcceptQueueOverflowDetector.kernelAbort(r, AcceptQueueOverflowDetector.DEFAULT_ABORT_MAX_DELAY_MS)) {
        Listener l = listener(r.id());
        roll(l, Math.floorDiv(now, SECOND));
        queueSign(l, QUEUE_FULL, now); // the kernel answered the 3rd ACK with RST
      }
      return;
    } else if (event instanceof ConnectionEvent.Removed r) {
      onRemoved(r.connection());
      return;
    } else {
      return;
    }
    Listener l = listener(event.id());
    roll(l, Math.floorDiv(now, SECOND));
    l.counts.add(kind, now);
    if (kind == ATTEMPTS) {
      l.attempts++;
    } else if (kind == RETRIED) {
      l.retried++;
    }
    if (l.episode != null) {
      l.episode.counts[kind]++;
    }
  }

  /**
   * A connection the server's kernel never had: the handshake completed on the wire (the client
   * ACKed a SYN-ACK, a cookie's typically), the client sent data and resent it, and the server sent
   * nothing after its SYN-ACK. A kernel acknowledges data it receives on any socket within its
   * delayed-ACK time whatever the application does, so silence means it dropped the 3rd ACK and
   * the data: the accept queue was full, and with SYN cookies no SYN-ACK is ever resent to say so
   * (when the server kept the request and resends its SYN-ACK, accept-queue-overflow reports it).
   */
  static boolean stalledAfterHandshake(ConnectionSummary s) {
    return s.handshakeCompleted()
        && s.orig().payloadBytesSeen() > 0
        && s.orig().retransmittedSegments() >= 2
        && s.resp().packets() == 1 // a SYN-ACK resent after the ACK is accept-queue-overflow's drop mode
        && s.resp().firstRst() == null;
  }

  /** An attempt that needed a retry tells how long connect() took, or that it never returned. */
  private void onRemoved(ConnectionSummary s) {
    if (s.synNanos() < 0 || s.selfConnect()) {
      return;
    }
    if (stalledAfterHandshake(s)) {
      Listener l = listener(s.id());
      if (stalledKept < MAX_STALLED) {
        l.stalled.add(new Stalled(s.ackNanos(), new KeptSummary(s)));
        stalledKept++;
      } else {
        stalledRefused++;
      }
      return;
    }
    if (s.orig().synRetransmissions() == 0) {
      return;
    }
    Listener l = listeners.get(s.id().responder());
    if (l == null) {
      return;
    }
    for (int i = 0; i < l.episodes.size(); i++) {
      Episode e = l.episodes.get(i);
      if (!e.covers(s.synNanos())) {
        continue;
      }
      if (s.synAckNanos() >= 0) {
        long latency = s.synAckNanos() - s.synNanos();
        if (latency >= config.minRtoMillis() * 1_000_000L) {
          e.answeredAfterRetry++;
          e.latency(latency);
          evidence(e, s, "answered only after " + s.orig().synRetransmissions() + " SYN retransmission(s)");
        }
      } else if (s.resp().firstRst() == null) {
        e.neverAnswered++;
        evidence(e, s, "never answered: " + (1 + s.orig().synRetransmissions()) + " SYNs");
      }
      return;
    }
  }

  private static void queueSign(Listener l, int kind, long now) {
    long second = Math.floorDiv(now, SECOND);
    if (l.queue.currentSecond() == Long.MIN_VALUE || second >= l.queue.currentSecond()) {
      l.queue.advanceTo(second);
      l.queue.add(kind, now);
    }
  }

  private void evidence(Episode e, ConnectionSummary s, String note) {
    if (e.evidence.size() < config.maxEvidence()) {
      e.evidence.add(EvidenceBook.of(s, note));
    }
  }

  private void roll(Listener l, long second) {
    long current = l.counts.currentSecond();
    if (current != Long.MIN_VALUE && second > current) {
      evaluate(l);
      long gap = second - current - 1;
      if (l.episode != null && gap > 0) {
        l.quietSeconds += (int) Math.min(gap, Integer.MAX_VALUE);
        if (l.quietSeconds >= config.quietSeconds()) {
          l.episode = null;
        }
      }
    }
    l.counts.advanceTo(second);
  }

  private void evaluate(Listener l) {
    SlidingCounts c = l.counts;
    long attempts = Math.max(c.sum(ATTEMPTS), c.sum(RETRIED));
    long retried = c.sum(RETRIED);
    boolean candidate = retried >= config.minAffected()
        && retried >= config.minShare() * attempts
        && c.sum(ANSWERED) > 0 // alive: it answered others meanwhile
        && c.sum(REJECTED) < retried; // a port that RSTs is closed, not full
    double p = 1;
    double chance = 0;
    // Proven: the listener showed its accept queue full in these seconds; then the dropped SYNs
    // need no test against chance, the kernel's own answers explain them.
    // As accept-queue-overflow judges them: min_affected signs, and min_share of the handshakes
    // (one lost 3rd ACK after the tap also makes the server resend its SYN-ACK).
    l.queue.advanceTo(Math.max(l.queue.currentSecond(), c.currentSecond()));
    long signs = l.queue.sum(QUEUE_FULL);
    boolean proven = candidate && signs >= config.minAffected()
        && signs >= config.minShare() * Math.max(signs, l.queue.sum(HANDSHAKES));
    if (attempts > 0) {
      // Every window examined counts against the budget, tested or not: testing only the windows
      // that look bad would select on the data.
      testsMade++;
    }
    if (candidate && !proven) {
      long before = l.attempts - c.sum(ATTEMPTS);
      long retriedBefore = l.retried - retried;
      // The share before the window, pulled toward PRIOR_SHARE as if PRIOR_ATTEMPTS more had
      // been seen: a short history proves little about the listener's normal loss.
      chance = Math.max(config.lossFloor(),
          (Math.max(0, retriedBefore) + PRIOR_SHARE * PRIOR_ATTEMPTS) / (Math.max(0, before) + PRIOR_ATTEMPTS));
      p = Chance.binomialTail(retried, attempts, chance);
    }
    boolean saturated = proven || candidate && p <= Chance.threshold(config.alpha(), testsMade);
    if (saturated) {
      l.quietSeconds = 0;
      if (l.episode == null) {
        l.episode = new Episode(l, c.firstEventNanos(), c.lastEventNanos());
        for (int k = 0; k < KINDS; k++) {
          l.episode.counts[k] = c.sum(k);
        }
        if (!l.active) {
          l.active = true;
          active.add(l);
        }
        if (episodes.add(l.episode)) {
          EpisodeLog.addRecent(l.episodes, l.episode);
        }
      }
      l.episode.lastNanos = Math.max(l.episode.lastNanos, c.lastEventNanos());
      l.episode.proven |= proven;
      if (p < l.episode.pValue || retried > l.episode.bestRetried && l.episode.pValue == 1) {
        l.episode.pValue = p;
        l.episode.bestRetried = retried;
        l.episode.bestAttempts = attempts;
        l.episode.bestChance = chance;
      }
    } else if (l.episode != null && ++l.quietSeconds >= config.quietSeconds()) {
      l.episode = null;
    }
  }

  /** Once per packet-time second, rolls the windows of listeners in an episode so episodes can end. */
  private void sweep(long second) {
    if (second <= lastSweepSecond) {
      return;
    }
    lastSweepSecond = second;
    for (Listener l : active.toArray(new Listener[0])) {
      if (l.episode != null) {
        roll(l, second);
      }
    }
    active.removeIf(l -> {
      if (l.episode == null) {
        l.active = false;
        return true;
      }
      return false;
    });
  }

  @Override
  public void onTime(long packetNanos) {
    sweep(Math.floorDiv(packetNanos, SECOND));
  }

  @Override
  public void onEndOfInput(long lastPacketNanos) {
    for (Listener l : listeners.values()) {
      roll(l, l.counts.currentSecond() + 1);
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    double threshold = Chance.threshold(config.alpha(), testsMade);
    for (Episode e : episodes.kept()) {
      if (e.proven || e.pValue <= threshold) { // opened against fewer tests: must hold against them all
        out.add(finding(e));
      }
    }
    for (Listener l : listeners.values()) {
      stalledFindings(l, out);
    }
    return out;
  }

  private Finding finding(Episode e) {
    String target = e.listener.endpoint.toString();
    long attempts = e.counts[ATTEMPTS];
    long retried = e.counts[RETRIED];
    long[] sorted = Arrays.copyOf(e.latencies, e.latencyCount);
    Arrays.sort(sorted);
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("kind", "syn-drops");
    metrics.put("attempts", attempts);
    metrics.put("attempts_retried", retried);
    metrics.put("retried_share", attempts == 0 ? 0.0 : Math.round(1000.0 * retried / attempts) / 1000.0);
    metrics.put("answered", e.counts[ANSWERED]);
    metrics.put("answered_after_retry", e.answeredAfterRetry);
    metrics.put("never_answered", e.neverAnswered);
    Map<String, Object> latency = new LinkedHashMap<>();
    latency.put("p50", seconds(percentile(sorted, 0.5)));
    latency.put("p90", seconds(percentile(sorted, 0.9)));
    latency.put("max", seconds(sorted.length == 0 ? -1 : sorted[sorted.length - 1]));
    metrics.put("added_connect_latency_s", latency);
    metrics.put("synack_retransmissions_after_ack", e.synAcksAfterAck);
    String cause = e.proven
        ? "accept queue full (proven: SYN-ACKs resent after the 3rd ACK, or the 3rd ACK answered by RST): new SYNs dropped"
        : "SYNs dropped while others were answered: the accept queue full (the usual cause), or the SYN queue full"
            + " without SYN cookies";
    metrics.put("inferred_cause", cause);
    Map<String, Object> significance = new LinkedHashMap<>();
    significance.put("queue_full_proven", e.proven);
    significance.put("retried", e.bestRetried);
    significance.put("attempts", e.bestAttempts);
    significance.put("chance_rate", Math.round(e.bestChance * 1e6) / 1e6);
    significance.put("p_value", e.pValue);
    significance.put("tests_in_run", testsMade);
    significance.put("alpha", config.alpha());
    metrics.put("significance", significance);
    Severity severity = e.neverAnswered > 0 ? Severity.HIGH : Severity.MEDIUM;
    String summary = target + " dropped SYNs while answering others: " + retried + " of " + attempts
        + " attempts needed a SYN retransmission"
        + (e.neverAnswered > 0 ? ", " + e.neverAnswered + " never answered (connect() timed out)" : "")
        + (sorted.length > 0 ? "; connect() took up to " + seconds(sorted[sorted.length - 1]) + " s longer" : "");
    String explanation = "The listener was alive (it answered SYNs in the same seconds) while other clients' SYNs"
        + " went unanswered and their timers resent them (Linux: after 1 s, 3 s, 7 s ...). With the default"
        + " net.ipv4.tcp_abort_on_overflow=0, a full accept queue makes the kernel drop new SYNs"
        + " (tcp_conn_request) and 3rd ACKs without any RST: clients see connect() take seconds longer or fail"
        + " with ETIMEDOUT. A full SYN queue without SYN cookies drops SYNs the same way. Inferred: " + cause + "."
        + " Check on the host: nstat -az TcpExtListenOverflows TcpExtListenDrops TcpExtTCPReqQFullDrop (rising);"
        + " ss -lnt sport = :" + e.listener.endpoint.port() + " (Recv-Q against Send-Q); the listen() backlog and"
        + " net.core.somaxconn; whether the application's accept loop keeps up (blocked threads, GC pauses).";
    return new Finding(ID, severity, target, e.firstNanos, e.lastNanos, summary, metrics, e.evidence,
        explanation);
  }

  /**
   * Stalled connections in clusters (handshakes no more than window_s + quiet_s apart): a cluster
   * of min_affected is a finding. No test against chance: a kernel that had the socket would have
   * acknowledged the data, so each one is proof; min_affected asks that several clients saw it.
   */
  private void stalledFindings(Listener l, List<Finding> out) {
    if (l.stalled.size() < config.minAffected()) {
      return;
    }
    List<Stalled> all = new ArrayList<>(l.stalled);
    all.sort(java.util.Comparator.comparingLong(Stalled::ackNanos));
    long gap = (config.windowSeconds() + config.quietSeconds()) * SECOND;
    int from = 0;
    for (int i = 1; i <= all.size(); i++) {
      if (i == all.size() || all.get(i).ackNanos() - all.get(i - 1).ackNanos() > gap) {
        if (i - from >= config.minAffected()) {
          out.add(stalledFinding(l, all.subList(from, i)));
        }
        from = i;
      }
    }
  }

  private Finding stalledFinding(Listener l, List<Stalled> cluster) {
    String target = l.endpoint.toString();
    long retransmitted = 0;
    long bytes = 0;
    List<Evidence> evidence = new ArrayList<>();
    for (Stalled st : cluster) {
      retransmitted += st.connection().orig().retransmittedSegments();
      bytes += st.connection().orig().payloadBytesSeen();
      if (evidence.size() < config.maxEvidence()) {
        evidence.add(EvidenceBook.of(st.connection(), "handshake completed, data resent "
            + st.connection().orig().retransmittedSegments() + " times, never acknowledged"));
      }
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("kind", "stalled-after-handshake");
    metrics.put("connections_stalled", cluster.size());
    metrics.put("client_segments_retransmitted", retransmitted);
    metrics.put("client_bytes_never_acknowledged", bytes);
    metrics.put("inferred_cause", "accept queue full: the kernel dropped the 3rd ACKs and the data (SYN cookies"
        + " answered the SYNs, so no SYN-ACK was resent)");
    String summary = target + ": " + cluster.size() + " connection(s) completed their handshake but the server never"
        + " acknowledged their data (" + retransmitted + " retransmissions): its kernel had no socket for them";
    String explanation = "Each of these clients ACKed the server's SYN-ACK (connect() returned) and sent data, which it"
        + " resent on its timer, and the server sent nothing after its SYN-ACK. A kernel acknowledges data on any socket"
        + " it has, whatever the application does, so it had none: the 3rd ACK found the accept queue full and was"
        + " dropped (net.ipv4.tcp_abort_on_overflow=0), and with SYN cookies (the SYN queue was full too) nothing"
        + " remembers the connection, so no SYN-ACK is resent either. The clients wait on a connection that does not"
        + " exist until their data retransmissions time out. Check on the host: nstat -az TcpExtListenOverflows"
        + " TcpExtListenDrops TcpExtSyncookiesRecv TcpExtSyncookiesSent; ss -lnt sport = :" + l.endpoint.port()
        + " (Recv-Q against Send-Q); the listen() backlog, net.core.somaxconn, and the accept loop.";
    return new Finding(ID, Severity.HIGH, target, cluster.get(0).ackNanos(), cluster.get(cluster.size() - 1).ackNanos(),
        summary, metrics, evidence, explanation);
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return -1;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  }

  private static Double seconds(long nanos) {
    return nanos < 0 ? null : Math.round(nanos / 1e6) / 1000.0;
  }
}
