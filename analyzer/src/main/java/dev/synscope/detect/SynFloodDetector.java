package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.HostPort;
import dev.synscope.decode.IpAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * SYN flood against a listener (ip:port), or against a host when spread over its ports.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "syn-flood".
 */
public final class SynFloodDetector implements Detector {
  public static final String ID = "syn-flood";

  /**
   * @param maxListeners cap of the listener table ({@code max_listeners}; default from the memory
   *     budget at about {@value #TARGET_BYTES} bytes a target)
   * @param maxHosts cap of the host table ({@code max_hosts}; likewise)
   * @param maxSources distinct sources remembered across all episodes, for their spoofing figures
   *     ({@code max_sources}; from the budget at {@value #SOURCE_BYTES} bytes a source, at most
   *     {@value #MAX_TRACKED_SOURCES}); past it {@code distinct_sources_capped} says so
   * @param minRtoMillis a SYN retransmission counts as a client's (and SYNs as dropped) only this
   *     long after the first SYN ({@code min_rto_ms}; Linux's smallest RTO is 200 ms, its SYN timer 1 s)
   * @param maxEpisodes episodes kept for the report ({@code max_episodes}; see {@link EpisodeLog})
   */
  public record Config(
      int windowSeconds, double minRate, double baselineFactor, double maxCompletion, long minHalfOpen,
      int quietSeconds, int minPorts, int minSources, int maxEvidence, int maxListeners, int maxHosts,
      int maxSources, long minRtoMillis, int maxEpisodes) implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getInt("window_s", 5), p.getDouble("min_rate", 100), p.getDouble("baseline_factor", 10),
          p.getDouble("max_completion", 0.5), p.getLong("min_half_open", 200), p.getInt("quiet_s", 10),
          p.getInt("min_ports", 10), p.getInt("min_sources", 20), p.getInt("max_evidence", 5),
          p.cap("max_listeners", TARGET_BYTES), p.cap("max_hosts", TARGET_BYTES),
          p.cap("max_sources", SOURCE_BYTES, MAX_TRACKED_SOURCES), p.getLong("min_rto_ms", 200),
          p.getInt("max_episodes", EpisodeLog.DEFAULT_CAP));
    }
  }

  /** Heap a target costs with its table entries (its sliding window is most of it). */
  static final int TARGET_BYTES = 512;

  private static final int ATTEMPTS = 0;
  private static final int COMPLETED = 1;
  private static final int SYNACKS = 2;
  private static final int REJECTED = 3;
  private static final int RETRANSMITS = 4;
  /** SYNs repeated sooner than min_rto_ms: a flood tool's duplicates, not a client's timer. */
  private static final int DUPLICATES = 5;
  private static final int KINDS = 6;
  /** Default ceiling of the sources remembered (enough to tell a spoofed flood). */
  static final int MAX_TRACKED_SOURCES = 200_000;
  /** Heap a remembered source costs: map entry, address, counters. */
  static final int SOURCE_BYTES = 128;
  private static final double BASELINE_ALPHA = 0.02;
  /** Windows whose handshakes mostly complete are normal traffic, fit to learn the baseline. */
  private static final double HEALTHY_COMPLETION = 0.8;

  private final Config config;
  /** Targets in an open episode stay while idle ones can go (a scan's millions of listeners). */
  private final BoundedTable<HostPort, Target> listeners;
  private final BoundedTable<IpAddress, Target> hosts;
  /** The last listener found, its responder, and the tables' evictions then ({@link #listener}). */
  private HostPort lastResponder;
  private Target lastListener;
  private long lastEvictions = -1;
  private final EpisodeLog<Episode> episodes;
  /** Targets in an episode now, which the clock must roll so their episodes can end. */
  private final List<Target> active = new ArrayList<>();
  /** Sources remembered by all episodes, and the summaries whose new source found no room. */
  private int sourcesTracked;
  private long sourcesRefused;
  private long lastSweepSecond = Long.MIN_VALUE;

  public SynFloodDetector(Config config) {
    this.config = config;
    this.listeners = new BoundedTable<>(ID + ".listeners", config.maxListeners(), t -> t.episode != null);
    this.hosts = new BoundedTable<>(ID + ".hosts", config.maxHosts(), t -> t.episode != null);
    this.episodes = new EpisodeLog<>(ID + ".episodes", config.maxEpisodes());
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(listeners.stats(), hosts.stats(),
        StateTableStats.refusing(ID + ".sources", config.maxSources(), sourcesTracked, sourcesRefused),
        episodes.stats());
  }

  @Override
  public String id() {
    return ID;
  }

  private final class Target extends BoundedTable.Entry {
    /** The HostPort of a listener or the IpAddress of a host: its name, made when reported. */
    final Object key;
    private String name;
    final boolean host;
    /** Listener targets: the target of their host (made anew if the host table evicted it). */
    Target hostTarget;
    /** The host table's evictions when {@link #hostTarget} was last found in it. */
    long hostCheckedAt;
    final SlidingCounts counts = new SlidingCounts(config.windowSeconds(), KINDS);
    double baseline;
    Episode episode;
    /** This target's newest episodes, for the connections that end after them. */
    final List<Episode> episodes = new ArrayList<>();
    /** In {@code active}. */
    boolean active;
    long quietSeconds;
    /** Host targets: the last second each port saw an attempt (bounded). */
    final PortSeconds portLastSecond;

    Target(Object key, boolean host, Target hostTarget) {
      this.key = key;
      this.host = host;
      this.hostTarget = hostTarget;
      this.portLastSecond = host ? new PortSeconds() : null;
    }

    /** "10.0.0.1:80" for a listener, "10.0.0.1" for a host. */
    String name() {
      if (name == null) {
        name = key.toString();
      }
      return name;
    }
  }

  /**
   * An alarm episode: its span comes from the sliding windows; who took part (sources, TTLs,
   * completion) from the summaries of the connections that started inside it.
   */
  private final class Episode implements java.io.Serializable {
    final Target target;
    final long firstNanos;
    long lastNanos;
    double peakRate;
    /** Counted from events as they come (so a finding streamed mid-run has its numbers). */
    final long[] counts = new long[KINDS];
    /** Connections that started inside the episode and have ended: their sources and TTLs. */
    long summarized;
    final Map<IpAddress, int[]> sources = new HashMap<>();
    boolean sourcesTruncated;
    int minTtl = 256;
    int maxTtl = -1;
    /** The ports of those connections, and how many. */
    final BitSet ports = new BitSet();
    int portCount;
    final List<Evidence> evidence = new ArrayList<>();

    Episode(Target target, long first, long last) {
      this.target = target;
      this.firstNanos = first;
      this.lastNanos = last;
    }

    boolean covers(long nanos) {
      return nanos >= firstNanos && nanos <= lastNanos;
    }

    void add(ConnectionSummary s) {
      summarized++;
      int ttl = s.orig().syn().ttl();
      minTtl = Math.min(minTtl, ttl);
      maxTtl = Math.max(maxTtl, ttl);
      int port = s.id().respPort();
      if (portCount < 100_000 && !ports.get(port)) {
        ports.set(port);
        portCount++;
      }
      int[] n = sources.get(s.id().origHost());
      if (n == null) {
        if (sourcesTracked < config.maxSources()) {
          sources.put(s.id().origHost(), new int[] {1, s.orig().synRetransmissions()});
          sourcesTracked++;
        } else {
          sourcesTruncated = true;
          sourcesRefused++;
        }
      } else {
        n[0]++;
        n[1] += s.orig().synRetransmissions();
      }
      if (!s.handshakeCompleted() && evidence.size() < config.maxEvidence()) {
        evidence.add(EvidenceBook.of(s, "attempt during the flood that never completed"));
      }
    }
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.AnsweredUnseen.class, ConnectionEvent.Attempted.class, ConnectionEvent.Established.class, ConnectionEvent.Rejected.class, ConnectionEvent.Removed.class, ConnectionEvent.SynAckSent.class, ConnectionEvent.SynRetransmitted.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    long now = event.timestampNanos();
    long second = Math.floorDiv(now, 1_000_000_000L);
    sweep(second);
    if (event instanceof ConnectionEvent.Removed r) {
      onRemoved(r.connection());
      return;
    }
    int kind;
    if (event instanceof ConnectionEvent.AnsweredUnseen a) {
      // One-sided capture: the client ACKed a SYN-ACK the capture does not hold. The SYN was
      // answered and the handshake done: what the visible side proves counts as both.
      Target listener = listener(a.id());
      count(listener, second, SYNACKS, now, a.id());
      count(listener.hostTarget, second, SYNACKS, now, a.id());
      count(listener, second, COMPLETED, now, a.id());
      count(listener.hostTarget, second, COMPLETED, now, a.id());
      return;
    } else if (event instanceof ConnectionEvent.Attempted) {
      kind = ATTEMPTS;
    } else if (event instanceof ConnectionEvent.Established) {
      kind = COMPLETED;
    } else if (event instanceof ConnectionEvent.SynAckSent s && s.count() == 0) {
      kind = SYNACKS;
    } else if (event instanceof ConnectionEvent.Rejected) {
      kind = REJECTED;
    } else if (event instanceof ConnectionEvent.SynRetransmitted r) {
      boolean early = r.sinceFirstSynNanos() >= 0 && r.sinceFirstSynNanos() < config.minRtoMillis() * 1_000_000L;
      kind = early ? DUPLICATES : RETRANSMITS; // a duplicate milliseconds later is no client's timer
    } else {
      return;
    }
    FlowId id = event.id();
    Target listener = listener(id);
    count(listener, second, kind, now, id);
    count(listener.hostTarget, second, kind, now, id);
  }

  /**
   * The listener target of a connection (made with its host target on first use). Looked up by
   * value on each event, not kept on the connection: a scan's millions of connections would
   * otherwise keep every target they ever named alive, whatever the table's cap. A flood's events
   * name one listener over and over: the last one found is checked first, by identity (the flow
   * table hands out one HostPort per recent responder), while nothing has been evicted since.
   */
  private Target listener(FlowId id) {
    HostPort responder = id.responder();
    long evictions = listeners.evictions() + hosts.evictions();
    if (responder == lastResponder && evictions == lastEvictions) {
      return lastListener;
    }
    Target listener = listeners.get(responder);
    // Its host target is still the table's when the host table has evicted nothing since it was
    // checked: one lookup per event, not two.
    if (listener == null
        || (listener.hostCheckedAt != hosts.evictions() && hosts.get(id.respHost()) != listener.hostTarget)) {
      Target host = hosts.get(id.respHost());
      if (host == null) {
        host = new Target(id.respHost(), true, null);
        hosts.put(id.respHost(), host);
      }
      if (listener == null) {
        listener = new Target(responder, false, host);
        listeners.put(responder, listener);
      } else {
        listener.hostTarget = host; // its host target was evicted and has been made anew
      }
    }
    listener.hostCheckedAt = hosts.evictions();
    lastResponder = responder;
    lastListener = listener;
    lastEvictions = listeners.evictions() + hosts.evictions();
    return listener;
  }

  /** A connection that started inside an episode tells who took part: sources, TTLs. */
  private void onRemoved(ConnectionSummary s) {
    // A SYN time means orig's SYN is kept (syn() is not null); syn() makes a value, so it is
    // read only for connections inside an episode.
    if (s.synNanos() < 0 || s.selfConnect()) {
      return;
    }
    Target listener = listeners.get(s.id().responder());
    addToEpisodes(listener, s);
    // Without a listener target the host may still have one, made by its other listeners.
    addToEpisodes(listener != null ? listener.hostTarget : hosts.get(s.id().respHost()), s);
  }

  private static void addToEpisodes(Target t, ConnectionSummary s) {
    if (t == null) {
      return;
    }
    for (int i = 0; i < t.episodes.size(); i++) { // indexed: no iterator per ended connection
      Episode e = t.episodes.get(i);
      if (e.covers(s.synNanos())) {
        e.add(s);
      }
    }
  }

  private void count(Target t, long second, int kind, long now, FlowId id) {
    roll(t, second);
    t.counts.add(kind, now);
    if (t.episode != null) {
      t.episode.counts[kind]++;
    }
    if (t.host && kind == ATTEMPTS && (t.portLastSecond.size() < 100_000 || t.portLastSecond.contains(id.respPort()))) {
      t.portLastSecond.put(id.respPort(), second);
    }
  }

  /** Judges the window that ends with the target's current second, then moves to {@code second}. */
  private void roll(Target t, long second) {
    long current = t.counts.currentSecond();
    if (current != Long.MIN_VALUE && second > current) {
      evaluate(t);
      // Seconds without any event: once the window has slid past the last burst, each of them
      // is a quiet window (ending the episode after quiet_s) and an idle second for the baseline.
      long gap = second - current - 1;
      long emptyWindows = Math.max(0, gap - (config.windowSeconds() - 1));
      if (emptyWindows > 0) {
        if (t.episode != null) {
          t.quietSeconds += emptyWindows;
          if (t.quietSeconds >= config.quietSeconds()) {
            t.episode = null;
          }
        }
        if (t.episode == null) {
          t.baseline *= Math.pow(1 - BASELINE_ALPHA, Math.min(emptyWindows, 1000));
        }
      }
    }
    t.counts.advanceTo(second);
  }

  private void evaluate(Target t) {
    SlidingCounts c = t.counts;
    double window = config.windowSeconds();
    long attempts = c.sum(ATTEMPTS);
    long completed = c.sum(COMPLETED);
    // The rate is the window's average or its newest second's, whichever is higher: a burst of
    // thousands of SYNs in one second (or a capture that lasts a fraction of one) is judged by
    // its own rate, not diluted over window_s seconds of silence.
    double average = attempts / window;
    double rate = Math.max(average, c.newest(ATTEMPTS));
    double completion = attempts == 0 ? 1.0 : (double) completed / attempts;
    long halfOpen = Math.max(0, attempts - completed);
    int ports = 0;
    if (t.host) {
      long oldest = c.currentSecond() - config.windowSeconds() + 1;
      ports = t.portLastSecond.pruneAndCount(oldest - 60, oldest);
    }
    boolean alarming = rate >= config.minRate()
        && rate >= config.baselineFactor() * t.baseline
        && completion <= config.maxCompletion()
        && halfOpen >= config.minHalfOpen()
        && (!t.host || ports >= config.minPorts());
    if (alarming) {
      t.quietSeconds = 0;
      if (t.episode == null) {
        // The seconds that raised the alarm belong to it: the whole window when its average did,
        // else the run of seconds at min_rate that ends with the newest (a short burst).
        int back = config.windowSeconds() - 1;
        if (average < config.minRate()) {
          back = 0;
          while (back + 1 < config.windowSeconds() && c.at(back + 1, ATTEMPTS) >= config.minRate()) {
            back++;
          }
        }
        long first = Long.MAX_VALUE;
        for (int b = 0; b <= back; b++) {
          first = Math.min(first, c.firstEventNanos(b));
        }
        t.episode = new Episode(t, first, c.lastEventNanos());
        for (int k = 0; k < KINDS; k++) {
          for (int b = 0; b <= back; b++) {
            t.episode.counts[k] += c.at(b, k);
          }
        }
        if (!t.active) {
          t.active = true;
          active.add(t);
        }
        if (episodes.add(t.episode)) {
          EpisodeLog.addRecent(t.episodes, t.episode);
        }
      }
      t.episode.lastNanos = Math.max(t.episode.lastNanos, c.lastEventNanos());
      t.episode.peakRate = Math.max(t.episode.peakRate, rate);
    } else {
      if (t.episode != null) {
        t.quietSeconds++;
        if (t.quietSeconds >= config.quietSeconds()) {
          t.episode = null;
        }
      }
      if (t.episode == null && completion >= HEALTHY_COMPLETION) {
        // Learn the normal rate from healthy traffic only (an EWMA of SYNs per second), so a
        // flood cannot raise its own bar; idle seconds count as zero.
        t.baseline += BASELINE_ALPHA * (c.newest(ATTEMPTS) - t.baseline);
      }
    }
  }

  /** Once per packet-time second, rolls the windows of targets in an episode so episodes can end. */
  private void sweep(long second) {
    if (second <= lastSweepSecond) {
      return;
    }
    lastSweepSecond = second;
    // Indexed over a snapshot: a roll may end an episode (and the target leaves the list).
    Target[] now = active.toArray(new Target[0]);
    for (Target t : now) {
      if (t.episode != null) {
        roll(t, second);
      }
    }
    active.removeIf(t -> {
      if (t.episode == null) {
        t.active = false;
        return true;
      }
      return false;
    });
  }

  @Override
  public void onTime(long packetNanos) {
    sweep(Math.floorDiv(packetNanos, 1_000_000_000L));
  }

  @Override
  public void onEndOfInput(long lastPacketNanos) {
    // Judge the last, unfinished second of every target, as if the next second had begun.
    for (Target t : listeners.values()) {
      roll(t, t.counts.currentSecond() + 1);
    }
    for (Target t : hosts.values()) {
      roll(t, t.counts.currentSecond() + 1);
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    List<Episode> listenerEpisodes = episodes.kept().stream().filter(e -> !e.target.host).toList();
    for (Episode e : episodes.kept()) {
      if (e.target.host) {
        boolean coveredByListener = listenerEpisodes.stream().anyMatch(l ->
            l.target.name().startsWith(hostPrefix(e.target.name())) && l.firstNanos <= e.lastNanos && e.firstNanos <= l.lastNanos);
        if (coveredByListener || e.sources.size() < config.minSources()) {
          continue; // the listener finding says it, or too few sources: a scan, not a flood
        }
      }
      out.add(finding(e));
    }
    return out;
  }

  private static String hostPrefix(String host) {
    return host.contains(":") ? "[" + host + "]:" : host + ":";
  }

  private Finding finding(Episode e) {
    long oneSyn = 0;
    for (int[] n : e.sources.values()) {
      if (n[0] == 1 && n[1] == 0) oneSyn++;
    }
    int distinct = e.sources.size();
    long attempts = e.counts[ATTEMPTS];
    long completed = e.counts[COMPLETED];
    long synAcks = e.counts[SYNACKS];
    long retransmits = e.counts[RETRANSMITS];
    double completion = attempts == 0 ? 0 : (double) completed / attempts;
    double synAckRatio = attempts == 0 ? 0 : (double) synAcks / attempts;
    double oneSynShare = distinct == 0 ? 0 : (double) oneSyn / distinct;
    boolean spoofedLikely = oneSynShare >= 0.8 && distinct >= Math.min(100, e.summarized / 2);
    String response;
    if (synAckRatio >= 0.9) {
      response = "answered";
    } else if (retransmits > 0) {
      response = "syn-drops";
    } else {
      response = "unanswered";
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("attempts", attempts);
    metrics.put("completed", completed);
    metrics.put("completion_ratio", round(completion));
    metrics.put("synacks", synAcks);
    metrics.put("synack_ratio", round(synAckRatio));
    metrics.put("rejected", e.counts[REJECTED]);
    metrics.put("syn_retransmissions", retransmits);
    metrics.put("syn_duplicates", e.counts[DUPLICATES]);
    metrics.put("peak_rate_per_s", round(e.peakRate));
    metrics.put("duration_s", round((e.lastNanos - e.firstNanos) / 1e9));
    metrics.put("connections_ended", e.summarized);
    metrics.put("distinct_sources", distinct);
    metrics.put("distinct_sources_capped", e.sourcesTruncated);
    metrics.put("one_syn_source_share", round(oneSynShare));
    metrics.put("ttl_min", e.maxTtl < 0 ? null : e.minTtl);
    metrics.put("ttl_max", e.maxTtl < 0 ? null : e.maxTtl);
    metrics.put("ports", e.portCount);
    metrics.put("spoofing_likely", spoofedLikely);
    metrics.put("server_response", response);
    String what = e.target.host ? "host " + e.target.name() + " (" + e.portCount + " ports)" : e.target.name();
    String summary = "SYN flood against " + what + ": " + attempts + " attempts at up to "
        + Math.round(e.peakRate) + "/s, " + Math.round(completion * 100) + "% completed"
        + (spoofedLikely ? ", sources look spoofed" : "")
        + switch (response) {
          case "answered" -> "; the server answered nearly every SYN (SYN cookies likely)";
          case "syn-drops" -> "; legitimate clients had to retransmit SYNs (SYNs dropped)";
          default -> "; most SYNs went unanswered";
        };
    String explanation =
        "Many SYNs arrived and most handshakes never completed, so the listener's SYN (half-open) queue filled with"
            + " entries in SYN_RECV. " + switch (response) {
              case "answered" -> "The server still answered nearly every SYN: once the SYN queue is full Linux with"
                  + " net.ipv4.tcp_syncookies=1 switches to SYN cookies (no state kept; see the syn-cookies finding), so"
                  + " legitimate clients can still connect, without window scaling or SACK when they did not offer"
                  + " timestamps. ";
              case "syn-drops" -> "SYNs were dropped (clients retransmitted " + retransmits + " SYNs): with"
                  + " net.ipv4.tcp_syncookies=0, or when the accept queue is also full, Linux drops SYNs once the queue"
                  + " is full and legitimate connect() calls stall for 1, 3, 7 ... seconds. Enable"
                  + " net.ipv4.tcp_syncookies=1. ";
              default -> "Most SYNs got no answer at all in this capture: the server dropped them, or the capture"
                  + " misses the reply direction (check that both directions are captured). ";
            }
            + (spoofedLikely ? "Most sources sent exactly one SYN and never retransmitted, which real TCP stacks do not"
                + " do: the sources are probably spoofed, so blocking them by address will not help; rate-limit SYNs"
                + " or filter upstream. " : "")
            + "Check on the host: nstat -az TcpExtSyncookiesSent TcpExtListenDrops TcpExtTCPReqQFullDrop"
            + " TcpExtTCPReqQFullDoCookies; ss -n state syn-recv | wc -l; sysctl net.ipv4.tcp_syncookies"
            + " net.ipv4.tcp_max_syn_backlog net.core.somaxconn; the application's listen() backlog; dmesg for"
            + " 'Possible SYN flooding on port'.";
    Severity severity = response.equals("syn-drops") ? Severity.CRITICAL : Severity.HIGH;
    return new Finding(ID, severity, e.target.name(), e.firstNanos, e.lastNanos, summary, metrics,
        List.copyOf(e.evidence), explanation);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /**
   * The last second each port saw an attempt: an open-addressing table of primitives, so
   * counting an attempt neither boxes nor allocates. Rebuilt when old ports are pruned.
   */
  static final class PortSeconds implements java.io.Serializable {
    /** Port + 1 per slot; 0 marks a free slot. */
    private int[] keys = new int[16];
    private long[] seconds = new long[16];
    private int size;

    int size() {
      return size;
    }

    boolean contains(int port) {
      return keys[slot(port)] != 0;
    }

    void put(int port, long second) {
      int i = slot(port);
      if (keys[i] == 0) {
        keys[i] = port + 1;
        size++;
      }
      seconds[i] = second;
      if (size * 2 > keys.length) {
        rebuild(keys.length * 2, Long.MIN_VALUE);
      }
    }

    /** Forgets the ports last seen before {@code dropBefore}; counts those seen since {@code since}. */
    int pruneAndCount(long dropBefore, long since) {
      int count = 0;
      boolean drop = false;
      for (int i = 0; i < keys.length; i++) {
        if (keys[i] != 0) {
          drop |= seconds[i] < dropBefore;
          if (seconds[i] >= since) count++;
        }
      }
      if (drop) {
        rebuild(keys.length, dropBefore);
      }
      return count;
    }

    /** The slot holding {@code port}, or the free slot where it belongs (linear probing). */
    private int slot(int port) {
      int mask = keys.length - 1;
      int i = (port * 0x9E3779B1 >>> 16) & mask;
      while (keys[i] != 0 && keys[i] != port + 1) {
        i = (i + 1) & mask;
      }
      return i;
    }

    /** Re-inserts the ports seen at or after {@code keepFrom} into a table of {@code capacity} slots. */
    private void rebuild(int capacity, long keepFrom) {
      int[] oldKeys = keys;
      long[] oldSeconds = seconds;
      keys = new int[capacity];
      seconds = new long[capacity];
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldKeys[i] != 0 && oldSeconds[i] >= keepFrom) {
          int j = slot(oldKeys[i] - 1);
          keys[j] = oldKeys[i];
          seconds[j] = oldSeconds[i];
          size++;
        }
      }
    }
  }
}
