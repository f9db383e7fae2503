package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.HostPort;
import dev.synscope.flow.Role;
import dev.synscope.flow.RstInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Accept-queue (full-connection queue) overflow on a listener: a RST right after the 3rd ACK
 * (abort mode) or the SYN-ACK resent after it (drop mode).
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "accept-queue-overflow".
 */
public final class AcceptQueueOverflowDetector implements Detector {
  public static final String ID = "accept-queue-overflow";

  /**
   * @param maxListeners cap of the listener table ({@code max_listeners}; default from the memory
   *     budget at about {@value #LISTENER_BYTES} bytes a listener)
   * @param maxQueued completed, untouched connections remembered per listener ({@code max_queued};
   *     at most {@value #MAX_TRACKED}, fewer when the budget is small)
   * @param minShare the share of the listener's handshakes in an episode that must be affected
   * @param maxEpisodes episodes kept for the report ({@code max_episodes}; see {@link EpisodeLog})
   */
  public record Config(
      int minConnections, long windowMillis, long abortMaxDelayMillis, int maxEvidence, int maxListeners,
      int maxQueued, double minShare, int maxEpisodes) implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getInt("min_connections", 3), p.getLong("window_ms", 10_000), p.getLong("abort_max_delay_ms", DEFAULT_ABORT_MAX_DELAY_MS),
          p.getInt("max_evidence", 5), p.cap("max_listeners", LISTENER_BYTES),
          Math.min(MAX_TRACKED, p.cap("max_queued", QUEUED_BYTES)), p.getDouble("min_share", 0.05),
          p.getInt("max_episodes", EpisodeLog.DEFAULT_CAP));
    }
  }

  /** Heap a completed connection waiting in a listener's queue costs, with the id it holds. */
  static final int QUEUED_BYTES = 160;

  /** Heap a listener costs with a few queued connections, table entries included. */
  static final int LISTENER_BYTES = 512;

  /** Completed connections remembered per listener (more than any real accept queue holds). */
  private static final int MAX_TRACKED = 65_536;

  private final Config config;
  private final ConnectionQueue.Counters queueCounters = new ConnectionQueue.Counters();
  private final EvidenceIndex evidenceIndex = new EvidenceIndex();
  /** Listeners in an overflow episode stay while idle ones can go. */
  private final BoundedTable<HostPort, Listener> listeners;
  private final List<Finding> findings = new ArrayList<>();

  public AcceptQueueOverflowDetector(Config config) {
    this.config = config;
    this.listeners = new BoundedTable<>(ID + ".listeners", config.maxListeners(), l -> l.episode != null);
    this.closed = new EpisodeLog<>(ID + ".episodes", config.maxEpisodes());
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(listeners.stats(), new StateTableStats(
        ID + ".queued", config.maxQueued(), queueCounters.peak, queueCounters.pushedOut, 0), closed.stats());
  }

  @Override
  public String id() {
    return ID;
  }

  /** Per-listener bookkeeping: completed handshakes and when the server first touched them. */
  private final class Listener extends BoundedTable.Entry {
    /** The listener's address; its text is made only for a finding. */
    final HostPort responder;
    /**
     * Completed connections the server has not touched yet (no data, FIN or RST from it), i.e.
     * waiting in the accept queue as far as the wire shows, with their 3rd ACK time. Bounded.
     */
    final ConnectionQueue completed =
        new ConnectionQueue(AcceptQueueOverflowDetector.this, config.maxQueued(), queueCounters);
    /** Connections seen overflowing (bounded like {@link #completed}). */
    final Set<FlowId> overflowed = java.util.Collections.newSetFromMap(new Newest(config.maxQueued()));
    long rejected;
    /** Handshakes completed on this listener (3rd ACK seen), for the share an episode affected. */
    long handshakes;
    Episode episode;

    Listener(HostPort responder) {
      this.responder = responder;
    }
  }

  private final class Episode implements java.io.Serializable {
    final long firstNanos;
    long lastNanos;
    int abort;
    int drop;
    /** Completed connections still waiting for accept() when the queue was first full. */
    final int queuedAtFull;
    /** The listener's handshakes before the first affected one, and up to the last one. */
    final long handshakesBefore;
    long handshakesThrough;
    final EvidenceBook evidence = new EvidenceBook(config.maxEvidence(), evidenceIndex);

    Episode(long first, int queuedAtFull, long handshakesBefore) {
      this.firstNanos = first;
      this.lastNanos = first;
      this.queuedAtFull = queuedAtFull;
      this.handshakesBefore = handshakesBefore;
    }

    /** Handshakes completed from the first affected connection to the last (they included). */
    long handshakes() {
      return Math.max(abort + drop, handshakesThrough - handshakesBefore);
    }
  }

  private Listener listener(FlowId id) {
    // get-then-put: a method reference to an inner class's constructor allocates on every call
    Listener l = listeners.get(id.responder());
    if (l == null) {
      l = new Listener(id.responder());
      listeners.put(id.responder(), l);
    }
    return l;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Closed.class, ConnectionEvent.DataStarted.class, ConnectionEvent.Established.class, ConnectionEvent.Rejected.class, ConnectionEvent.Removed.class, ConnectionEvent.Reset.class, ConnectionEvent.SynAckSent.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Established e) {
      Listener l = listener(e.id());
      l.completed.put(e.id(), e.timestampNanos());
      l.handshakes++;
    } else if (event instanceof ConnectionEvent.Rejected r) {
      listener(r.id()).rejected++;
    } else if (event instanceof ConnectionEvent.Reset r) {
      onReset(r);
    } else if (event instanceof ConnectionEvent.SynAckSent s) {
      if (s.afterHandshakeAck() && s.count() > 0) {
        Listener l = listener(s.id());
        if (l.overflowed.add(s.id())) {
          overflow(l, s.id(), s.timestampNanos(), false,
              "SYN-ACK retransmitted after the client's 3rd ACK (ACK dropped: queue full)");
        }
      }
    } else if (event instanceof ConnectionEvent.Closed c) {
      serverActed(c.id());
    } else if (event instanceof ConnectionEvent.DataStarted d) {
      if (d.by() == Role.RESP) {
        serverActed(d.id()); // accepted: the server talks
      }
    } else if (event instanceof ConnectionEvent.Removed r) {
      evidenceIndex.onRemoved(r);
    }
    closeStale(event.timestampNanos());
  }

  private void onReset(ConnectionEvent.Reset r) {
    if (r.by() == Role.ORIG) {
      ensureListener(r.id());
      return; // a client's RST does not take a connection out of the accept queue
    }
    if (kernelAbort(r, config.abortMaxDelayMillis())) {
      Listener l = listener(r.id());
      if (l.overflowed.add(r.id())) {
        overflow(l, r.id(), r.timestampNanos(), true,
            "RST without ACK, seq = ISN+1, right after the 3rd ACK; the server sent no data");
      }
    } else {
      serverActed(r.id());
    }
  }

  /**
   * Whether a reset came as the kernel's reply to the 3rd ACK: within {@code abort_max_delay_ms},
   * and, when the handshake's SYN to SYN-ACK time is known, within twice that plus 1 ms. The
   * kernel answers both segments in the same way (in softirq, at once), so seen from any capture
   * point the two delays are one round trip to the server each; a reset tens of milliseconds
   * later than the SYN-ACK took came from somewhere else (an application, a middlebox).
   */
  private static boolean prompt(long ackToRstNanos, long synToSynAckNanos, long abortMaxDelayMillis) {
    if (ackToRstNanos > abortMaxDelayMillis * 1_000_000L) {
      return false;
    }
    return synToSynAckNanos < 0 || ackToRstNanos <= 2 * synToSynAckNanos + KERNEL_REPLY_SLACK_NANOS;
  }

  static final long DEFAULT_ABORT_MAX_DELAY_MS = 1_000;

  /**
   * The kernel's reset of a 3rd ACK on a full accept queue (tcp_abort_on_overflow=1): from the
   * server, no ACK flag, seq = its ISN+1, no data sent, promptly after the ACK.
   */
  static boolean kernelAbort(ConnectionEvent.Reset r, long abortMaxDelayMillis) {
    RstInfo rst = r.rst();
    return r.by() == Role.RESP
        && !rst.withAck()
        && r.handshakeAckNanos() >= 0
        && r.senderPayloadBytes() == 0
        && r.senderIsn() >= 0
        && rst.seq() == ((r.senderIsn() + 1) & 0xffffffffL)
        && prompt(rst.timestampNanos() - r.handshakeAckNanos(), r.synToSynAckNanos(), abortMaxDelayMillis);
  }

  /** Scheduling and timestamping noise on top of the round trip (a loaded server, a busy tap). */
  static final long KERNEL_REPLY_SLACK_NANOS = 1_000_000L;

  /**
   * The server sent data, FIN or RST on a connection: it was accepted (or given up). Only a
   * later overflow can need it, to know it was still queued then; a connection the server has
   * touched can no longer be, so it leaves the queue. Its entry hangs on the connection: no
   * listener lookup is needed to find it.
   */
  private void serverActed(FlowId id) {
    if (!ConnectionQueue.removeFrom(id, this)) {
      listener(id); // as in ensureListener
    }
  }

  /**
   * Creates the listener on its first event of any kind, as findings list open episodes in the
   * order listeners were first seen. A connection seen complete keeps an entry (queued or not):
   * its listener exists and needs no lookup.
   */
  private void ensureListener(FlowId id) {
    if (!ConnectionQueue.knows(id, this)) {
      listener(id);
    }
  }

  private void overflow(Listener l, FlowId id, long now, boolean abort, String note) {
    if (l.episode == null) {
      // The queue was full when this connection's 3rd ACK arrived: count those that completed
      // before it and that the server had not yet touched at that moment.
      ConnectionQueue.Entry acked = l.completed.get(id);
      long fullAt = acked != null ? acked.time() : now;
      int queued = 0;
      for (ConnectionQueue.Entry e = l.completed.first(); e != null; e = e.next()) {
        if (e.time() < fullAt && !l.overflowed.contains(e.id())) {
          queued++;
        }
      }
      // The affected connection's own handshake is among the listener's: it came before.
      l.episode = new Episode(now, queued, l.handshakes - 1);
      withEpisode.add(l);
    }
    Episode e = l.episode;
    e.lastNanos = now;
    e.handshakesThrough = l.handshakes;
    if (abort) e.abort++;
    else e.drop++;
    e.evidence.want(id, note);
  }

  /** A listener's episode that has ended. */
  private record Closed(Listener listener, Episode episode) implements java.io.Serializable {}

  /** The newest {@code cap} connections, in insertion order (a named class: it is serialised). */
  private static final class Newest extends LinkedHashMap<FlowId, Boolean> {
    private final int cap;

    Newest(int cap) {
      this.cap = cap;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<FlowId, Boolean> eldest) {
      return size() > cap;
    }
  }

  private final EpisodeLog<Closed> closed;
  private final Set<Listener> withEpisode = new java.util.LinkedHashSet<>();
  private long lastStaleCheckSecond = Long.MIN_VALUE;

  @Override
  public void onTime(long packetNanos) {
    closeStale(packetNanos);
  }

  /** Once per packet-time second, ends the episodes that saw no overflow for a whole window. */
  private void closeStale(long now) {
    long second = Math.floorDiv(now, 1_000_000_000L);
    if (second == lastStaleCheckSecond) {
      return;
    }
    lastStaleCheckSecond = second;
    long window = config.windowMillis() * 1_000_000L;
    for (java.util.Iterator<Listener> it = withEpisode.iterator(); it.hasNext(); ) {
      Listener l = it.next();
      if (now - l.episode.lastNanos > window) {
        if (l.episode.abort + l.episode.drop >= config.minConnections()) {
          closed.add(new Closed(l, l.episode)); // smaller clusters never make a finding
        }
        l.episode = null;
        it.remove();
      }
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (Closed c : closed.kept()) {
      finding(c.listener(), c.episode(), out);
    }
    for (Listener l : listeners.values()) {
      if (l.episode != null) {
        finding(l, l.episode, out);
      }
    }
    return out;
  }

  private void finding(Listener l, Episode e, List<Finding> out) {
    int affected = e.abort + e.drop;
    double share = (double) affected / e.handshakes();
    if (affected < config.minConnections() || share < config.minShare()) {
      return;
    }
    int queued = e.queuedAtFull;
    String mode = e.abort >= e.drop ? "abort" : "drop";
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("mode", mode);
    metrics.put("connections_affected", affected);
    metrics.put("handshakes_in_episode", e.handshakes());
    metrics.put("share_affected", Math.round(share * 1000) / 1000.0);
    metrics.put("abort_resets", e.abort);
    metrics.put("synack_retransmissions_after_ack", e.drop);
    metrics.put("estimated_accept_queue_length", queued);
    metrics.put("estimated_backlog", Math.max(0, queued - 1));
    metrics.put("rejected_syns", l.rejected);
    String target = l.responder.toString();
    String summary = "Accept queue of " + target + " overflowed: " + affected + " connection(s) "
        + (mode.equals("abort") ? "reset right after the handshake (tcp_abort_on_overflow=1)"
            : "had their 3rd ACK dropped and the SYN-ACK retransmitted (tcp_abort_on_overflow=0)")
        + "; about " + queued + " connection(s) were waiting for accept()";
    String explanation =
        "The listener's accept queue (completed connections waiting for accept(), length min(backlog, somaxconn))"
            + " was full when the client's 3rd ACK arrived, so the kernel could not create the connection."
            + (mode.equals("abort")
                ? " With net.ipv4.tcp_abort_on_overflow=1 it answers with a RST (seq = ISN+1, no ACK flag): the client"
                    + " sees 'Connection reset by peer' on its first read or write although connect() succeeded."
                : " With net.ipv4.tcp_abort_on_overflow=0 (the default) it drops the ACK and retransmits its SYN-ACK"
                    + " (1 s, 3 s, 7 s ...); the client is already ESTABLISHED, its data goes unacknowledged and"
                    + " requests stall.")
            + " " + queued + " completed connection(s) were waiting when the first overflow was seen;"
            + " Linux overflows at backlog+1, so the effective backlog is about "
            + Math.max(0, queued - 1) + "."
            + " Check on the host: nstat -az TcpExtListenOverflows TcpExtListenDrops (rising); ss -lnt sport = :"
            + l.responder.port()
            + " (Recv-Q = queued, Send-Q = backlog); sysctl net.core.somaxconn net.ipv4.tcp_abort_on_overflow;"
            + " the application's listen() backlog and whether its accept loop keeps up (blocked threads, GC pauses)."
            + (l.rejected > 0 ? " Separately, " + l.rejected + " SYN(s) to this listener were refused with RST"
                + " (REJ: nothing listening at that moment), which is not an overflow." : "");
    out.add(new Finding(ID, Severity.HIGH, target, e.firstNanos, e.lastNanos, summary, metrics,
        e.evidence.evidence(), explanation));
  }
}
