package dev.synscope.detect;

import dev.synscope.decode.IpAddress;
import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.HostPort;
import dev.synscope.flow.Role;
import dev.synscope.flow.SynInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.ArrayDeque;

/**
 * SYN cookies: time windows in which a listener answered SYNs with stateless cookie SYN-ACKs,
 * decided by significance tests against each test's chance rate ({@link Chance}).
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "syn-cookies".
 */
public final class SynCookiesDetector implements Detector {
  public static final String ID = "syn-cookies";

  /**
   * @param maxListeners cap of the listener table ({@code max_listeners}; default from the memory
   *     budget at about {@value #LISTENER_BYTES} bytes a listener)
   * @param maxServers cap of the per-server residue maps ({@code max_servers}; likewise)
   * @param maxPending SYN-ACKs awaiting their T3/T5 verdicts at once ({@code max_pending}; default
   *     from the budget at about {@value #PENDING_BYTES} bytes each): a flood answered at 100 000
   *     SYN-ACKs/s would hold 350 000 for the 3.5 s wait; past the cap the oldest is decided early,
   *     without its T5 verdict, and counted
   * @param maxEpisodes cookie windows kept for the report ({@code max_episodes}; see {@link EpisodeLog})
   */
  public record Config(
      int windowSeconds, double alpha, int minT5, int mergeGapSeconds,
      long t5WaitMillis, int minProfile, int minFreeBsdSamples, int maxEvidence, int maxListeners, int maxServers,
      int maxPending, int maxPairs, int maxEpisodes) implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getInt("window_s", 5), p.getDouble("alpha", 0.01),
          p.getInt("min_t5", 10), p.getInt("merge_gap_s", 2), p.getLong("t5_wait_ms", 3_500),
          p.getInt("min_profile", 3), p.getInt("min_freebsd_samples", 5), p.getInt("max_evidence", 5),
          p.cap("max_listeners", LISTENER_BYTES), p.cap("max_servers", LISTENER_BYTES),
          p.cap("max_pending", PENDING_BYTES), p.cap("max_pairs", PAIR_BYTES, MAX_PAIRS),
          p.getInt("max_episodes", EpisodeLog.DEFAULT_CAP));
    }
  }

  /** Heap a SYN-ACK awaiting its verdict costs, with the connection's id it holds. */
  static final int PENDING_BYTES = 160;

  /** Heap a listener costs while active (its ring of per-second counters), table entries included. */
  static final int LISTENER_BYTES = 1024;

  // Per-second counters of a listener.
  private static final int SYNACKS = 0;
  private static final int TESTED = 1;
  private static final int JUDGED = 2;
  private static final int COUNTER = 3;
  private static final int T1 = 4;
  private static final int T1_TESTED = 5;
  private static final int T2 = 6;
  private static final int T2_TESTED = 7;
  private static final int T3 = 8;
  private static final int T3_TESTED = 9;
  private static final int T4 = 10;
  private static final int T4_TESTED = 11;
  private static final int T5 = 12;
  // Trials for the tests against chance: T1 and T2 once per distinct TSval (see freshTsVal).
  private static final int T1_TRIALS = 13;
  private static final int T1_PASSED = 14;
  private static final int T2_TRIALS = 15;
  private static final int T2_PASSED = 16;
  /** Sum over T2 trials of the residues that would have passed (the chance rate times 64). */
  private static final int T2_CHANCE64 = 17;
  private static final int KINDS = 18;
  /** Chance rates: the share of benign SYN-ACKs that pass each test. */
  static final double T1_CHANCE = 1 / 64.0;
  /** A normal SYN-ACK's next TSval lags by 4-70 ms only with a coarse clock or a stall. */
  static final double T3_CHANCE = 1 / 32.0;
  /** A listener that returns options strips them by chance only behind an inconsistent middlebox. */
  static final double T4_CHANCE = 1 / 8.0;
  /** A cookie TSval lags the clock by 0-63 ms; below 4 ms it cannot be told from a normal one. */
  private static final double T3_MIN_LAG_MS = 4;
  private static final double T3_MAX_LAG_MS = 70;
  private static final int T5_OVER_COUNTER = 5;
  private static final long SECOND = 1_000_000_000L;
  /** Default ceiling of the address pairs whose residues are counted (T2). */
  static final int MAX_PAIRS = 50_000;
  /** Heap an address pair's residue counts cost with their map entry. */
  static final int PAIR_BYTES = 160;
  private static final int[] FREEBSD_MSS = {216, 536, 1200, 1360, 1400, 1440, 1452, 1460};
  private static final int[] FREEBSD_WSCALE = {0, 0, 1, 2, 4, 6, 7, 8};

  private final Config config;
  private final EvidenceIndex evidenceIndex = new EvidenceIndex();
  /** Seconds a verdict may take: T5 waits t5_wait; the server's next segment comes sooner. */
  private final int lagSeconds;
  // Per-connection state lives on the FlowId (a field read, no hashing). The keys belong to
  // this instance, not to the class: two instances fed the same events must not share state.
  /** When the connection's client last retransmitted its SYN. */
  private final ConnectionAttribute<Long> lastSynRetransmit = ConnectionAttribute.create("syn-cookies.last-syn-rtx");
  /** The connection's SYN-ACK whose T3/T5 verdicts are still open. */
  private final ConnectionAttribute<Pending> pending = ConnectionAttribute.create("syn-cookies.pending");
  /** The open SYN-ACKs in time order. */
  private final ArrayDeque<Pending> pendingByTime = new ArrayDeque<>();
  private long pendingPeak;
  /** SYN-ACKs decided before their wait was over because {@code max_pending} were waiting. */
  private long pendingDecidedEarly;
  /** Listeners with an open window stay while idle ones can go. */
  private final BoundedTable<HostPort, Listener> listeners;
  /**
   * Per (server ip, client ip): how often each (TSval - options) mod 64 residue was seen. Linux
   * offsets timestamps per address pair on some kernels. Keyed by server, then client, so a
   * lookup allocates no pair key; each listener holds its server's map.
   */
  private final BoundedTable<IpAddress, AddressMap<Residues>> pairResidues;
  private int pairs;
  private long pairsRefused;
  private final EpisodeLog<Window> windows;
  /** Listeners with counters in their ring or an open window: the only ones decided each second. */
  private final java.util.Set<Listener> active = new java.util.LinkedHashSet<>();
  private long lastDecidedSecond = Long.MIN_VALUE;
  /** Scratch for a window's summed counters in {@link #decide}. */
  private final long[] windowSum = new long[KINDS];
  /** Tests against chance made so far in the run (one per listener, second and test with trials). */
  private long testsMade;

  public SynCookiesDetector(Config config) {
    this.config = config;
    this.listeners = new BoundedTable<>(ID + ".listeners", config.maxListeners(), l -> l.open != null);
    this.pairResidues = new BoundedTable<>(ID + ".servers", config.maxServers(), m -> false);
    this.lagSeconds = (int) Math.ceil(config.t5WaitMillis() / 1000.0) + 2;
    this.windows = new EpisodeLog<>(ID + ".episodes", config.maxEpisodes());
  }

  @Override
  public String id() {
    return ID;
  }

  /** One SYN-ACK waiting for its T3 (server's next TSval) and T5 (no retransmission) verdicts. */
  private static final class Pending implements java.io.Serializable {
    final FlowId uid;
    final Listener listener;
    final long synAckNanos;
    final long tsVal;
    boolean tested;
    boolean strong;
    boolean completed;
    boolean repeated;
    boolean reset;
    boolean t3Done;
    /**
     * The connection's open SYN-ACK is this one or a later one, reached through {@link #later}.
     * Finishing any of them ends the connection's open SYN-ACK, whichever it is: that marks this
     * chain void instead of clearing the attribute, so finishing (seconds later, the connection
     * long out of the caches) need not visit the connection's id.
     */
    boolean voided;
    Pending later;

    Pending(FlowId uid, Listener listener, long synAckNanos, long tsVal) {
      this.uid = uid;
      this.listener = listener;
      this.synAckNanos = synAckNanos;
      this.tsVal = tsVal;
    }
  }

  private final class Listener extends BoundedTable.Entry {
    /** The listener's address and port: its name is made only when a finding reports it. */
    final HostPort endpoint;
    /** Residues by client address, shared by the listeners of one server address. */
    final AddressMap<Residues> residuesByClient;
    /** The last seconds' counters, indexed by second modulo the ring size; null while idle. */
    long[][] ring;
    long[] ringSecond;
    long lastTouchedSecond = Long.MIN_VALUE;
    long totalSynAcks;
    long profileReturnsOptions;
    long retransmitsOwnSynAcks;
    long freeBsdTestable;
    long freeBsdMatches;
    /** SYN-ACKs T4 could judge over the listener's life, and those stripped to MSS. */
    long t4Tested;
    long t4Stripped;
    Window open;
    long lastCookieSecond = Long.MIN_VALUE;
    /** uids of SYN-ACKs judged cookies, per ring slot (a few per second, for evidence). */
    List<FlowId>[] judgedUids;
    /** The last TSvals tested: a repeat is the same draw of the server's clock, not a new trial. */
    private final long[] recentTsVals = {-1, -1, -1, -1};
    private int recentNext;

    /** Whether this TSval is a new trial for T1/T2 (not one of the last four tested). */
    boolean freshTsVal(long tsVal) {
      for (long v : recentTsVals) {
        if (v == tsVal) {
          return false;
        }
      }
      recentTsVals[recentNext] = tsVal;
      recentNext = (recentNext + 1) & 3;
      return true;
    }

    Listener(HostPort endpoint, AddressMap<Residues> residuesByClient) {
      this.endpoint = endpoint;
      this.residuesByClient = residuesByClient;
    }

    long[] at(long second) {
      if (ring == null) {
        int size = config.windowSeconds() + lagSeconds + 2;
        ring = new long[size][KINDS];
        ringSecond = new long[size];
        @SuppressWarnings("unchecked")
        List<FlowId>[] uids = new List[size];
        judgedUids = uids;
        java.util.Arrays.fill(ringSecond, Long.MIN_VALUE);
        active.add(this);
      }
      lastTouchedSecond = Math.max(lastTouchedSecond, second);
      int i = (int) Math.floorMod(second, (long) ring.length);
      if (ringSecond[i] != second) {
        java.util.Arrays.fill(ring[i], 0);
        ringSecond[i] = second;
        judgedUids[i] = null;
      }
      return ring[i];
    }

    /** Counters of a second still in the ring, or null. */
    long[] peek(long second) {
      if (ring == null) {
        return null;
      }
      int i = (int) Math.floorMod(second, (long) ring.length);
      return ringSecond[i] == second ? ring[i] : null;
    }
  }

  /** A run of cookie-mode seconds on one listener. */
  private final class Window implements java.io.Serializable {
    final Listener listener;
    final long firstSecond;
    long lastSecond;
    final long[] sum = new long[KINDS];
    /** Counters of the seconds after the last cookie second: kept only if the window goes on. */
    final long[] tail = new long[KINDS];
    final EvidenceBook evidence = new EvidenceBook(config.maxEvidence(), evidenceIndex);
    /** T4's chance rate on this listener before the window (see {@link #t4Chance}). */
    final double t4Chance;

    Window(Listener listener, long firstSecond, double t4Chance) {
      this.listener = listener;
      this.firstSecond = firstSecond;
      this.lastSecond = firstSecond;
      this.t4Chance = t4Chance;
    }
  }

  private Listener listener(HostPort target) {
    Listener l = listeners.get(target);
    if (l == null) {
      AddressMap<Residues> residues = pairResidues.get(target.host());
      if (residues == null) {
        residues = new AddressMap<>();
        pairResidues.put(target.host(), residues);
      }
      l = new Listener(target, residues);
      listeners.put(target, l);
    }
    return l;
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Established.class, ConnectionEvent.Removed.class, ConnectionEvent.Reset.class, ConnectionEvent.SynAckSent.class, ConnectionEvent.SynRetransmitted.class, ConnectionEvent.TimestampAfterSyn.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    long now = event.timestampNanos();
    if (event instanceof ConnectionEvent.SynRetransmitted r) {
      r.id().set(lastSynRetransmit, now);
    } else if (event instanceof ConnectionEvent.SynAckSent s) {
      onSynAck(s);
    } else if (event instanceof ConnectionEvent.Established e) {
      Pending p = open(e.id());
      if (p != null) p.completed = true;
    } else if (event instanceof ConnectionEvent.Reset r) {
      Pending p = open(r.id());
      if (p != null) p.reset = true;
    } else if (event instanceof ConnectionEvent.TimestampAfterSyn t && t.by() == Role.RESP) {
      onServerTimestamp(t);
    } else if (event instanceof ConnectionEvent.Removed r) {
      evidenceIndex.onRemoved(r); // its attributes go with its FlowId: nothing to clear
    }
    advance(now);
  }

  private void onSynAck(ConnectionEvent.SynAckSent s) {
    FlowId uid = s.id();
    Listener l = listener(s.id().responder());
    long second = Math.floorDiv(s.timestampNanos(), SECOND);
    if (s.count() > 0) {
      Long synAt = uid.get(lastSynRetransmit);
      boolean provoked = synAt != null && s.timestampNanos() - synAt < 200_000_000L;
      if (!provoked) {
        // The server resent its SYN-ACK on its own timer: it kept a request socket, so no cookie.
        Pending p = open(uid);
        if (p != null) p.repeated = true;
        l.retransmitsOwnSynAcks++;
        l.at(second)[COUNTER]++;
      }
      return;
    }
    SynInfo syn = s.syn();
    SynInfo sa = s.synAck();
    long[] bucket = l.at(second);
    bucket[SYNACKS]++;
    l.totalSynAcks++;
    if (syn == null) {
      return;
    }
    freeBsd(l, syn, sa);
    Pending p = new Pending(uid, l, s.timestampNanos(), sa.hasTimestamps() ? sa.tsVal() : -1);
    if (syn.hasTimestamps() && sa.hasTimestamps()) {
      p.tested = true;
      bucket[T1_TESTED]++;
      int opts = (syn.windowScale() >= 0 ? Math.min(syn.windowScale(), 14) : 0xF)
          | (syn.sackPermitted() ? 0x10 : 0)
          | (sa.ece() ? 0x20 : 0);
      boolean fresh = l.freshTsVal(sa.tsVal());
      boolean t1 = (sa.tsVal() & 63) == opts;
      if (t1) {
        bucket[T1]++;
        p.strong = true;
      }
      if (fresh) {
        bucket[T1_TRIALS]++;
        bucket[T1_PASSED] += t1 ? 1 : 0;
      }
      pairConsistency(l, s.id().origHost(), sa, opts, bucket, p, fresh);
    } else if (!syn.hasTimestamps() && (syn.sackPermitted() || syn.windowScale() >= 0)) {
      boolean onlyMss = sa.optionCount() == 1 && sa.mss() >= 0;
      // Every such SYN-ACK is history for T4's chance rate, stripped or not, profile or test.
      l.t4Tested++;
      l.t4Stripped += onlyMss ? 1 : 0;
      if (l.profileReturnsOptions >= config.minProfile()) {
        p.tested = true;
        bucket[T4_TESTED]++;
        if (onlyMss) {
          bucket[T4]++;
          p.strong = true;
        }
      }
      if (!onlyMss && (sa.sackPermitted() || sa.windowScale() >= 0)) {
        l.profileReturnsOptions++;
      }
    }
    Pending earlier = uid.get(pending);
    if (earlier != null) {
      earlier.later = p;
    }
    uid.set(pending, p);
    pendingByTime.addLast(p);
    pendingPeak = Math.max(pendingPeak, pendingByTime.size());
    if (pendingByTime.size() > config.maxPending()) {
      pendingDecidedEarly++;
      finish(pendingByTime.pollFirst(), false);
    }
  }

  /** T2: cookies between one address pair share a residue; normal SYN-ACKs spread over all 64. */
  private void pairConsistency(
      Listener l, IpAddress client, SynInfo sa, int opts, long[] bucket, Pending p, boolean fresh) {
    int residue = (int) ((sa.tsVal() - opts) & 63);
    Residues seen = l.residuesByClient.get(client);
    if (seen == null && pairs < config.maxPairs()) {
      seen = new Residues();
      l.residuesByClient.put(client, seen);
      pairs++;
    }
    if (seen == null) {
      pairsRefused++;
      return;
    }
    if (seen.total() > 0) {
      bucket[T2_TESTED]++;
      int needed = Math.max(1, 4 * seen.total() / 64);
      boolean pass = seen.count(residue) >= needed;
      if (!p.strong && pass) {
        bucket[T2]++;
        p.strong = true;
      }
      if (fresh) {
        bucket[T2_TRIALS]++;
        bucket[T2_PASSED] += pass ? 1 : 0;
        bucket[T2_CHANCE64] += seen.residuesWithAtLeast(needed);
      }
    }
    seen.add(residue);
  }

  /**
   * How often each (TSval - options) mod 64 residue was seen between one server and one client,
   * with their sum kept as they change (not added up for every SYN-ACK).
   */
  static final class Residues implements java.io.Serializable {
    private final byte[] counts = new byte[64];
    private int total;

    int count(int residue) {
      return counts[residue];
    }

    int total() {
      return total;
    }

    /** How many of the 64 residues a random TSval could hit and pass with {@code needed}. */
    int residuesWithAtLeast(int needed) {
      int n = 0;
      for (byte c : counts) {
        if (c >= needed) {
          n++;
        }
      }
      return n;
    }

    void add(int residue) {
      if (counts[residue] >= 100) {
        total = 0;
        for (int i = 0; i < counts.length; i++) {
          counts[i] /= 2; // bounded counts, proportions kept
          total += counts[i];
        }
      }
      counts[residue]++;
      total++;
    }
  }

  /** T3: the server's next TSval shows how far the SYN-ACK's TSval lagged its clock. */
  private void onServerTimestamp(ConnectionEvent.TimestampAfterSyn t) {
    Pending p = open(t.id());
    if (p == null || p.tsVal < 0 || p.t3Done) {
      return;
    }
    p.t3Done = true;
    long[] bucket = p.listener.peek(Math.floorDiv(p.synAckNanos, SECOND));
    if (bucket == null) {
      return;
    }
    double elapsedMs = (t.timestampNanos() - p.synAckNanos) / 1e6;
    double lag = (int) (t.tsVal() - p.tsVal) - elapsedMs;
    bucket[T3_TESTED]++;
    p.tested = true;
    if (lag >= T3_MIN_LAG_MS && lag <= T3_MAX_LAG_MS) {
      bucket[T3]++;
      p.strong = true;
    }
  }

  private void freeBsd(Listener l, SynInfo syn, SynInfo sa) {
    if (syn.mss() < 0) {
      return;
    }
    long iss = sa.seq();
    int flags = (int) ((iss & 0xff) ^ ((iss >>> 24) & 0xff));
    int sackOk = (flags >> 1) & 1;
    int wscaleIdx = (flags >> 2) & 7;
    int mssIdx = (flags >> 5) & 7;
    int expectedMss = 0;
    for (int i = 0; i < FREEBSD_MSS.length; i++) {
      if (FREEBSD_MSS[i] <= syn.mss()) expectedMss = i;
    }
    int expectedWs = 0;
    if (syn.windowScale() >= 0) {
      expectedWs = 1;
      for (int i = 1; i < FREEBSD_WSCALE.length; i++) {
        if (FREEBSD_WSCALE[i] <= syn.windowScale()) expectedWs = i;
      }
    }
    l.freeBsdTestable++;
    if (mssIdx == expectedMss && wscaleIdx == expectedWs && sackOk == (syn.sackPermitted() ? 1 : 0)) {
      l.freeBsdMatches++;
    }
  }

  @Override
  public void onTime(long packetNanos) {
    advance(packetNanos);
  }

  /** Closes the verdicts whose time has come, then decides the seconds that can be decided. */
  private void advance(long now) {
    long waitNanos = config.t5WaitMillis() * 1_000_000L;
    while (!pendingByTime.isEmpty() && now - pendingByTime.peekFirst().synAckNanos >= waitNanos) {
      finish(pendingByTime.pollFirst(), true);
    }
    long second = Math.floorDiv(now, SECOND);
    if (second > lastDecidedSecond + lagSeconds) {
      decideUpTo(second - lagSeconds);
    }
  }

  /** The connection's SYN-ACK still waiting for its verdict, or null. */
  private Pending open(FlowId id) {
    Pending p = id.get(pending);
    return p == null || p.voided ? null : p;
  }

  /** Records a SYN-ACK's final verdict; {@code waited}: the capture ran past t5_wait after it. */
  private void finish(Pending p, boolean waited) {
    for (Pending q = p; q != null; q = q.later) {
      q.voided = true; // the whole chain: a later one may have opened after an earlier finish
    }
    Pending current = p.uid.get(pending);
    if (current != null && current.voided) {
      p.uid.set(pending, null); // nothing left to wait for: the connection keeps no Pending
    }

    long[] bucket = p.listener.peek(Math.floorDiv(p.synAckNanos, SECOND));
    if (bucket == null) {
      return;
    }
    // T5: unanswered and never retransmitted, although the capture ran past +1 s and +3 s.
    boolean t5 = waited && !p.completed && !p.repeated && !p.reset;
    if (t5) bucket[T5]++;
    if (p.tested) bucket[TESTED]++;
    if (p.strong || t5) {
      bucket[JUDGED]++;
      int i = (int) Math.floorMod(Math.floorDiv(p.synAckNanos, SECOND), (long) p.listener.ring.length);
      if (p.listener.judgedUids[i] == null) {
        p.listener.judgedUids[i] = new ArrayList<>();
      }
      if (p.listener.judgedUids[i].size() < config.maxEvidence()) {
        p.listener.judgedUids[i].add(p.uid);
      }
    }
  }

  private void decideUpTo(long upTo) {
    long from = lastDecidedSecond == Long.MIN_VALUE ? upTo : lastDecidedSecond + 1;
    for (long s = Math.max(from, upTo - lagSeconds - config.windowSeconds()); s <= upTo; s++) {
      for (Listener l : active) {
        decide(l, s);
      }
    }
    lastDecidedSecond = upTo;
    // Listeners idle for longer than their ring, with no window open, give their memory back.
    for (java.util.Iterator<Listener> it = active.iterator(); it.hasNext(); ) {
      Listener l = it.next();
      if (l.open == null && l.lastTouchedSecond < upTo - l.ring.length) {
        l.ring = null;
        l.ringSecond = null;
        l.judgedUids = null;
        it.remove();
      }
    }
  }

  private void decide(Listener l, long second) {
    long[] own = l.peek(second);
    boolean cookie = false;
    if (own != null && own[SYNACKS] > 0) {
      long[] sum = windowSum; // read only in this call: one array for every listener and second
      java.util.Arrays.fill(sum, 0);
      for (long s = second - config.windowSeconds() + 1; s <= second; s++) {
        long[] b = l.peek(s);
        if (b != null) {
          for (int k = 0; k < KINDS; k++) sum[k] += b[k];
        }
      }
      Verdict v = verdict(sum, t4Chance(l, second - config.windowSeconds() + 1));
      // Every second with SYN-ACKs counts its tests against the budget, whether or not one of
      // them looked like a cookie: counting only the seconds that looked bad would select on the data.
      testsMade += v.tests();
      if (own[JUDGED] > 0) {
        cookie = v.pValue() <= Chance.threshold(config.alpha(), testsMade) || t5Holds(l, sum);
      }
    }
    if (cookie) {
      Window w = l.open;
      if (w == null) {
        w = new Window(l, second, t4Chance(l, second - config.windowSeconds() + 1));
        l.open = w;
        windows.add(w);
      } else {
        for (int k = 0; k < KINDS; k++) {
          w.sum[k] += w.tail[k];
          w.tail[k] = 0;
        }
      }
      for (int k = 0; k < KINDS; k++) w.sum[k] += own[k];
      List<FlowId> uids = l.judgedUids[(int) Math.floorMod(second, (long) l.ring.length)];
      if (uids != null) {
        for (FlowId uid : uids) {
          w.evidence.want(uid, "SYN-ACK judged a SYN cookie");
        }
      }
      w.lastSecond = second;
      l.lastCookieSecond = second;
    } else if (l.open != null) {
      if (second - l.lastCookieSecond > config.mergeGapSeconds()) {
        l.open = null;
      } else if (own != null) {
        for (int k = 0; k < KINDS; k++) l.open.tail[k] += own[k];
      }
    }
  }

  /**
   * The strongest test against chance over summed counters: its name, passes, trials, chance rate
   * and p-value; {@code tests} is how many tests had trials (each one counts against the budget).
   */
  record Verdict(String test, long passed, long trials, double chanceRate, double pValue, int tests) {}

  /**
   * T4's chance rate: how often this listener stripped options before {@code fromSecond} (with
   * one stripped and one not added, so a short history says little), and at least {@link
   * #T4_CHANCE}. A load balancer whose nodes differ strips a steady share of SYN-ACKs; cookie
   * mode is a change from what the listener did before.
   */
  private double t4Chance(Listener l, long fromSecond) {
    long tested = l.t4Tested;
    long stripped = l.t4Stripped;
    if (l.ring != null) {
      for (int i = 0; i < l.ring.length; i++) {
        if (l.ringSecond[i] != Long.MIN_VALUE && l.ringSecond[i] >= fromSecond) {
          tested -= l.ring[i][T4_TESTED];
          stripped -= l.ring[i][T4];
        }
      }
    }
    return Math.max(T4_CHANCE, (stripped + 1.0) / (Math.max(0, tested) + 2.0));
  }

  static Verdict verdict(long[] sum, double t4Chance) {
    Verdict best = new Verdict(null, 0, 0, 0, 1, 0);
    int tests = 0;
    if (sum[T1_TRIALS] > 0) {
      tests++;
      best = better(best, "t1_tsval_low_bits", sum[T1_PASSED], sum[T1_TRIALS], T1_CHANCE,
          Chance.binomialTail(sum[T1_PASSED], sum[T1_TRIALS], T1_CHANCE));
    }
    if (sum[T2_TRIALS] > 0) {
      tests++;
      double lambda = sum[T2_CHANCE64] / 64.0;
      best = better(best, "t2_pair_consistency", sum[T2_PASSED], sum[T2_TRIALS], lambda / sum[T2_TRIALS],
          Chance.poissonTail(sum[T2_PASSED], lambda));
    }
    if (sum[T3_TESTED] > 0) {
      tests++;
      best = better(best, "t3_tsval_lag", sum[T3], sum[T3_TESTED], T3_CHANCE,
          Chance.binomialTail(sum[T3], sum[T3_TESTED], T3_CHANCE));
    }
    if (sum[T4_TESTED] > 0) {
      tests++;
      best = better(best, "t4_options_stripped", sum[T4], sum[T4_TESTED], t4Chance,
          Chance.binomialTail(sum[T4], sum[T4_TESTED], t4Chance));
    }
    return new Verdict(best.test(), best.passed(), best.trials(), best.chanceRate(), best.pValue(), tests);
  }

  private static Verdict better(Verdict best, String test, long passed, long trials, double chance, double p) {
    return p < best.pValue() ? new Verdict(test, passed, trials, chance, p, 0) : best;
  }

  /** T5: many unanswered SYN-ACKs never retransmitted, on a listener that does retransmit. */
  private boolean t5Holds(Listener l, long[] sum) {
    return sum[T5] >= config.minT5() && sum[T5] >= T5_OVER_COUNTER * sum[COUNTER] && l.retransmitsOwnSynAcks > 0;
  }

  @Override
  public void onEndOfInput(long lastPacketNanos) {
    while (!pendingByTime.isEmpty()) {
      Pending p = pendingByTime.pollFirst();
      finish(p, lastPacketNanos - p.synAckNanos >= config.t5WaitMillis() * 1_000_000L);
    }
    decideUpTo(Math.floorDiv(lastPacketNanos, SECOND) + 1);
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(listeners.stats(), pairResidues.stats(),
        StateTableStats.refusing(ID + ".pairs", config.maxPairs(), pairs, pairsRefused),
        new StateTableStats(ID + ".pending", config.maxPending(), pendingPeak, pendingDecidedEarly, 0),
        windows.stats());
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    double threshold = Chance.threshold(config.alpha(), testsMade);
    for (Window w : windows.kept()) {
      // A window opened early in the run, against fewer tests, must still hold against them all.
      Verdict v = verdict(w.sum, w.t4Chance);
      if (v.pValue() <= threshold || t5Holds(w.listener, w.sum)) {
        out.add(windowFinding(w, v, threshold));
      }
    }
    for (Listener l : listeners.values()) {
      if (l.freeBsdTestable >= config.minFreeBsdSamples() && l.freeBsdMatches >= 0.9 * l.freeBsdTestable) {
        out.add(freeBsdFinding(l));
      }
    }
    return out;
  }

  private Finding windowFinding(Window w, Verdict v, double threshold) {
    Listener l = w.listener;
    long[] sum = w.sum;
    // Cookies all along: the window covers every SYN-ACK, nearly all were judged cookies, and
    // the listener never retransmitted one (so it never kept request state).
    boolean always = sum[SYNACKS] >= l.totalSynAcks && sum[JUDGED] >= 0.9 * sum[SYNACKS]
        && l.retransmitsOwnSynAcks == 0;
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("synacks", sum[SYNACKS]);
    metrics.put("judged_cookies", sum[JUDGED]);
    metrics.put("tested", sum[TESTED]);
    Map<String, Long> byTest = new LinkedHashMap<>();
    byTest.put("t1_tsval_low_bits", sum[T1]);
    byTest.put("t2_pair_consistency", sum[T2]);
    byTest.put("t3_tsval_lag", sum[T3]);
    byTest.put("t4_options_stripped", sum[T4]);
    byTest.put("t5_never_retransmitted", sum[T5]);
    metrics.put("by_test", byTest);
    metrics.put("counter_evidence", sum[COUNTER]);
    metrics.put("whole_capture", always);
    Map<String, Object> chance = new LinkedHashMap<>();
    boolean byChanceTest = v.pValue() <= threshold;
    chance.put("test", byChanceTest ? v.test() : "t5_never_retransmitted");
    chance.put("passed", byChanceTest ? v.passed() : sum[T5]);
    chance.put("trials", byChanceTest ? v.trials() : sum[T5] + sum[COUNTER]);
    chance.put("chance_rate", byChanceTest ? round(v.chanceRate()) : null);
    chance.put("p_value", byChanceTest ? v.pValue() : null);
    chance.put("tests_in_run", testsMade);
    chance.put("alpha", config.alpha());
    metrics.put("significance", chance);
    String summary = l.endpoint.toString() + " answered with SYN cookies"
        + (always ? " for every SYN-ACK in the capture" : " for " + (w.lastSecond - w.firstSecond + 1) + " s")
        + ": " + sum[JUDGED] + " of " + sum[SYNACKS] + " SYN-ACKs judged cookies";
    String explanation = (always
        ? "Every SYN-ACK of this listener looks like a cookie and it never retransmitted one: the host likely runs"
            + " net.ipv4.tcp_syncookies=2 (cookies always), or a SYNPROXY (netfilter or XDP) in front of it answers"
            + " the handshake, which produces the same signature on every SYN-ACK."
        : "The listener's SYN queue was full, so Linux (net.ipv4.tcp_syncookies=1) stopped keeping state for new"
            + " SYNs and encoded it in the SYN-ACK instead (ISN, and TSval's low 6 bits when the client offered"
            + " timestamps). Cookie SYN-ACKs are never retransmitted; clients that offered no timestamps lose window"
            + " scaling and SACK; the server's MSS is rounded down to a table value. This normally means a SYN flood"
            + " or a backlog too small for the connection rate (see syn-flood and accept-queue-overflow findings).")
        + " Tests: T1 TSval low bits equal the client's options; T2 (TSval - options) mod 64 repeats for the same"
        + " address pair; T3 the SYN-ACK's TSval lags the server's timestamp clock by 4-63 ms; T4 options"
        + " stripped to MSS; T5 an unanswered SYN-ACK never retransmitted."
        + " Check on the host: nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed"
        + " TcpExtTCPReqQFullDoCookies; sysctl net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog"
        + " net.core.somaxconn; the application's listen() backlog; dmesg 'Possible SYN flooding on port'.";
    Severity severity = always ? Severity.LOW : Severity.MEDIUM;
    return new Finding(ID, severity, l.endpoint.toString(), w.firstSecond * SECOND,
        w.lastSecond * SECOND + SECOND - 1,
        summary, metrics, w.evidence.evidence(), explanation);
  }

  private static double round(double x) {
    return Math.round(x * 1e6) / 1e6;
  }

  private Finding freeBsdFinding(Listener l) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("synacks_tested", l.freeBsdTestable);
    metrics.put("decodable_cookies", l.freeBsdMatches);
    return new Finding(ID, Severity.INFO, l.endpoint.toString(), Long.MIN_VALUE, Long.MIN_VALUE,
        l.endpoint.toString() + " sends FreeBSD-style SYN cookies (" + l.freeBsdMatches + " of " + l.freeBsdTestable
            + " ISNs decode to the client's options): normal operation, not an attack",
        metrics, List.of(),
        "FreeBSD with net.inet.tcp.syncookies=1 (its default) uses a cookie as the ISN of every SYN-ACK, even while"
            + " it also keeps a syncache entry; the low bits decode to the client's MSS, window scale and SACK."
            + " This fingerprints the host's stack and settings; it does not mean its queue overflowed.");
  }
}
