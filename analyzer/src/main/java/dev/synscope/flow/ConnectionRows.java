package dev.synscope.flow;

import dev.synscope.decode.Segment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Every tracked connection's state as a row of primitive arrays (a struct of arrays), in place
 * of a connection object, two endpoint objects, an id and a history array per connection: a
 * million connections are a few dozen arrays, not four million objects, and nothing in them is
 * a reference the collector has to follow. Connection columns are indexed by row; endpoint
 * columns by {@code row * 2 + side} (side 0 orig, 1 resp), so the endpoint logic is written
 * once and parameterised by direction.
 *
 * <p>Fields a connection needs only once it carries data, closes or resets (payload counts, FIN
 * and RST facts, retransmissions, zero windows) live in a second, cold set of rows that a
 * connection takes on first need: a flood's half-open entries and a handshake that stays open
 * never pay for them. Both sets grow by doubling up to the table's capacity; freed rows are
 * reused.
 *
 * <p>Values are kept in the narrowest type that holds them: sequence numbers as ints (their 32
 * bits), options packed in a long, and -1 sentinels replaced by presence bits where a field is
 * narrower than its sentinel.
 */
final class ConnectionRows {
  static final int ORIG = 0;
  static final int RESP = 1;

  // Connection flag bits (flags column).
  static final int F_V6 = 1;
  static final int F_ORIG_IS_A = 1 << 1;
  static final int F_SELF = 1 << 2;
  static final int F_SIM_OPEN = 1 << 3;
  static final int F_HANDSHAKE = 1 << 4;
  static final int F_CLOSED_EMITTED = 1 << 5;
  static final int F_REJECT_EMITTED = 1 << 6;
  static final int F_CLOSED_FIRST_ORIG = 1 << 7;
  static final int F_CLOSED_FIRST_RESP = 1 << 8;

  // Endpoint bits (bits column).
  static final int E_SEQ_INIT = 1;
  static final int E_SAW_SYN = 1 << 1;
  static final int E_BARE_SYN = 1 << 2;
  static final int E_SYNACK_SEQ = 1 << 3;
  static final int E_HIST_SYN = 1 << 4;
  static final int E_HIST_FIN = 1 << 5;
  static final int E_HIST_RST = 1 << 6;
  static final int E_TS_AFTER_SYN = 1 << 7;

  // Zeek's history flags (histFlags column): a letter is logged the first time, and S/H/F/R
  // again only when the sequence number differs.
  static final int HIST_SYN = 1;
  static final int HIST_FIN = 2;
  static final int HIST_RST = 4;
  static final int HIST_ACK = 8;
  static final int HIST_DATA = 16;
  static final int HIST_FIN_RST = 32;
  static final int HIST_MULTI_FLAG = 64;

  private static final EndpointState[] STATES = EndpointState.values();
  private static final int INITIAL_ROWS = 1 << 10;
  private static final long NONE = -1;

  private final int maxRows;
  private int rows;
  /** Rows handed out so far; below it, free rows are chained through {@link #idleNext}. */
  private int used;
  private int freeRow = -1;
  private int live;

  // ---- connection columns
  long[] aHi;
  long[] aLo;
  long[] bHi;
  long[] bLo;
  /** aPort << 16 | bPort. */
  int[] ports;
  long[] serial;
  long[] startNanos;
  long[] lastNanos;
  int[] flags;
  int[] startInput;
  /** The first eight history letters, one per byte from the lowest; more in {@link #moreHistory}. */
  long[] history;
  long[] synNanos;
  long[] synAckNanos;
  long[] ackNanos;
  long[] ackFrame;
  int[] ackInput;
  long[] synToSynAckNanos;
  long[] synAckToAckNanos;
  int[] synAcksAfterAck;
  /** Idle-list links and phase ({@link IdleLists}). */
  int[] idlePrev;
  int[] idleNext;
  byte[] phase;
  /** Cold row + 1, or 0. */
  int[] cold;

  // ---- endpoint columns (row * 2 + side)
  byte[] state;
  byte[] prevState;
  byte[] histFlags;
  short[] bits;
  int[] startSeq;
  int[] lastSeq;
  int[] ackSeq;
  int[] isn;
  int[] histLastSyn;
  int[] bareSynSeq;
  int[] synAckSeq;
  int[] synRetransmissions;
  int[] synAcksSent;
  long[] packets;
  // Its first SYN or SYN-ACK (present when E_SAW_SYN).
  long[] eSynNanos;
  /** frame << 16 | input. */
  long[] eSynFrameInput;
  int[] eSynSeq;
  int[] eSynAck;
  /** {@link #packOptions}. */
  long[] eSynOptions;
  int[] eSynTsVal;
  int[] eSynTsEcr;
  /** tfo + 1 | optionCount << 8 | payloadLength << 16. */
  int[] eSynMisc;
  int[] tsValAfterSyn;
  long[] tsValAfterSynNanos;

  // ---- cold endpoint columns (cold row * 2 + side)
  private int coldRows;
  private int coldUsed;
  private int coldFree = -1;
  long[] payloadBytesSeen;
  long[] firstFinNanos;
  long[] firstDataNanos;
  int[] finCount;
  int[] rstCount;
  int[] retransmits;
  int[] zeroWindows;
  int[] histLastFin;
  int[] histLastRst;
  /** The first RST: its time (-1 when none), frame << 16 | input, seq, ack, payloadLength | withAck << 31. */
  long[] rstNanos;
  long[] rstFrameInput;
  int[] rstSeq;
  int[] rstAck;
  int[] rstMisc;

  /** History letters past the eighth, by row (rare: long-lived, eventful connections). */
  private final Map<Integer, StringBuilder> moreHistory = new HashMap<>();
  /** The uid of the connection whose 4-tuple a row's connection reused, by row (rare). */
  private final Map<Integer, String> previousUid = new HashMap<>();
  /** Consumers' per-connection values ({@link ConnectionAttribute}), a column per slot in use. */
  private Object[][] attributeColumns = new Object[0][];

  ConnectionRows(int maxRows) {
    this.maxRows = maxRows;
    int n = Math.min(INITIAL_ROWS, Math.max(1, maxRows));
    allocate(n);
    allocateCold(Math.min(n, 256));
  }

  /** Connections held now. */
  int live() {
    return live;
  }

  /** A free row, reset to a new connection's values. */
  int allocate() {
    int r;
    if (freeRow >= 0) {
      r = freeRow;
      freeRow = idleNext[r];
    } else {
      if (used == rows) {
        allocate(Math.min(Math.max(rows * 2, 1), Math.max(maxRows, rows + 1)));
      }
      r = used++;
    }
    clear(r);
    live++;
    return r;
  }

  /** Gives the row back; its values stay until it is handed out again. */
  void free(int r) {
    int c = cold[r] - 1;
    if (c >= 0) {
      coldFreeChain(c);
      cold[r] = 0;
    }
    if ((history[r] >>> 56) != 0) {
      moreHistory.remove(r);
    }
    if (!previousUid.isEmpty()) {
      previousUid.remove(r);
    }
    for (Object[] column : attributeColumns) {
      if (column != null) {
        column[r] = null;
      }
    }
    serial[r] = 0; // ids of the old connection no longer reach this row
    idleNext[r] = freeRow;
    freeRow = r;
    live--;
  }

  private void clear(int r) {
    aHi[r] = 0;
    aLo[r] = 0;
    bHi[r] = 0;
    bLo[r] = 0;
    ports[r] = 0;
    serial[r] = 0;
    startNanos[r] = 0;
    lastNanos[r] = 0;
    flags[r] = 0;
    startInput[r] = 0;
    history[r] = 0;
    synNanos[r] = NONE;
    synAckNanos[r] = NONE;
    ackNanos[r] = NONE;
    ackFrame[r] = 0;
    ackInput[r] = 0;
    synToSynAckNanos[r] = NONE;
    synAckToAckNanos[r] = NONE;
    synAcksAfterAck[r] = 0;
    cold[r] = 0;
    for (int e = r * 2; e < r * 2 + 2; e++) {
      state[e] = 0;
      prevState[e] = 0;
      histFlags[e] = 0;
      bits[e] = 0;
      startSeq[e] = 0;
      lastSeq[e] = 0;
      ackSeq[e] = 0;
      isn[e] = 0;
      histLastSyn[e] = 0;
      bareSynSeq[e] = 0;
      synAckSeq[e] = 0;
      synRetransmissions[e] = 0;
      synAcksSent[e] = 0;
      packets[e] = 0;
      tsValAfterSyn[e] = 0;
      tsValAfterSynNanos[e] = NONE;
    }
  }

  // ---- endpoints

  static int endpoint(int r, int side) {
    return r * 2 + side;
  }

  static int peer(int e) {
    return e ^ 1;
  }

  static int rowOf(int e) {
    return e >> 1;
  }

  EndpointState state(int e) {
    return STATES[state[e]];
  }

  void setState(int e, EndpointState next) {
    prevState[e] = state[e];
    state[e] = (byte) next.ordinal();
  }

  boolean has(int e, int bit) {
    return (bits[e] & bit) != 0;
  }

  void set(int e, int bit) {
    bits[e] |= (short) bit;
  }

  boolean flag(int r, int bit) {
    return (flags[r] & bit) != 0;
  }

  void setFlag(int r, int bit) {
    flags[r] |= bit;
  }

  /** Unsigned 32-bit value of an int column. */
  static long u32(int v) {
    return v & 0xffffffffL;
  }

  /** The ISN, or -1 when no SYN was seen from it. */
  long isn(int e) {
    return has(e, E_SAW_SYN) ? u32(isn[e]) : NONE;
  }

  long bareSynSeq(int e) {
    return has(e, E_BARE_SYN) ? u32(bareSynSeq[e]) : NONE;
  }

  long synAckSeq(int e) {
    return has(e, E_SYNACK_SEQ) ? u32(synAckSeq[e]) : NONE;
  }

  long histLastSyn(int e) {
    return has(e, E_HIST_SYN) ? u32(histLastSyn[e]) : NONE;
  }

  long histLastFin(int e) {
    int c = coldEndpoint(e);
    return c >= 0 && has(e, E_HIST_FIN) ? u32(histLastFin[c]) : NONE;
  }

  long histLastRst(int e) {
    int c = coldEndpoint(e);
    return c >= 0 && has(e, E_HIST_RST) ? u32(histLastRst[c]) : NONE;
  }

  // ---- first SYN of an endpoint

  /** Keeps {@code s} as this side's first SYN or SYN-ACK (the caller sets E_SAW_SYN). */
  void recordSyn(int e, Segment s) {
    eSynNanos[e] = s.timestampNanos;
    eSynFrameInput[e] = s.frameNumber << 16 | (s.inputIndex & 0xffff);
    eSynSeq[e] = (int) s.seq;
    eSynAck[e] = (int) s.ack;
    eSynOptions[e] = packOptions(s);
    eSynTsVal[e] = (int) s.tsVal;
    eSynTsEcr[e] = (int) s.tsEcr;
    eSynMisc[e] = (s.tfoCookieLength + 1) & 0xff | (s.optionCount & 0xff) << 8 | (s.payloadLength & 0xffff) << 16;
  }

  /** flags (9 bits) | window (16) | ttl (8) | mss + 1 (17) | window scale + 1 (9) | SACK | TS. */
  private static long packOptions(Segment s) {
    return (s.flags & 0x1ffL)
        | (long) (s.window & 0xffff) << 9
        | (long) (s.ttl & 0xff) << 25
        | (long) ((s.mss + 1) & 0x1ffff) << 33
        | (long) ((s.windowScale + 1) & 0x1ff) << 50
        | (s.sackPermitted ? 1L << 59 : 0)
        | (s.hasTimestamps ? 1L << 60 : 0);
  }

  int synFlags(int e) {
    return (int) (eSynOptions[e] & 0x1ff);
  }

  int synTtl(int e) {
    return (int) (eSynOptions[e] >>> 25) & 0xff;
  }

  long synSeq(int e) {
    return u32(eSynSeq[e]);
  }

  int synPayloadLength(int e) {
    return eSynMisc[e] >>> 16;
  }

  long synFrame(int e) {
    return eSynFrameInput[e] >>> 16;
  }

  int synInput(int e) {
    return (int) (eSynFrameInput[e] & 0xffff);
  }

  /** Its first SYN or SYN-ACK as a value, or null; made on each call. */
  SynInfo syn(int e) {
    if (!has(e, E_SAW_SYN)) {
      return null;
    }
    long o = eSynOptions[e];
    int misc = eSynMisc[e];
    return new SynInfo(
        eSynNanos[e], synFrame(e), synInput(e), u32(eSynSeq[e]), u32(eSynAck[e]), (int) (o & 0x1ff),
        (int) (o >>> 9) & 0xffff, (int) (o >>> 25) & 0xff, (int) ((o >>> 33) & 0x1ffff) - 1,
        (int) ((o >>> 50) & 0x1ff) - 1, (o & 1L << 59) != 0, (o & 1L << 60) != 0, u32(eSynTsVal[e]),
        u32(eSynTsEcr[e]), (misc & 0xff) - 1, (misc >>> 8) & 0xff, misc >>> 16);
  }

  // ---- cold fields

  /** The endpoint's cold index, or -1 when its connection has none yet. */
  int coldEndpoint(int e) {
    int c = cold[e >> 1] - 1;
    return c < 0 ? -1 : c * 2 + (e & 1);
  }

  /** The endpoint's cold index, taking a cold row for its connection if it has none. */
  int coldEndpointForWrite(int e) {
    int r = e >> 1;
    int c = cold[r] - 1;
    if (c < 0) {
      c = allocateColdRow();
      cold[r] = c + 1;
    }
    return c * 2 + (e & 1);
  }

  private int allocateColdRow() {
    int c;
    if (coldFree >= 0) {
      c = coldFree;
      coldFree = finCount[c * 2]; // free cold rows are chained through orig's finCount
    } else {
      if (coldUsed == coldRows) {
        allocateCold(Math.min(Math.max(coldRows * 2, 1), Math.max(maxRows, coldRows + 1)));
      }
      c = coldUsed++;
    }
    for (int ce = c * 2; ce < c * 2 + 2; ce++) {
      payloadBytesSeen[ce] = 0;
      firstFinNanos[ce] = NONE;
      firstDataNanos[ce] = NONE;
      finCount[ce] = 0;
      rstCount[ce] = 0;
      retransmits[ce] = 0;
      zeroWindows[ce] = 0;
      histLastFin[ce] = 0;
      histLastRst[ce] = 0;
      rstNanos[ce] = NONE;
      rstFrameInput[ce] = 0;
      rstSeq[ce] = 0;
      rstAck[ce] = 0;
      rstMisc[ce] = 0;
    }
    return c;
  }

  private void coldFreeChain(int c) {
    finCount[c * 2] = coldFree;
    coldFree = c;
  }

  long payloadBytesSeen(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : payloadBytesSeen[c];
  }

  int finCount(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : finCount[c];
  }

  int rstCount(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : rstCount[c];
  }

  long firstFinNanos(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? NONE : firstFinNanos[c];
  }

  long firstDataNanos(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? NONE : firstDataNanos[c];
  }

  long retransmits(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : retransmits[c];
  }

  long zeroWindows(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : zeroWindows[c];
  }

  boolean hasRst(int e) {
    int c = coldEndpoint(e);
    return c >= 0 && rstNanos[c] >= 0;
  }

  /** Its first RST as a value, or null; made on each call. */
  RstInfo firstRst(int e) {
    int c = coldEndpoint(e);
    if (c < 0 || rstNanos[c] < 0) {
      return null;
    }
    return new RstInfo(rstNanos[c], rstFrameInput[c] >>> 16, (int) (rstFrameInput[c] & 0xffff), u32(rstSeq[c]),
        u32(rstAck[c]), rstMisc[c] < 0, rstMisc[c] & 0x7fffffff);
  }

  void recordRst(int ce, Segment s, boolean withAck) {
    rstNanos[ce] = s.timestampNanos;
    rstFrameInput[ce] = s.frameNumber << 16 | (s.inputIndex & 0xffff);
    rstSeq[ce] = (int) s.seq;
    rstAck[ce] = (int) s.ack;
    rstMisc[ce] = (s.payloadLength & 0x7fffffff) | (withAck ? 1 << 31 : 0);
  }

  long tsValAfterSyn(int e) {
    return has(e, E_TS_AFTER_SYN) ? u32(tsValAfterSyn[e]) : NONE;
  }

  /** Bytes by sequence space (Zeek's endpoint size): payload between the start and the last seq. */
  long size(int e) {
    if (!has(e, E_SEQ_INIT)) {
      return 0;
    }
    // Zeek's Size(): from the start to the larger of last seq and acked seq, less the SYN octet
    // (assumed even mid-stream, where the start was set one before the first seq) and the FIN.
    if (prevState[e] == EndpointState.SYN_SENT.ordinal() && state[e] == EndpointState.RESET.ordinal()) {
      return 0;
    }
    long end = (ackSeq[e] - lastSeq[e]) > 0 ? u32(ackSeq[e]) : u32(lastSeq[e]);
    long span = (end - u32(startSeq[e])) & 0xffffffffL;
    if (span > 0) span--;
    if (finCount(e) > 0 && span > 0) span--;
    return span;
  }

  // ---- history

  void addHistory(int r, char c) {
    long h = history[r];
    int n = historyLength(h);
    if (n < 7) {
      history[r] = h | (long) (c & 0x7f) << (n * 8);
    } else if (n == 7) {
      // The eighth byte marks "more": the letters from the eighth on are kept aside.
      history[r] = h | 0x80L << 56;
      moreHistory.computeIfAbsent(r, k -> new StringBuilder()).append(c);
    } else {
      moreHistory.get(r).append(c);
    }
  }

  private static int historyLength(long h) {
    if ((h >>> 56) != 0) {
      return 8;
    }
    return (64 - Long.numberOfLeadingZeros(h) + 7) / 8;
  }

  String history(int r) {
    long h = history[r];
    StringBuilder sb = new StringBuilder(12);
    for (int i = 0; i < 7; i++) {
      int c = (int) (h >>> (i * 8)) & 0x7f;
      if (c == 0) {
        break;
      }
      sb.append((char) c);
    }
    if ((h >>> 56) != 0) {
      sb.append(moreHistory.get(r));
    }
    return sb.toString();
  }

  /** Zeek's pattern for RSTOS0: {@code ^?S[^HAFGIQ]*R.*}. */
  boolean historyMatchesRstos0(int r) {
    String h = history(r);
    int i = 0;
    if (i < h.length() && h.charAt(i) == '^') i++;
    if (i >= h.length() || h.charAt(i) != 'S') return false;
    for (i++; i < h.length(); i++) {
      char c = h.charAt(i);
      if (c == 'R') return true;
      if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
    }
    return false;
  }

  void setPreviousUid(int r, String uid) {
    previousUid.put(r, uid);
  }

  String previousUid(int r) {
    return previousUid.isEmpty() ? null : previousUid.get(r);
  }

  Role closedFirst(int r) {
    int f = flags[r];
    return (f & F_CLOSED_FIRST_ORIG) != 0 ? Role.ORIG : (f & F_CLOSED_FIRST_RESP) != 0 ? Role.RESP : null;
  }

  /** Zeek's conn_state, from the two endpoint states and the history. */
  String connState(int r) {
    int o = r * 2;
    EndpointState os = state(o);
    EndpointState rs = state(o + 1);
    boolean oInactive = os == EndpointState.INACTIVE || os == EndpointState.PARTIAL;
    boolean rInactive = rs == EndpointState.INACTIVE || rs == EndpointState.PARTIAL;
    if (rs == EndpointState.RESET) {
      if (os == EndpointState.SYN_SENT || os == EndpointState.SYN_ACK_SENT
          || (os == EndpointState.RESET && size(o) == 0 && size(o + 1) == 0)) {
        return "REJ";
      }
      return oInactive ? "RSTRH" : "RSTR";
    }
    if (os == EndpointState.RESET) {
      if (rInactive) {
        return historyMatchesRstos0(r) ? "RSTOS0" : "OTH";
      }
      return "RSTO";
    }
    if (rs == EndpointState.CLOSED && os == EndpointState.CLOSED) return "SF";
    if (os == EndpointState.CLOSED) return rInactive ? "SH" : "S2";
    if (rs == EndpointState.CLOSED) return oInactive ? "SHR" : "S3";
    if (os == EndpointState.SYN_SENT && rs == EndpointState.INACTIVE) return "S0";
    if (os == EndpointState.ESTABLISHED && rs == EndpointState.ESTABLISHED) return "S1";
    return "OTH";
  }

  // ---- consumers' attributes

  Object attribute(int r, int slot) {
    Object[][] columns = attributeColumns;
    if (slot >= columns.length) {
      return null;
    }
    Object[] column = columns[slot];
    return column == null ? null : column[r];
  }

  void setAttribute(int r, int slot, Object value) {
    if (slot >= attributeColumns.length) {
      if (value == null) {
        return;
      }
      attributeColumns = Arrays.copyOf(attributeColumns, slot + 1);
    }
    Object[] column = attributeColumns[slot];
    if (column == null) {
      if (value == null) {
        return;
      }
      column = new Object[rows];
      attributeColumns[slot] = column;
    }
    column[r] = value;
  }

  // ---- summaries

  EndpointSummary endpointSummary(int e) {
    return new EndpointSummary(
        state(e), isn(e), syn(e), packets[e], size(e), payloadBytesSeen(e), synRetransmissions[e], finCount(e),
        rstCount(e), firstRst(e), firstFinNanos(e), firstDataNanos(e), retransmits(e), zeroWindows(e),
        tsValAfterSyn(e), tsValAfterSynNanos[e]);
  }

  ConnectionSummary summary(int r, FlowId id, RemovalCause cause) {
    return new ConnectionSummary(
        id, startNanos[r], startInput[r], lastNanos[r], connState(r), history(r), endpointSummary(r * 2),
        endpointSummary(r * 2 + 1), synNanos[r], synAckNanos[r], ackNanos[r], ackFrame[r], ackInput[r],
        synToSynAckNanos[r], synAckToAckNanos[r], synAcksAfterAck[r], flag(r, F_HANDSHAKE), flag(r, F_SELF),
        flag(r, F_SIM_OPEN), closedFirst(r), previousUid(r), cause);
  }

  // ---- growth

  private void allocate(int n) {
    rows = n;
    aHi = grow(aHi, n);
    aLo = grow(aLo, n);
    bHi = grow(bHi, n);
    bLo = grow(bLo, n);
    ports = grow(ports, n);
    serial = grow(serial, n);
    startNanos = grow(startNanos, n);
    lastNanos = grow(lastNanos, n);
    flags = grow(flags, n);
    startInput = grow(startInput, n);
    history = grow(history, n);
    synNanos = grow(synNanos, n);
    synAckNanos = grow(synAckNanos, n);
    ackNanos = grow(ackNanos, n);
    ackFrame = grow(ackFrame, n);
    ackInput = grow(ackInput, n);
    synToSynAckNanos = grow(synToSynAckNanos, n);
    synAckToAckNanos = grow(synAckToAckNanos, n);
    synAcksAfterAck = grow(synAcksAfterAck, n);
    idlePrev = grow(idlePrev, n);
    idleNext = grow(idleNext, n);
    phase = grow(phase, n);
    cold = grow(cold, n);
    int e = n * 2;
    state = grow(state, e);
    prevState = grow(prevState, e);
    histFlags = grow(histFlags, e);
    bits = bits == null ? new short[e] : Arrays.copyOf(bits, e);
    startSeq = grow(startSeq, e);
    lastSeq = grow(lastSeq, e);
    ackSeq = grow(ackSeq, e);
    isn = grow(isn, e);
    histLastSyn = grow(histLastSyn, e);
    bareSynSeq = grow(bareSynSeq, e);
    synAckSeq = grow(synAckSeq, e);
    synRetransmissions = grow(synRetransmissions, e);
    synAcksSent = grow(synAcksSent, e);
    packets = grow(packets, e);
    eSynNanos = grow(eSynNanos, e);
    eSynFrameInput = grow(eSynFrameInput, e);
    eSynSeq = grow(eSynSeq, e);
    eSynAck = grow(eSynAck, e);
    eSynOptions = grow(eSynOptions, e);
    eSynTsVal = grow(eSynTsVal, e);
    eSynTsEcr = grow(eSynTsEcr, e);
    eSynMisc = grow(eSynMisc, e);
    tsValAfterSyn = grow(tsValAfterSyn, e);
    tsValAfterSynNanos = grow(tsValAfterSynNanos, e);
    for (int k = 0; k < attributeColumns.length; k++) {
      if (attributeColumns[k] != null) {
        attributeColumns[k] = Arrays.copyOf(attributeColumns[k], n);
      }
    }
  }

  private void allocateCold(int n) {
    coldRows = n;
    int e = n * 2;
    payloadBytesSeen = grow(payloadBytesSeen, e);
    firstFinNanos = grow(firstFinNanos, e);
    firstDataNanos = grow(firstDataNanos, e);
    finCount = grow(finCount, e);
    rstCount = grow(rstCount, e);
    retransmits = grow(retransmits, e);
    zeroWindows = grow(zeroWindows, e);
    histLastFin = grow(histLastFin, e);
    histLastRst = grow(histLastRst, e);
    rstNanos = grow(rstNanos, e);
    rstFrameInput = grow(rstFrameInput, e);
    rstSeq = grow(rstSeq, e);
    rstAck = grow(rstAck, e);
    rstMisc = grow(rstMisc, e);
  }

  private static long[] grow(long[] a, int n) {
    return a == null ? new long[n] : Arrays.copyOf(a, n);
  }

  private static int[] grow(int[] a, int n) {
    return a == null ? new int[n] : Arrays.copyOf(a, n);
  }

  private static byte[] grow(byte[] a, int n) {
    return a == null ? new byte[n] : Arrays.copyOf(a, n);
  }

  /** Rows allocated (used or free): the table's footprint. */
  int capacity() {
    return rows;
  }

  int coldCapacity() {
    return coldRows;
  }
}
