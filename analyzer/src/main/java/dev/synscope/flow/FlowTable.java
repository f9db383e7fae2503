package dev.synscope.flow;

import dev.synscope.decode.IpAddress;
import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;

/**
 * Finds the connection of each segment by a canonical, direction-free key of primitives (open
 * addressing, linear probing, no per-packet allocation), updates it through the state machine,
 * and retires connections by per-phase idle timeouts in packet time, or by eviction when full.
 */
public final class FlowTable {
  private static final int INITIAL_SLOTS = 1 << 12;
  /** Expiry runs at most this often in packet time, so idle lists are walked rarely. */
  private static final long EXPIRY_STEP_NANOS = 1_000_000_000L;
  private static final int HALF_OPEN = Connection.Phase.HALF_OPEN.ordinal();
  private static final int ESTABLISHED = Connection.Phase.ESTABLISHED.ordinal();
  private static final int CLOSED = Connection.Phase.CLOSED.ordinal();
  private static final int PHASES = Connection.Phase.values().length;
  /** Who goes first when the table is full: the cheapest to lose. */
  private static final int[] EVICTION_ORDER = {HALF_OPEN, CLOSED, ESTABLISHED};
  /**
   * Spare connections kept at most. Expiry frees a second's worth at a time and new connections
   * take them back; the cap returns a spike's memory (a flood's half-open entries timing out
   * together) to the collector.
   */
  static final int MAX_SPARE = 1 << 16;

  private final FlowConfig config;
  private final EventSink sink;
  private final TcpStateMachine machine;
  private Connection[] slots = new Connection[INITIAL_SLOTS];
  /** Each slot's key hash, so a probe rejects a mismatch without touching the connection. */
  private int[] hashes = new int[INITIAL_SLOTS];
  private int mask = INITIAL_SLOTS - 1;
  private int size;
  private final IdleLists idle = new IdleLists(PHASES);
  private final RecentAddresses recent = new RecentAddresses();
  /** This analysis's connection-attribute slots (see {@link ConnectionAttribute}). */
  private final ConnectionAttributes attributes = new ConnectionAttributes();
  /** Removed connections kept for reuse (see {@link Connection#reset()}). */
  private Connection[] spare = new Connection[64];
  private int spareCount;
  private long nextExpiryNanos = Long.MIN_VALUE;
  private long nowNanos = Long.MIN_VALUE;
  private long uidCounter;
  /** The batch being removed ({@link #removeIdle}). */
  private final Connection[] warming = new Connection[IdleLists.BATCH];
  /** Where {@link #warm} puts what it loads, so that the compiler keeps the loads. */
  private long warmth;

  private long created;
  private long expired;
  private long evicted;
  private long portReuses;
  private long endOfInput;
  private int peak;

  public FlowTable(FlowConfig config, EventSink sink) {
    this.config = config;
    this.sink = sink;
    this.machine = new TcpStateMachine(sink);
  }

  public int size() {
    return size;
  }

  /** Removed connections kept for reuse now (at most {@link #MAX_SPARE}). */
  int spares() {
    return spareCount;
  }

  /** The latest packet time seen (Long.MIN_VALUE before the first packet). */
  public long packetTimeNanos() {
    return nowNanos;
  }

  public FlowStats stats() {
    return new FlowStats(created, expired, evicted, portReuses, endOfInput, peak, config.maxFlows());
  }

  /** Processes one decoded TCP segment. */
  public void onSegment(Segment s) {
    long now = s.timestampNanos;
    if (now > nowNanos) {
      nowNanos = now;
    }
    if (nowNanos >= nextExpiryNanos) {
      expire(nowNanos);
      nextExpiryNanos = nowNanos + EXPIRY_STEP_NANOS;
    }
    boolean srcIsA = compare(s.srcHi, s.srcLo, s.srcPort, s.dstHi, s.dstLo, s.dstPort) <= 0;
    long aHi = srcIsA ? s.srcHi : s.dstHi;
    long aLo = srcIsA ? s.srcLo : s.dstLo;
    int aPort = srcIsA ? s.srcPort : s.dstPort;
    long bHi = srcIsA ? s.dstHi : s.srcHi;
    long bLo = srcIsA ? s.dstLo : s.srcLo;
    int bPort = srcIsA ? s.dstPort : s.srcPort;
    int hash = hash(s.ipVersion, aHi, aLo, aPort, bHi, bLo, bPort);
    int i = hash & mask;
    Connection c;
    while ((c = slots[i]) != null) {
      if (hashes[i] == hash && c.aPort == aPort && c.bPort == bPort && c.aLo == aLo && c.bLo == bLo
          && c.aHi == aHi && c.bHi == bHi && c.version == s.ipVersion) {
        break;
      }
      i = (i + 1) & mask;
    }
    if (c == null) {
      c = insert(i, s, hash, aHi, aLo, aPort, bHi, bLo, bPort, srcIsA, null);
    } else if (isReuse(c, s, srcIsA)) {
      Connection previous = c;
      unlinkAndReport(previous, RemovalCause.REUSED, now);
      portReuses++;
      i = slotFor(hash);
      c = insert(i, s, hash, aHi, aLo, aPort, bHi, bLo, bPort, srcIsA, previous);
      recycle(previous); // only now: insert still read it
    }
    boolean isOrig = c.selfConnect ? !s.isSynAck() : srcIsA == c.origIsA;
    machine.update(c, isOrig, s);
    touch(c);
  }

  /** Ends the run: every connection still held is reported, then the table is empty. */
  public void drain() {
    for (int phase = 0; phase < PHASES; phase++) {
      endOfInput += removeIdle(phase, 0, true, RemovalCause.END_OF_INPUT);
    }
  }

  private int slotFor(int hash) {
    int i = hash & mask;
    while (slots[i] != null) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private Connection insert(
      int slot, Segment s, int hash, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort,
      boolean srcIsA, Connection previous) {
    if (size >= config.maxFlows()) {
      evictOne(s.timestampNanos);
      slot = slotFor(hash);
    }
    if ((size + 1) * 2 > slots.length) {
      grow();
      slot = slotFor(hash);
    }
    Connection c = spareCount > 0 ? spare[--spareCount] : new Connection();
    c.version = s.ipVersion;
    c.aHi = aHi;
    c.aLo = aLo;
    c.aPort = aPort;
    c.bHi = bHi;
    c.bLo = bLo;
    c.bPort = bPort;
    c.hash = hash;
    c.selfConnect = aHi == bHi && aLo == bLo && aPort == bPort;
    // The sender of the first packet is orig, unless it is a SYN-ACK: that answers a SYN we
    // did not see, so its sender is the responder (Zeek marks the flip with '^').
    boolean flip = s.isSynAck() && !c.selfConnect;
    c.origIsA = flip != srcIsA;
    if (flip) {
      c.addHistory('^');
    }
    c.startNanos = s.timestampNanos;
    c.startInput = s.inputIndex;
    c.lastNanos = s.timestampNanos;
    IpAddress origHost = recent.address(c.version, c.origIsA ? aHi : bHi, c.origIsA ? aLo : bLo);
    IpAddress respHost = recent.address(c.version, c.origIsA ? bHi : aHi, c.origIsA ? bLo : aLo);
    c.id = new FlowId(++uidCounter, origHost, c.origIsA ? aPort : bPort,
        recent.responder(respHost, c.origIsA ? bPort : aPort), attributes);
    slots[slot] = c;
    hashes[slot] = hash;
    size++;
    created++;
    if (size > peak) {
      peak = size;
    }
    c.row = idle.add(c, HALF_OPEN, c.lastNanos);
    if (previous != null) {
      c.previousUid = previous.id.uid();
      sink.accept(new ConnectionEvent.PortReused(
          s.timestampNanos, c.id, previous.id, previous.lastNanos, previous.connState(), previous.closedFirst));
    }
    if (c.selfConnect) {
      sink.accept(new ConnectionEvent.SelfConnected(s.timestampNanos, c.id, s.frameNumber));
    }
    return c;
  }

  /**
   * A bare SYN with a new ISN starts a new connection on a 4-tuple whose previous connection is
   * over (closed or reset) or never got going (orig's earlier SYN unanswered or refused).
   */
  private static boolean isReuse(Connection c, Segment s, boolean srcIsA) {
    if (!s.isSyn() || (s.flags & TcpFlags.RST) != 0) {
      return false;
    }
    boolean fromOrig = c.selfConnect || srcIsA == c.origIsA;
    Endpoint sender = fromOrig ? c.orig : c.resp;
    if (sender.sawSyn && sender.isn == s.seq) {
      return false; // retransmission
    }
    EndpointState os = c.orig.state;
    EndpointState rs = c.resp.state;
    boolean over = os == EndpointState.RESET || rs == EndpointState.RESET
        || (os == EndpointState.CLOSED && rs == EndpointState.CLOSED);
    if (over) {
      return true;
    }
    if (!fromOrig) {
      return false; // a bare SYN from resp while orig's is pending: simultaneous open
    }
    return !c.handshakeCompleted && c.orig.bareSynSeq >= 0;
  }

  private void evictOne(long now) {
    for (int phase : EVICTION_ORDER) {
      Connection victim = idle.head(phase);
      if (victim != null) {
        evicted++;
        remove(victim, RemovalCause.EVICTED, now);
        return;
      }
    }
  }

  private void expire(long now) {
    expirePhase(HALF_OPEN, now - config.halfOpenTimeoutNanos());
    expirePhase(ESTABLISHED, now - config.establishedTimeoutNanos());
    expirePhase(CLOSED, now - config.closedTimeoutNanos());
  }

  private void expirePhase(int phase, long idleBefore) {
    expired += removeIdle(phase, idleBefore, false, RemovalCause.IDLE_TIMEOUT);
  }

  /**
   * Removes, from the head of {@code phase}'s idle list, the connections last active before
   * {@code idleBefore} (or {@code all} of them), a batch at a time; returns how many.
   */
  private long removeIdle(int phase, long idleBefore, boolean all, RemovalCause cause) {
    long removed = 0;
    int n;
    while ((n = all ? idle.first(phase, warming) : idle.idleBefore(phase, idleBefore, warming)) > 0) {
      warm(n);
      for (int k = 0; k < n; k++) {
        remove(warming[k], cause, nowNanos);
      }
      java.util.Arrays.fill(warming, 0, n, null);
      removed += n;
    }
    return removed;
  }

  /**
   * Brings the first {@code n} connections of {@link #warming} into the caches before they are
   * removed: idle for seconds of packet time, they are far from the processor, and reading each
   * in turn would wait for one miss after the other. These loads are independent of each other,
   * so the processor overlaps them.
   */
  private void warm(int n) {
    long acc = 0;
    for (int k = 0; k < n; k++) {
      Connection c = warming[k];
      acc += c.version + c.lastNanos + c.aPort + c.historyLength;
    }
    Connection[] table = slots;
    for (int k = 0; k < n; k++) {
      Connection c = warming[k];
      acc += c.orig.warm() + c.resp.warm() + c.history.length + c.id.warm() + (table[c.hash & mask] == c ? 1 : 0);
    }
    warmth += acc;
  }

  private void remove(Connection c, RemovalCause cause, long now) {
    unlinkAndReport(c, cause, now);
    recycle(c);
  }

  private void recycle(Connection c) {
    if (spareCount == MAX_SPARE) {
      return;
    }
    c.reset();
    if (spareCount == spare.length) {
      spare = java.util.Arrays.copyOf(spare, spare.length * 2);
    }
    spare[spareCount++] = c;
  }

  /** Takes a connection out of the table and its idle list and reports its summary. */
  private void unlinkAndReport(Connection c, RemovalCause cause, long now) {
    idle.remove(c.row);
    int i = c.hash & mask;
    while (slots[i] != c) {
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe chains intact without tombstones.
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      Connection next = slots[j];
      if (next == null) {
        break;
      }
      int home = hashes[j] & mask; // from the hash array: no trip to the connection itself
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        slots[hole] = next;
        hashes[hole] = hashes[j];
        hole = j;
      }
    }
    slots[hole] = null;
    size--;
    RemovedConnection view = new RemovedConnection(c, cause);
    sink.accept(new ConnectionEvent.Removed(Math.max(now, c.lastNanos), view));
    view.detach();
  }

  private void grow() {
    Connection[] old = slots;
    int[] oldHashes = hashes;
    slots = new Connection[old.length * 2];
    hashes = new int[slots.length];
    mask = slots.length - 1;
    for (int k = 0; k < old.length; k++) {
      if (old[k] != null) {
        int i = oldHashes[k] & mask;
        while (slots[i] != null) {
          i = (i + 1) & mask;
        }
        slots[i] = old[k];
        hashes[i] = oldHashes[k];
      }
    }
  }

  /** Moves a connection to the tail of its phase's idle list (after a possible phase change). */
  private void touch(Connection c) {
    idle.touch(c.row, phaseOf(c), c.lastNanos);
  }

  private static int phaseOf(Connection c) {
    EndpointState os = c.orig.state;
    EndpointState rs = c.resp.state;
    if (os == EndpointState.RESET || rs == EndpointState.RESET
        || (os == EndpointState.CLOSED && rs == EndpointState.CLOSED)) {
      return CLOSED;
    }
    if (c.handshakeCompleted || os == EndpointState.PARTIAL || rs == EndpointState.PARTIAL
        || c.orig.payloadBytesSeen > 0 || c.resp.payloadBytesSeen > 0) {
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
