package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;
import java.util.List;

/**
 * Finds the connection of each segment by a canonical, direction-free key of primitives (open
 * addressing, linear probing, no per-packet allocation), updates it through the state machine,
 * and retires connections by per-phase idle timeouts in packet time, or by eviction when full.
 *
 * <p>Connections are rows of {@link ConnectionRows}; the index holds row numbers and each
 * slot's key hash, so a probe rejects a mismatch without touching the row. A connection's
 * {@link FlowId} is a value made for its events, not an object the table keeps.
 */
public final class FlowTable {
  private static final int INITIAL_SLOTS = 1 << 12;
  /** Expiry runs at most this often in packet time, so idle lists are walked rarely. */
  private static final long EXPIRY_STEP_NANOS = 1_000_000_000L;
  static final int HALF_OPEN = 0;
  static final int ESTABLISHED = 1;
  static final int CLOSED = 2;
  private static final int PHASES = 3;
  /** Emergency mode ends at an expiry pass that leaves the table below this share of its capacity. */
  static final int RECOVERY_PERCENT = 70;
  /** A handshake unanswered this long is evicted first: Linux's initial retransmission timeout. */
  static final long STALE_HALF_OPEN_NANOS = 1_000_000_000L;

  private final FlowConfig config;
  private final EventSink sink;
  private final ConnectionRows rows;
  private final TcpStateMachine machine;
  /** Row + 1 per slot; 0 marks a free slot. */
  private int[] slots;
  /** Each slot's key hash. */
  private int[] hashes;
  private int mask;
  private int size;
  private final IdleLists idle;
  private final RecentAddresses recent;
  /** This analysis's connection-attribute slots (see {@link ConnectionAttribute}). */
  private final ConnectionAttributes attributes = new ConnectionAttributes();
  private long nextExpiryNanos = Long.MIN_VALUE;
  private long nowNanos = Long.MIN_VALUE;
  /** The expiry pass under way (its rank's high bits, see {@link #removalRank}). */
  private int removalPass;
  private long removalRank;
  /** The deadline of the connection being removed by expiry or drain ({@link #removalDeadlineNanos}). */
  private long removalDeadline;
  /** The batch being removed ({@link #removeIdle}). */
  private final int[] batch = new int[IdleLists.BATCH];
  /** Where {@link #warm} puts what it loads, so that the compiler keeps the loads. */
  private long warmth;
  private static final int ID_CACHE_SIZE = 1 << 14;
  /** Size of {@link #idCache} - 1. */
  private final int idCacheMask;
  /** Ids made recently, by row ({@link #id}). */
  private final FlowId[] idCache;

  /** Emergency mode: the table filled up; shorter timeouts until it is back under the mark. */
  private boolean emergency;
  private long emergencyStartNanos;
  private long emergencyEvicted;
  private long emergencyExpired;
  private final java.util.List<FlowStats.Emergency> emergencies = new java.util.ArrayList<>();

  private long created;
  private long expired;
  private long evicted;
  private long portReuses;
  private long endOfInput;
  private int peak;

  public FlowTable(FlowConfig config, EventSink sink) {
    this.config = config;
    this.sink = sink;
    // A table for a few connections (one key's, in a stream engine) starts small: its index and
    // id cache are sized to its capacity, not to a capture's.
    int slotCount = Math.min(INITIAL_SLOTS, Integer.highestOneBit(Math.max(2, config.maxFlows()) * 4 - 1));
    slots = new int[slotCount];
    hashes = new int[slotCount];
    mask = slotCount - 1;
    int cache = Math.min(ID_CACHE_SIZE, Integer.highestOneBit(Math.max(1, config.maxFlows()) * 2 - 1));
    idCache = new FlowId[cache];
    idCacheMask = cache - 1;
    recent = new RecentAddresses(Math.min(RecentAddresses.SLOTS, cache));
    this.rows = new ConnectionRows(config.maxFlows());
    this.idle = new IdleLists(rows, PHASES);
    this.machine = new TcpStateMachine(rows, this, sink);
  }

  public int size() {
    return size;
  }

  /** The latest packet time seen (Long.MIN_VALUE before the first packet). */
  public long packetTimeNanos() {
    return nowNanos;
  }

  public FlowStats stats() {
    java.util.List<FlowStats.Emergency> spans = new java.util.ArrayList<>(emergencies);
    if (emergency) {
      spans.add(new FlowStats.Emergency(emergencyStartNanos, nowNanos, true, emergencyEvicted, emergencyExpired));
    }
    return new FlowStats(
        created, expired, evicted, portReuses, endOfInput, peak, config.maxFlows(), java.util.List.copyOf(spans));
  }

  /** Whether the table is in emergency mode now. */
  public boolean inEmergency() {
    return emergency;
  }

  /** Rows the table has allocated (held or free), for tests of its bounds. */
  int allocatedRows() {
    return rows.capacity();
  }

  /** Connections created so far (a cheap counter, unlike {@link #stats}). */
  public long connectionsCreated() {
    return created;
  }

  /**
   * Processes one decoded TCP segment, on the table's own clock: the latest packet time seen,
   * idle connections expired once a second of it. {@code s.ordinal} must be set (it names a
   * connection the segment starts).
   */
  public void onSegment(Segment s) {
    long now = s.timestampNanos;
    if (now > nowNanos) {
      nowNanos = now;
    }
    if (nowNanos >= nextExpiryNanos) {
      expire(nowNanos);
      nextExpiryNanos = nowNanos + EXPIRY_STEP_NANOS;
    }
    track(s);
  }

  /** When a table that sees every segment would next run expiry, after a segment at {@code clockNanos}. */
  public static long nextExpiryAfter(long clockNanos) {
    return clockNanos + EXPIRY_STEP_NANOS;
  }

  /**
   * For one shard of several: processes a segment on a clock kept by whoever sees every segment
   * ({@code clockNanos}, the latest packet time of the whole capture so far); expiry runs only
   * when that clock says ({@link #expireAt}).
   */
  public void onSegment(Segment s, long clockNanos) {
    if (clockNanos > nowNanos) {
      nowNanos = clockNanos;
    }
    track(s);
  }

  /** For one shard of several: expires idle connections at the shared clock's {@code clockNanos}. */
  public void expireAt(long clockNanos) {
    if (clockNanos > nowNanos) {
      nowNanos = clockNanos;
    }
    expire(nowNanos);
  }

  /**
   * While a {@code Removed} event of an expiry pass or of {@link #drain} is delivered: the
   * removal's place among that moment's removals, {@code pass << 58 | the ordinal of the frame
   * that last touched the connection}. Every table of a sharded run ranks the same removal
   * alike, so merging their removals by rank gives one table's order.
   */
  public long removalRank() {
    return removalRank;
  }

  /**
   * While a {@code Removed} event of an expiry pass or of {@link #drain} is delivered: the moment
   * of the table's clock after which the connection was due, its last touch plus its phase's
   * normal timeout. An expiry pass removes it when the clock has passed that moment, so a keyed
   * engine that runs each connection on its own can find the pass a whole table would have
   * removed it in.
   */
  public long removalDeadlineNanos() {
    return removalDeadline;
  }

  /**
   * The earliest deadline (see {@link #removalDeadlineNanos}) of the connections held, by the
   * normal timeouts; {@code Long.MAX_VALUE} when the table is empty.
   */
  public long nextDeadlineNanos() {
    long next = Long.MAX_VALUE;
    for (int phase = 0; phase < PHASES; phase++) {
      int r = idle.head(phase);
      if (r >= 0) {
        next = Math.min(next, rows.touchNanos[r] + timeoutOf(phase));
      }
    }
    return next;
  }

  private long timeoutOf(int phase) {
    return switch (phase) {
      case HALF_OPEN -> config.halfOpenTimeoutNanos();
      case ESTABLISHED -> config.establishedTimeoutNanos();
      default -> config.closedTimeoutNanos();
    };
  }

  /**
   * The canonical (direction-free) key's hash of a segment's connection: both directions of a
   * connection hash alike, so it picks the connection's shard.
   */
  public static int keyHash(Segment s) {
    boolean srcIsA = compare(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort) <= 0;
    return srcIsA
        ? hash(s.ipVersion, s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort)
        : hash(s.ipVersion, s.dstHi, s.dstLo, s.dstPort, s.srcHi, s.srcLo, s.srcPort);
  }

  private void track(Segment s) {
    long now = s.timestampNanos;
    boolean srcIsA = compare(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort) <= 0;
    long aHi = srcIsA ? s.srcHi : s.dstHi;
    long aLo = srcIsA ? s.srcLo : s.dstLo;
    int aPort = srcIsA ? s.srcPort : s.dstPort;
    long bHi = srcIsA ? s.dstHi : s.srcHi;
    long bLo = srcIsA ? s.dstLo : s.srcLo;
    int bPort = srcIsA ? s.dstPort : s.srcPort;
    int version = s.ipVersion;
    int hash = hash(version, aHi, aLo, aPort, bHi, bLo, bPort);
    int ports = aPort << 16 | bPort;
    ConnectionRows x = rows;
    int i = hash & mask;
    int r = -1;
    int slot;
    while ((slot = slots[i]) != 0) {
      int candidate = slot - 1;
      if (hashes[i] == hash && x.hasKey(candidate, aHi, aLo, bHi, bLo, ports, version == 6)) {
        r = candidate;
        break;
      }
      i = (i + 1) & mask;
    }
    if (r < 0) {
      r = insert(i, s, hash, aHi, aLo, aPort, bHi, bLo, bPort, srcIsA, -1);
    } else if (isReuse(r, s, srcIsA)) {
      int previous = r;
      // The old connection leaves first; its row keeps its facts until the new connection's
      // PortReused event has read them.
      unlinkAndReport(previous, RemovalCause.REUSED, now);
      portReuses++;
      r = insert(slotFor(hash), s, hash, aHi, aLo, aPort, bHi, bLo, bPort, srcIsA, previous);
      release(previous);
    }
    boolean isOrig = x.flag(r, ConnectionRows.F_SELF) ? !s.isSynAck() : srcIsA == x.flag(r, ConnectionRows.F_ORIG_IS_A);
    machine.update(r, isOrig, s);
    idle.touch(r, phaseOf(r));
    x.touchNanos[r] = nowNanos;
    x.touchOrdinal[r] = s.ordinal;
  }

  /**
   * The table's whole state as a value: every connection held, in the order it was last touched,
   * the clock, the expiry schedule and the counters. A checkpoint: a table {@link #restore
   * restored} from it goes on exactly as this one would (the same events for the same segments).
   */
  public record Snapshot(
      List<ConnectionState> connections, long nowNanos, long nextExpiryNanos, long created, long expired,
      long evicted, long portReuses, long endOfInput, int peak, boolean emergency, long emergencyStartNanos,
      long emergencyEvicted, long emergencyExpired, List<FlowStats.Emergency> emergencies) {
    public Snapshot {
      connections = List.copyOf(connections);
      emergencies = List.copyOf(emergencies);
    }
  }

  /** This table's state now (see {@link Snapshot}); the table goes on unchanged. */
  public Snapshot snapshot() {
    List<Integer> held = new java.util.ArrayList<>(size);
    int[] next = rows.idleNext;
    for (int phase = 0; phase < PHASES; phase++) {
      for (int r = idle.head(phase); r >= 0; r = next[r]) {
        held.add(r);
      }
    }
    long[] order = rows.touchOrdinal;
    held.sort(java.util.Comparator.comparingLong(r -> order[r]));
    List<ConnectionState> out = new java.util.ArrayList<>(held.size());
    for (int r : held) {
      out.add(rows.export(r));
    }
    return new Snapshot(out, nowNanos, nextExpiryNanos, created, expired, evicted, portReuses, endOfInput, peak,
        emergency, emergencyStartNanos, emergencyEvicted, emergencyExpired, emergencies);
  }

  /**
   * A table with {@code snapshot}'s state, reporting to {@code sink} from now on. The capacity is
   * {@code config}'s; a snapshot holding more connections than that is refused.
   */
  public static FlowTable restore(FlowConfig config, EventSink sink, Snapshot snapshot) {
    if (snapshot.connections().size() > config.maxFlows()) {
      throw new IllegalArgumentException("a snapshot of " + snapshot.connections().size()
          + " connections does not fit a table of " + config.maxFlows());
    }
    FlowTable t = new FlowTable(config, sink);
    for (ConnectionState c : snapshot.connections()) { // in touch order: each idle list's order
      int r = t.rows.restore(c);
      int hash = t.rowHash(r);
      if ((t.size + 1) * 2 > t.slots.length) {
        t.grow();
      }
      int slot = t.slotFor(hash);
      t.slots[slot] = r + 1;
      t.hashes[slot] = hash;
      t.size++;
      t.idle.add(r, t.rows.phase(r));
    }
    t.nowNanos = snapshot.nowNanos();
    t.nextExpiryNanos = snapshot.nextExpiryNanos();
    t.created = snapshot.created();
    t.expired = snapshot.expired();
    t.evicted = snapshot.evicted();
    t.portReuses = snapshot.portReuses();
    t.endOfInput = snapshot.endOfInput();
    t.peak = snapshot.peak();
    t.emergency = snapshot.emergency();
    t.emergencyStartNanos = snapshot.emergencyStartNanos();
    t.emergencyEvicted = snapshot.emergencyEvicted();
    t.emergencyExpired = snapshot.emergencyExpired();
    t.emergencies.addAll(snapshot.emergencies());
    return t;
  }

  /** The index hash of the connection in row {@code r}, from its canonical endpoints. */
  private int rowHash(int r) {
    ConnectionRows x = rows;
    int ports = x.ports(r);
    return hash(x.flag(r, ConnectionRows.F_V6) ? 6 : 4, x.aHi(r), x.aLo(r), ports >>> 16, x.bHi(r), x.bLo(r),
        ports & 0xffff);
  }

  /** Ends the run: every connection still held is reported, then the table is empty. */
  public void drain() {
    removalPass = 0;
    for (int phase = 0; phase < PHASES; phase++) {
      endOfInput += removeIdle(phase, 0, true, RemovalCause.END_OF_INPUT);
    }
  }

  /**
   * The id of the connection in row {@code r}, for its events. A connection's events come in
   * bursts (a handshake's within milliseconds), so ids are kept in a small direct-mapped cache by
   * row: a burst makes one id, and the table still holds no object per connection.
   */
  FlowId id(int r) {
    ConnectionRows x = rows;
    long serial = x.serial(r);
    FlowId cached = idCache[r & idCacheMask];
    if (cached != null && cached.row() == r && cached.serial() == serial) {
      return cached;
    }
    boolean origIsA = x.flag(r, ConnectionRows.F_ORIG_IS_A);
    int version = x.flag(r, ConnectionRows.F_V6) ? 6 : 4;
    int ports = x.ports(r);
    int aPort = ports >>> 16;
    int bPort = ports & 0xffff;
    IpAddress a = recent.address(version, x.aHi(r), x.aLo(r));
    IpAddress b = recent.address(version, x.bHi(r), x.bLo(r));
    IpAddress origHost = origIsA ? a : b;
    IpAddress respHost = origIsA ? b : a;
    FlowId id = new FlowId(serial, origHost, origIsA ? aPort : bPort,
        recent.responder(respHost, origIsA ? bPort : aPort), attributes, x, r);
    idCache[r & idCacheMask] = id;
    return id;
  }

  private int slotFor(int hash) {
    int i = hash & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private int insert(
      int slot, Segment s, int hash, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort,
      boolean srcIsA, int previous) {
    if (size >= config.maxFlows()) {
      if (!emergency) {
        // Suricata's emergency mode: shorter timeouts first, so that idle half-open entries go
        // by age before anything is evicted; eviction only when that freed nothing.
        emergency = true;
        emergencyStartNanos = s.timestampNanos;
        emergencyEvicted = 0;
        emergencyExpired = 0;
        expire(nowNanos);
        nextExpiryNanos = nowNanos + EXPIRY_STEP_NANOS;
      }
      if (size >= config.maxFlows()) {
        evictOne(s.timestampNanos);
        emergencyEvicted++;
      }
      slot = slotFor(hash);
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
      slot = slotFor(hash);
    }
    ConnectionRows x = rows;
    int r = x.allocate();
    boolean self = aHi == bHi && aLo == bLo && aPort == bPort;
    // The sender of the first packet is orig, unless it is a SYN-ACK: that answers a SYN we
    // did not see, so its sender is the responder (Zeek marks the flip with '^').
    boolean flip = s.isSynAck() && !self;
    int f = (s.ipVersion == 6 ? ConnectionRows.F_V6 : 0) | (self ? ConnectionRows.F_SELF : 0)
        | (flip != srcIsA ? ConnectionRows.F_ORIG_IS_A : 0);
    x.setKey(r, aHi, aLo, bHi, bLo, aPort << 16 | bPort, f);
    if (flip) {
      x.addHistory(r, '^');
    }
    if (s.ordinal <= 0) {
      throw new IllegalArgumentException("a segment without its ordinal");
    }
    x.setSerial(r, s.ordinal); // one frame starts at most one connection
    x.startNanos[r] = s.timestampNanos;
    x.startInput[r] = s.inputIndex;
    x.setLastNanos(r, s.timestampNanos);
    slots[slot] = r + 1;
    hashes[slot] = hash;
    size++;
    created++;
    if (size > peak) {
      peak = size;
    }
    idle.add(r, HALF_OPEN);
    if (previous >= 0) {
      FlowId previousId = id(previous);
      x.setPreviousUid(r, previousId.uid());
      sink.accept(new ConnectionEvent.PortReused(
          s.timestampNanos, id(r), previousId, x.lastNanos(previous), x.connState(previous), x.closedFirst(previous)));
    }
    if (self) {
      sink.accept(new ConnectionEvent.SelfConnected(s.timestampNanos, id(r), s.frameNumber));
    }
    return r;
  }

  /**
   * A bare SYN with a new ISN starts a new connection on a 4-tuple whose previous connection is
   * over (closed or reset) or never got going (orig's earlier SYN unanswered or refused).
   */
  private boolean isReuse(int r, Segment s, boolean srcIsA) {
    if (!s.isSyn() || (s.flags & TcpFlags.RST) != 0) {
      return false;
    }
    ConnectionRows x = rows;
    boolean fromOrig = x.flag(r, ConnectionRows.F_SELF) || srcIsA == x.flag(r, ConnectionRows.F_ORIG_IS_A);
    int sender = r * 2 + (fromOrig ? 0 : 1);
    if (x.has(sender, ConnectionRows.E_SAW_SYN) && x.isn(sender) == s.seq) {
      return false; // retransmission
    }
    EndpointState os = x.state(r * 2);
    EndpointState rs = x.state(r * 2 + 1);
    boolean over = os == EndpointState.RESET || rs == EndpointState.RESET
        || (os == EndpointState.CLOSED && rs == EndpointState.CLOSED);
    if (over) {
      return true;
    }
    if (!fromOrig) {
      return false; // a bare SYN from resp while orig's is pending: simultaneous open
    }
    return !x.flag(r, ConnectionRows.F_HANDSHAKE) && x.has(r * 2, ConnectionRows.E_BARE_SYN);
  }

  /**
   * Makes room for one connection, taking first what is cheapest to lose: a half-open
   * connection idle for {@link #STALE_HALF_OPEN_NANOS} or more (a flood's, or one whose client
   * will retransmit its SYN anyway), then the least recently active closed one (it has told
   * everything but a later port reuse), then the least recently active established one, and a
   * fresh half-open one only when nothing else is left. A handshake in flight is not evicted
   * while anything else can go: in a scan answered by RSTs, or a table full of open
   * connections, evicting the newest SYN a moment before its answer would split each
   * connection in two.
   */
  private void evictOne(long now) {
    int victim = idle.head(HALF_OPEN);
    if (victim < 0 || now - rows.lastNanos(victim) < STALE_HALF_OPEN_NANOS) {
      int other = idle.head(CLOSED) >= 0 ? idle.head(CLOSED) : idle.head(ESTABLISHED);
      if (other >= 0) {
        victim = other;
      }
    }
    if (victim >= 0) {
      evicted++;
      remove(victim, RemovalCause.EVICTED, now);
    }
  }

  private void expire(long now) {
    removalPass = 0;
    if (emergency) {
      // Expired by the emergency timeouts, beyond what the normal ones would have taken.
      long normal = removeIdle(HALF_OPEN, now - config.halfOpenTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT)
          + removeIdle(ESTABLISHED, now - config.establishedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT)
          + removeIdle(CLOSED, now - config.closedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT);
      long early =
          removeIdle(HALF_OPEN, now - config.emergencyHalfOpenTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT)
          + removeIdle(ESTABLISHED, now - config.emergencyEstablishedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT)
          + removeIdle(CLOSED, now - config.emergencyClosedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT);
      expired += normal + early;
      emergencyExpired += early;
      if (size < (long) config.maxFlows() * RECOVERY_PERCENT / 100) {
        emergency = false;
        emergencies.add(new FlowStats.Emergency(emergencyStartNanos, now, false, emergencyEvicted, emergencyExpired));
      }
      return;
    }
    expired += removeIdle(HALF_OPEN, now - config.halfOpenTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT);
    expired += removeIdle(ESTABLISHED, now - config.establishedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT);
    expired += removeIdle(CLOSED, now - config.closedTimeoutNanos(), false, RemovalCause.IDLE_TIMEOUT);
  }

  /**
   * Removes, from the head of {@code phase}'s idle list, the connections last active before
   * {@code idleBefore} (or {@code all} of them), a batch at a time; returns how many.
   */
  private long removeIdle(int phase, long idleBefore, boolean all, RemovalCause cause) {
    long removed = 0;
    long pass = (long) removalPass++ << 58;
    long[] touched = rows.touchOrdinal;
    long[] touchedAt = rows.touchNanos;
    long timeout = timeoutOf(phase);
    int n;
    while ((n = all ? idle.first(phase, batch) : idle.idleBefore(phase, idleBefore, batch)) > 0) {
      warm(n);
      for (int k = 0; k < n; k++) {
        int r = batch[k];
        removalRank = pass | touched[r];
        removalDeadline = touchedAt[r] + timeout;
        remove(r, cause, nowNanos);
      }
      removed += n;
    }
    return removed;
  }

  /**
   * Reads the rows of the first {@code n} connections of {@link #batch} before they are removed:
   * idle for seconds of packet time, they are far from the processor, and removing each in turn
   * would wait for one miss after the other. These loads are independent, so the processor
   * overlaps them.
   */
  private void warm(int n) {
    long acc = 0;
    ConnectionRows x = rows;
    for (int k = 0; k < n; k++) {
      int r = batch[k];
      acc += x.aHi(r) + x.historyWord(r) + x.cold[r] + x.resp[r];
    }
    // Then the blocks the connection's summary reads, through the pointers just loaded: orig's
    // endpoint block, the responder row, the cold rows (a FIN's or RST's facts), a line each.
    long[] orig = x.origBlocks;
    long[] resp = x.respRows;
    long[] cold = x.cold2;
    for (int k = 0; k < n; k++) {
      int r = batch[k];
      acc += orig[r * ConnectionRows.EB] + orig[r * ConnectionRows.EB + ConnectionRows.EB - 1];
      int t = x.resp[r] - 1;
      if (t >= 0) {
        acc += resp[t * ConnectionRows.RB] + resp[t * ConnectionRows.RB + ConnectionRows.RB - 1];
      }
      int c = x.cold[r] - 1;
      if (c >= 0) {
        int b = c * 2 * ConnectionRows.COLD;
        acc += cold[b + 1] + cold[b + ConnectionRows.COLD] + cold[b + 2 * ConnectionRows.COLD - 1];
      }
    }
    warmth += acc;
  }

  private void remove(int r, RemovalCause cause, long now) {
    unlinkAndReport(r, cause, now);
    release(r);
  }

  private void release(int r) {
    rows.free(r); // a cached id of the row no longer matches its serial
  }

  /** Takes a connection out of the index and its idle list and reports it; its row stays. */
  private void unlinkAndReport(int r, RemovalCause cause, long now) {
    idle.remove(r);
    int hash = rowHash(r);
    int i = hash & mask;
    while (slots[i] != r + 1) {
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      int next = slots[j];
      if (next == 0) {
        break;
      }
      int home = hashes[j] & mask;
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        slots[hole] = next;
        hashes[hole] = hashes[j];
        hole = j;
      }
    }
    slots[hole] = 0;
    size--;
    sink.accept(new ConnectionEvent.Removed(Math.max(now, rows.lastNanos(r)), rows.summary(r, id(r), cause)));
  }

  private void grow() {
    int[] old = slots;
    int[] oldHashes = hashes;
    slots = new int[old.length * 2];
    hashes = new int[slots.length];
    mask = slots.length - 1;
    for (int k = 0; k < old.length; k++) {
      if (old[k] != 0) {
        int i = oldHashes[k] & mask;
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = old[k];
        hashes[i] = oldHashes[k];
      }
    }
  }

  private int phaseOf(int r) {
    ConnectionRows x = rows;
    EndpointState os = x.state(r * 2);
    EndpointState rs = x.state(r * 2 + 1);
    if (os == EndpointState.RESET || rs == EndpointState.RESET
        || (os == EndpointState.CLOSED && rs == EndpointState.CLOSED)) {
      return CLOSED;
    }
    if (x.flag(r, ConnectionRows.F_HANDSHAKE) || os == EndpointState.PARTIAL || rs == EndpointState.PARTIAL
        || x.payloadBytesSeen(r * 2) > 0 || x.payloadBytesSeen(r * 2 + 1) > 0) {
      return ESTABLISHED;
    }
    return HALF_OPEN;
  }

  private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
    int c = Long.compareUnsigned(aHi, bHi);
    if (c == 0) c = Long.compareUnsigned(aLo, bLo);
    if (c == 0) c = Integer.compare(aPort, bPort);
    return c;
  }

  private static int hash(int version, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
    long h = aLo * 0x9E3779B97F4A7C15L;
    h = (h ^ (h >>> 29) ^ bLo) * 0xBF58476D1CE4E5B9L;
    h = (h ^ (h >>> 31) ^ aHi ^ (bHi * 31)) * 0x94D049BB133111EBL;
    h ^= ((long) aPort << 16 | bPort) + ((long) version << 40);
    h *= 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
