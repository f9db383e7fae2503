package dev.synscope.report;

import dev.synscope.decode.IpAddress;
import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.RemovalCause;
import dev.synscope.flow.Role;
import dev.synscope.flow.Timestamps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The kernel TCP states of every host's sockets according to the wire, counted as {@code ss -ant}
 * would count them, over time (a sample at the end of each bucket), at the peak and at the end.
 *
 * <p>Each endpoint of a connection moves through the states of RFC 793 as the connection's events
 * prove it: its SYN makes SYN_SENT; its SYN-ACK SYN_RECV; the 3rd ACK ESTABLISHED on both sides;
 * its first FIN FIN_WAIT1 (LAST_ACK after the peer's FIN); the peer's ACK of that FIN takes it on
 * (FIN_WAIT1 to FIN_WAIT2, CLOSING to TIME_WAIT, LAST_ACK to gone) and the peer to CLOSE_WAIT (or
 * from FIN_WAIT1 to CLOSING, from FIN_WAIT2 to TIME_WAIT); a RST ends both. TIME_WAIT lasts 60 s
 * (Linux's TCP_TIMEWAIT_LEN), counted by this census's own clock.
 *
 * <p>A state is <em>estimated</em> when the wire does not show the socket holding it: a server's
 * ESTABLISHED until it sends something after the 3rd ACK (a full accept queue drops that ACK and
 * leaves no socket), a SYN_RECV whose SYN-ACK was never resent (a SYN cookie leaves no request
 * socket; the kernel resends a real one's after 1 s), both sides of a connection picked up
 * mid-stream or answered out of sight of the capture.
 *
 * <p>Bounded: hosts are tracked first come up to a cap, each with a fixed-size series; sockets of
 * further hosts are summed in one row. Per connection it keeps one small code in the connection's
 * attribute column (a shared boxed value: nothing is allocated per connection but the start of a timed state,
 * TIME_WAIT or an unconfirmed SYN_RECV).
 */
final class SocketCensus {
  static final String NAME = "report.census_hosts";
  /** Samples per host: buckets double in width past this. */
  static final int MAX_BUCKETS = 120;
  /** Linux holds TIME_WAIT for TCP_TIMEWAIT_LEN. */
  static final long TIME_WAIT_SECONDS = 60;
  /** Hosts the report lists with their series (the busiest); the rest are summed. */
  static final int LISTED = 16;
  private static final int MAX_OTHER_HOST_NAMES = 10_000;
  private static final long SECOND = 1_000_000_000L;

  static final int NONE = 0;
  static final int SYN_SENT = 1;
  static final int SYN_RECV = 2;
  static final int ESTABLISHED = 3;
  static final int FIN_WAIT1 = 4;
  static final int FIN_WAIT2 = 5;
  static final int CLOSE_WAIT = 6;
  static final int LAST_ACK = 7;
  static final int CLOSING = 8;
  static final int TIME_WAIT = 9;
  /** Lower-case names as {@code /proc/net/tcp} and the host counters spell them, index = state - 1. */
  static final String[] NAMES = {
    "syn_sent", "syn_recv", "established", "fin_wait1", "fin_wait2", "close_wait", "last_ack", "closing", "time_wait"
  };
  private static final int STATES = NAMES.length;

  // One endpoint's code: its state, whether it is estimated, whether its host has a row of its own.
  private static final int STATE_MASK = 0xf;
  private static final int ESTIMATED = 0x10;
  private static final int TRACKED = 0x20;
  private static final int ENDPOINT_BITS = 6;
  private static final int ENDPOINT_MASK = 0x3f;
  /** The connection is one socket talking to itself: only orig's endpoint is counted. */
  private static final int SELF = 1 << 12;
  /** The connection's sockets have ended (RST, close): later segments do not reopen it. */
  private static final int DONE = 1 << 13;
  private static final Integer[] CODES = new Integer[1 << 14];

  static {
    for (int i = 0; i < CODES.length; i++) {
      CODES[i] = i;
    }
  }

  /** The census as the report lists it. */
  record Result(List<Report.HostSockets> hosts, Report.HostsNotListed notListed) {}

  /**
   * A connection with an endpoint in a state that ends by time (TIME_WAIT, a handshake's): its
   * code and the packet time each such endpoint leaves it unless something happens first.
   */
  private record Timed(int code, long origExpiry, long respExpiry) {}

  /**
   * A state that sockets leave by the clock: per host, entries by the second they leave it (at
   * most 63 s ahead, the ring's reach).
   */
  private static final class Timer {
    final int state;
    /** TIME_WAIT's stay; a handshake's comes with each entry, its sender's resend timeout. */
    final long seconds;
    final boolean estimated;
    final int index;
    /** Rows with entries, which the clock visits. */
    final List<HostRow> rows = new ArrayList<>();

    Timer(int index, int state, long seconds, boolean estimated) {
      this.index = index;
      this.state = state;
      this.seconds = seconds;
      this.estimated = estimated;
    }
  }

  private static final int TIMERS = 4;
  private final Timer timeWait = new Timer(0, TIME_WAIT, TIME_WAIT_SECONDS, false);
  /**
   * A SYN_RECV whose SYN-ACK has not been resent: gone when the resend Linux makes after 1 s does
   * not come (a cookie holds no request socket; a dropped request neither).
   */
  private final Timer unconfirmedSynRecv = new Timer(1, SYN_RECV, 0, true);
  /** A request socket, seen resending its SYN-ACK: gone when its next resend does not come. */
  private final Timer synRecv = new Timer(2, SYN_RECV, 0, false);
  /**
   * A client's SYN_SENT: gone when its next SYN is overdue (an application's connect timeout
   * closes the socket without a packet; a spoofed source never had one).
   */
  private final Timer synSent = new Timer(3, SYN_SENT, 0, false);
  private final Timer[] timers = {timeWait, unconfirmedSynRecv, synRecv, synSent};

  private final ConnectionAttribute<Object> key = ConnectionAttribute.create("socket-census");
  private final int maxHosts;
  private final Map<IpAddress, HostRow> rows = new HashMap<>();
  private final HostRow others = new HostRow(null);
  private final Set<IpAddress> otherHostNames = new HashSet<>();
  private int otherHosts;

  private long originSecond = Long.MIN_VALUE;
  private long clockSecond;
  private long clockNanos;
  private long width = 1;
  private int bucket;

  SocketCensus(int maxHosts) {
    this.maxHosts = maxHosts;
  }

  /** One host's sockets by state (index = state - 1). */
  static final class HostRow {
    final IpAddress host;
    final int[] now = new int[STATES];
    final int[] estimated = new int[STATES];
    final int[] max = new int[STATES];
    int total;
    int peakTotal;
    long peakNanos;
    final int[] peakStates = new int[STATES];
    final int[] peakEstimated = new int[STATES];
    /** Per timer, entries by the second they began, in a ring of the last 64 seconds. */
    final int[][] rings = new int[TIMERS][];
    final boolean[] timed = new boolean[TIMERS];
    /** [state][bucket]: the count at the end of each bucket, allocated with the first socket. */
    int[][] series;

    HostRow(IpAddress host) {
      this.host = host;
    }
  }

  void accept(ConnectionEvent event) {
    advance(event.timestampNanos());
    if (event instanceof ConnectionEvent.Attempted a) {
      load(a.id());
      set(Role.ORIG, SYN_SENT, false, expiry(a.timestampNanos(), 0));
    } else if (event instanceof ConnectionEvent.SynRetransmitted r) {
      load(r.id());
      if (state(Role.ORIG) == SYN_SENT) {
        set(Role.ORIG, SYN_SENT, false, expiry(r.timestampNanos(), r.count()));
      }
    } else if (event instanceof ConnectionEvent.SynAckSent s) {
      load(s.id());
      onSynAck(s);
    } else if (event instanceof ConnectionEvent.Established e) {
      load(e.id());
      established(false);
    } else if (event instanceof ConnectionEvent.AnsweredUnseen a) {
      load(a.id());
      established(true);
    } else if (event instanceof ConnectionEvent.DataStarted d) {
      load(d.id());
      spoke(d.by());
    } else if (event instanceof ConnectionEvent.FinSent f) {
      load(f.id());
      onFin(f.by());
    } else if (event instanceof ConnectionEvent.FinAcked f) {
      load(f.id());
      onFinAcked(f.by());
    } else if (event instanceof ConnectionEvent.Rejected || event instanceof ConnectionEvent.Reset) {
      load(event.id()); // refused (ECONNREFUSED), or reset: the sockets on both sides end
      set(Role.ORIG, NONE, false);
      set(Role.RESP, NONE, false);
    } else if (event instanceof ConnectionEvent.SelfConnected s) {
      load(s.id());
      markSelf();
    } else if (event instanceof ConnectionEvent.Closed c) {
      load(c.id());
      if ((code & SELF) != 0) {
        set(Role.ORIG, TIME_WAIT, false); // the one socket took its own FIN and its ACK
      }
    } else if (event instanceof ConnectionEvent.Removed r) {
      load(r.id());
      onRemoved(r.connection());
    } else {
      return;
    }
    store();
  }

  private void onSynAck(ConnectionEvent.SynAckSent s) {
    int resp = state(Role.RESP);
    if (s.afterHandshakeAck()) {
      // The server resent its SYN-ACK after the 3rd ACK: it dropped that ACK and is in SYN_RECV.
      if (resp == ESTABLISHED && estimated(Role.RESP) || resp == SYN_RECV) {
        set(Role.RESP, SYN_RECV, false, expiry(s.timestampNanos(), s.count()));
      }
    } else if (resp == NONE) {
      set(Role.RESP, SYN_RECV, true, expiry(s.timestampNanos(), 0));
    } else if (resp == SYN_RECV && s.count() > 0) {
      // Resent by its timer: a request socket, not a cookie, until its next resend is overdue.
      set(Role.RESP, SYN_RECV, false, expiry(s.timestampNanos(), s.count()));
    }
  }

  private void established(boolean answerUnseen) {
    int orig = state(Role.ORIG);
    if (orig == NONE || orig == SYN_SENT || orig == SYN_RECV) {
      set(Role.ORIG, ESTABLISHED, answerUnseen && orig == NONE);
    }
    int resp = state(Role.RESP);
    if (resp == NONE || resp == SYN_RECV || resp == SYN_SENT) {
      set(Role.RESP, ESTABLISHED, true); // until the server sends something after the 3rd ACK
    }
  }

  /** An endpoint sent a segment that proves its socket: a connection seen mid-stream opens here. */
  private void spoke(Role by) {
    if (code == 0) {
      set(Role.ORIG, ESTABLISHED, true);
      set(Role.RESP, ESTABLISHED, true);
    }
    if (estimated(by) && state(by) == ESTABLISHED) {
      set(by, ESTABLISHED, false);
    }
  }

  private void onFin(Role by) {
    spoke(by);
    int s = state(by);
    if (s == CLOSE_WAIT) {
      set(by, LAST_ACK, false);
    } else if (s == ESTABLISHED || s == SYN_RECV || s == SYN_SENT) {
      set(by, FIN_WAIT1, false);
    }
  }

  private void onFinAcked(Role by) {
    Role acker = by.peer();
    spoke(acker);
    switch (state(by)) {
      case FIN_WAIT1 -> set(by, FIN_WAIT2, false);
      case CLOSING -> set(by, TIME_WAIT, false);
      case LAST_ACK -> set(by, NONE, false);
      default -> {}
    }
    // The acker took the FIN.
    switch (state(acker)) {
      case ESTABLISHED, SYN_RECV -> set(acker, CLOSE_WAIT, false);
      case FIN_WAIT1 -> set(acker, CLOSING, false);
      case FIN_WAIT2 -> set(acker, TIME_WAIT, false);
      default -> {}
    }
  }

  private void markSelf() {
    if (state(Role.RESP) != NONE) {
      set(Role.RESP, NONE, false);
    }
    code |= SELF;
  }

  private void onRemoved(ConnectionSummary s) {
    if (s.removal() == RemovalCause.END_OF_INPUT) {
      // Still open at the end, which is what the census counts. The clock expires a handshake's
      // state in whole seconds; at the end the handshake's own timer decides exactly: one whose
      // next resend was due before the last moment seen is gone (the client gave up, the server
      // dropped the request or never held one).
      if (state(Role.ORIG) == SYN_SENT && origExpiry >= 0 && clockNanos > origExpiry) {
        set(Role.ORIG, NONE, false);
      }
      if (state(Role.RESP) == SYN_RECV && respExpiry >= 0 && clockNanos > respExpiry) {
        set(Role.RESP, NONE, false);
      }
      return;
    }
    for (Role role : Role.values()) {
      int st = state(role);
      // A TIME_WAIT socket outlives the table's entry (the census times it), unless a new
      // connection took over its 4-tuple.
      if (st != NONE && (st != TIME_WAIT || s.removal() == RemovalCause.REUSED)) {
        set(role, NONE, false);
      }
    }
    code = 0; // the connection is gone: its row's slot is freed
    origExpiry = -1;
    respExpiry = -1;
  }

  /**
   * How long a Linux stack waits after its n-th SYN (or SYN-ACK) retransmission before the next
   * one, or before it gives up: 1 s doubling (6.5+ sends its first SYN retransmissions 1 s
   * apart, sooner still), with a quarter of a second of slack (its timers run to the millisecond).
   */
  static long resendTimerNanos(int retransmissions) {
    return (1L << Math.min(retransmissions, 10)) * SECOND + SECOND / 4;
  }

  /** When the n-th resend's timer runs out, within the rings' reach (63 s). */
  private long expiry(long sentNanos, int retransmissions) {
    return Math.min(sentNanos + resendTimerNanos(retransmissions), (clockSecond + 63) * SECOND);
  }

  /** The whole second at which the clock takes an entry due at {@code expiryNanos}. */
  private static long dueSecond(long expiryNanos) {
    return Math.floorDiv(expiryNanos - 1, SECOND) + 1;
  }

  // --- the connection an event is about: read once, changed in place, written once ---

  private FlowId current;
  private Object loaded;
  private int code;
  /** Packet time each endpoint leaves its timed state, or -1. */
  private long origExpiry;
  private long respExpiry;

  private void load(FlowId id) {
    current = id;
    Object v = id.get(key);
    loaded = v;
    if (v instanceof Timed c) {
      code = c.code;
      origExpiry = c.origExpiry;
      respExpiry = c.respExpiry;
    } else {
      code = v == null ? 0 : (Integer) v;
      origExpiry = -1;
      respExpiry = -1;
    }
  }

  private void store() {
    Object v;
    if (origExpiry >= 0 || respExpiry >= 0) {
      v = loaded instanceof Timed c && c.code == code && c.origExpiry == origExpiry && c.respExpiry == respExpiry
          ? loaded : new Timed(code, origExpiry, respExpiry);
    } else {
      v = code == 0 ? null : CODES[code];
    }
    if (v != loaded) {
      current.set(key, v);
    }
    current = null;
    loaded = null;
  }

  private int endpoint(Role role) {
    return role == Role.ORIG ? code & ENDPOINT_MASK : code >>> ENDPOINT_BITS & ENDPOINT_MASK;
  }

  private int state(Role role) {
    return endpoint(role) & STATE_MASK;
  }

  private boolean estimated(Role role) {
    return (endpoint(role) & ESTIMATED) != 0;
  }

  /** Moves one endpoint to {@code next} (NONE: its socket is gone), updating its host's counts. */
  private void set(Role role, int next, boolean estimate) {
    Timer timer = timerOf(next, estimate);
    set(role, next, estimate, timer == null ? -1 : (clockSecond + timer.seconds) * SECOND);
  }

  /** As above, with the packet time a timed state ends (a state it is in already is re-armed). */
  private void set(Role role, int next, boolean estimate, long expiry) {
    if ((code & SELF) != 0 && role == Role.RESP) {
      return; // the one socket is counted once, as orig
    }
    int old = endpoint(role);
    int oldState = old & STATE_MASK;
    int nextCode = next == NONE ? 0 : next | (estimate ? ESTIMATED : 0);
    boolean timed = timerOf(next, estimate) != null;
    if ((old == nextCode || (old & ~TRACKED) == nextCode) && !timed) {
      return;
    }
    if (next == NONE) {
      code |= DONE;
    }
    boolean orig = role == Role.ORIG;
    HostRow row;
    if (oldState != NONE) {
      row = (old & TRACKED) != 0 ? row(orig) : others;
      remove(row, oldState, (old & ESTIMATED) != 0, orig ? origExpiry : respExpiry);
    } else {
      row = next == NONE ? null : admit(orig);
    }
    if (next != NONE) {
      if (row != others) {
        nextCode |= TRACKED;
      }
      add(row, next, estimate, expiry);
    }
    long due = timed ? expiry : -1;
    if (orig) {
      origExpiry = due;
      code = code & ~ENDPOINT_MASK | nextCode;
    } else {
      respExpiry = due;
      code = code & ~(ENDPOINT_MASK << ENDPOINT_BITS) | nextCode << ENDPOINT_BITS;
    }
  }

  // The host rows last used for each side: most events of a capture concern a few servers.
  private IpAddress lastOrigHost;
  private HostRow lastOrigRow;
  private IpAddress lastRespHost;
  private HostRow lastRespRow;

  /** The row of a tracked endpoint's host. */
  private HostRow row(boolean orig) {
    IpAddress host = orig ? current.origHost() : current.respHost();
    if (orig ? host == lastOrigHost : host == lastRespHost) {
      return orig ? lastOrigRow : lastRespRow;
    }
    HostRow row = rows.get(host);
    remember(orig, host, row);
    return row;
  }

  private void remember(boolean orig, IpAddress host, HostRow row) {
    if (orig) {
      lastOrigHost = host;
      lastOrigRow = row;
    } else {
      lastRespHost = host;
      lastRespRow = row;
    }
  }

  /** The row of the endpoint's host, made if there is room; else the row of the other hosts. */
  private HostRow admit(boolean orig) {
    HostRow row = row(orig);
    if (row != null) {
      return row;
    }
    IpAddress host = orig ? current.origHost() : current.respHost();
    if (rows.size() < maxHosts) {
      row = new HostRow(host);
      rows.put(host, row);
      remember(orig, host, row);
      return row;
    }
    if (otherHostNames.size() < MAX_OTHER_HOST_NAMES && otherHostNames.add(host)) {
      otherHosts++;
    }
    return others;
  }

  private void add(HostRow row, int state, boolean estimate, long expiry) {
    int i = state - 1;
    row.now[i]++;
    row.total++;
    if (estimate) {
      row.estimated[i]++;
    }
    row.max[i] = Math.max(row.max[i], row.now[i]);
    if (row.total > row.peakTotal) {
      row.peakTotal = row.total;
      row.peakNanos = clockNanos;
      System.arraycopy(row.now, 0, row.peakStates, 0, STATES);
      System.arraycopy(row.estimated, 0, row.peakEstimated, 0, STATES);
    }
    Timer timer = timerOf(state, estimate);
    if (timer != null) {
      int t = timer.index;
      if (row.rings[t] == null) {
        row.rings[t] = new int[64];
      }
      row.rings[t][(int) (dueSecond(expiry) & 63)]++;
      if (!row.timed[t]) {
        row.timed[t] = true;
        timer.rows.add(row);
      }
    }
    sample(row, i);
  }

  private Timer timerOf(int state, boolean estimate) {
    if (state == TIME_WAIT) {
      return timeWait;
    }
    if (state == SYN_RECV) {
      return estimate ? unconfirmedSynRecv : synRecv;
    }
    return state == SYN_SENT ? synSent : null;
  }

  /** Takes a socket out of {@code state}; a timed one only if the clock has not taken it already. */
  private void remove(HostRow row, int state, boolean estimate, long expiry) {
    int i = state - 1;
    Timer timer = timerOf(state, estimate);
    if (timer != null) {
      long due = dueSecond(expiry);
      if (expiry < 0 || clockSecond >= due) {
        return; // expired by the clock already
      }
      row.rings[timer.index][(int) (due & 63)]--;
    }
    row.now[i]--;
    row.total--;
    if (estimate) {
      row.estimated[i]--;
    }
    sample(row, i);
  }

  private void sample(HostRow row, int i) {
    if (row.series == null) {
      row.series = new int[STATES][MAX_BUCKETS];
    }
    row.series[i][bucket] = row.now[i];
  }

  // --- the clock ---

  /** Moves the census's clock to a packet time: expires TIME_WAIT second by second, opens buckets. */
  void advance(long nanos) {
    long second = Math.floorDiv(nanos, SECOND);
    if (originSecond == Long.MIN_VALUE) {
      originSecond = second;
      clockSecond = second;
      clockNanos = nanos;
      return;
    }
    if (nanos > clockNanos) {
      clockNanos = nanos;
    }
    if (second <= clockSecond) {
      return;
    }
    // Past 64 s of silence every ring slot has been expired: no need to step further.
    long steps = Math.min(second - clockSecond, 64);
    for (long k = 0; k < steps; k++) {
      clockSecond++;
      moveBucket(clockSecond);
      for (Timer timer : timers) {
        expire(timer, clockSecond);
      }
    }
    if (clockSecond < second) {
      clockSecond = second;
      moveBucket(second);
    }
  }

  /** The entries of {@code timer} due at {@code second} leave their state now. */
  private void expire(Timer timer, long second) {
    int slot = (int) (second & 63);
    int t = timer.index;
    int i = timer.state - 1;
    List<HostRow> rows = timer.rows;
    for (int k = rows.size() - 1; k >= 0; k--) {
      HostRow row = rows.get(k);
      int[] ring = row.rings[t];
      int n = ring[slot];
      if (n > 0) {
        ring[slot] = 0;
        row.now[i] -= n;
        row.total -= n;
        if (timer.estimated) {
          row.estimated[i] -= n;
        }
        sample(row, i);
      }
      if (isEmpty(ring)) {
        row.timed[t] = false;
        rows.set(k, rows.get(rows.size() - 1));
        rows.remove(rows.size() - 1);
      }
    }
  }

  private static boolean isEmpty(int[] ring) {
    for (int n : ring) {
      if (n != 0) {
        return false;
      }
    }
    return true;
  }

  /** Opens the bucket of {@code second}: every host's counts carry into it. */
  private void moveBucket(long second) {
    long offset = second - originSecond;
    while (offset / width >= MAX_BUCKETS) {
      widen();
    }
    int b = (int) (offset / width);
    if (b == bucket) {
      return;
    }
    for (HostRow row : rows.values()) {
      carry(row, b);
    }
    carry(others, b);
    bucket = b;
  }

  private void carry(HostRow row, int b) {
    if (row.series == null) {
      return;
    }
    for (int i = 0; i < STATES; i++) {
      Arrays.fill(row.series[i], bucket + 1, b + 1, row.now[i]);
    }
  }

  /** Halves the resolution: a wider bucket's sample is the one at the end of its second half. */
  private void widen() {
    for (HostRow row : rows.values()) {
      halve(row);
    }
    halve(others);
    width *= 2;
    bucket /= 2;
  }

  private void halve(HostRow row) {
    if (row.series == null) {
      return;
    }
    for (int[] s : row.series) {
      for (int k = 0; k < MAX_BUCKETS / 2; k++) {
        s[k] = 2 * k + 1 <= bucket ? s[2 * k + 1] : s[2 * k];
      }
      Arrays.fill(s, MAX_BUCKETS / 2, MAX_BUCKETS, 0);
    }
  }

  // --- the result ---

  /** Hosts with a row of their own; refused counts the further hosts (up to 10 000 told apart). */
  StateTableStats stats() {
    return StateTableStats.refusing(NAME, maxHosts, rows.size(), otherHosts);
  }

  /** The census at {@code endNanos} (the capture's last packet), or null when no socket was seen. */
  Result build(long endNanos) {
    if (originSecond == Long.MIN_VALUE) {
      return null;
    }
    if (endNanos != Long.MIN_VALUE) {
      advance(endNanos);
    }
    List<HostRow> seen = new ArrayList<>();
    for (HostRow r : rows.values()) {
      if (r.peakTotal > 0) {
        seen.add(r);
      }
    }
    seen.sort(Comparator.comparingInt((HostRow r) -> r.peakTotal).reversed()
        .thenComparing(r -> r.host.toString()));
    int buckets = bucket + 1;
    String start = Timestamps.iso(originSecond * SECOND);
    List<Report.HostSockets> listed = new ArrayList<>();
    int[] restAtEnd = new int[STATES];
    for (int k = 0; k < seen.size(); k++) {
      HostRow r = seen.get(k);
      if (k < LISTED) {
        listed.add(new Report.HostSockets(r.host.toString(), hostStates(r, start, buckets)));
      } else {
        addTo(restAtEnd, r.now);
      }
    }
    addTo(restAtEnd, others.now);
    int notListed = Math.max(0, seen.size() - LISTED) + otherHosts;
    Report.HostsNotListed rest = notListed == 0 ? null
        : new Report.HostsNotListed(Math.max(0, seen.size() - LISTED), otherHosts, named(restAtEnd));
    return new Result(listed, rest);
  }

  private Report.SocketStates hostStates(HostRow r, String start, int buckets) {
    Map<String, long[]> series = new LinkedHashMap<>();
    for (int i = 0; i < STATES; i++) {
      if (r.max[i] > 0) {
        long[] s = new long[buckets];
        for (int b = 0; b < buckets; b++) {
          s[b] = r.series[i][b];
        }
        series.put(NAMES[i], s);
      }
    }
    return new Report.SocketStates(
        r.total, named(r.now), nonZero(r.estimated),
        new Report.SocketPeak(r.peakTotal, Timestamps.iso(r.peakNanos), named(r.peakStates), nonZero(r.peakEstimated)),
        nonZero(r.max),
        new Report.SocketSeries(start, width, buckets, series));
  }

  private static void addTo(int[] sum, int[] add) {
    for (int i = 0; i < STATES; i++) {
      sum[i] += add[i];
    }
  }

  /** Every state, zeros included, in kernel order. */
  private static Map<String, Long> named(int[] counts) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < STATES; i++) {
      m.put(NAMES[i], (long) counts[i]);
    }
    return m;
  }

  /** The states with a count, or null when none has. */
  private static Map<String, Long> nonZero(int[] counts) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < STATES; i++) {
      if (counts[i] != 0) {
        m.put(NAMES[i], (long) counts[i]);
      }
    }
    return m.isEmpty() ? null : m;
  }
}
