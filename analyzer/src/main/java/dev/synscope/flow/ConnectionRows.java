package dev.synscope.flow;

import dev.synscope.decode.Segment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Every tracked connection's state as rows of primitive arrays, in place of a connection
 * object, two endpoint objects, an id and a history array per connection: a million connections
 * are a dozen arrays, not four million objects, and nothing in them is a reference the collector
 * has to follow. Connection fields are found by row; endpoint fields by endpoint index {@code
 * row * 2 + side} (side 0 orig, 1 resp), so the endpoint logic is written once and parameterised
 * by direction.
 *
 * <p>What every packet touches is one block of the {@code hot} array; each side's handshake
 * facts and first SYN are an endpoint block (orig's by row; resp's in a responder row, with the
 * handshake's times, taken when the responder first speaks: a flood's half-open entries never pay
 * for it); FIN, RST, retransmission and first-data facts live in cold rows taken on first need.
 * All grow by doubling up to the table's capacity; freed rows are reused. A held connection
 * costs 291 bytes half-open and 414 established, index included (bench/HeapPerConnection.java).
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
  /** orig ACKed a SYN-ACK the capture does not hold (AnsweredUnseen sent). */
  static final int F_ANSWERED_UNSEEN = 1 << 9;

  // Endpoint bits (bits column).
  static final int E_SEQ_INIT = 1;
  static final int E_SAW_SYN = 1 << 1;
  static final int E_BARE_SYN = 1 << 2;
  static final int E_SYNACK_SEQ = 1 << 3;
  static final int E_HIST_SYN = 1 << 4;
  static final int E_HIST_FIN = 1 << 5;
  static final int E_HIST_RST = 1 << 6;
  static final int E_TS_AFTER_SYN = 1 << 7;
  /** It sent payload (its first-data time is in the cold row). */
  static final int E_DATA = 1 << 8;
  /** Its peer acknowledged its FIN. */
  static final int E_FIN_ACKED = 1 << 9;
  /** It sent payload after its peer's FIN (a half-close used on purpose). */
  static final int E_DATA_AFTER_PEER_FIN = 1 << 10;

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

  // ---- the hot row: what every packet reads or writes, one block of HOT longs per connection
  // (the key a probe compares, flags, last time, both endpoints' states and sequence numbers,
  // packet counts), so a packet costs one or two cache lines of it rather than a line in each of
  // twenty columns.
  static final int HOT = 16;
  private static final int H_A_LO = 0;
  private static final int H_B_LO = 1;
  private static final int H_A_HI = 2;
  private static final int H_B_HI = 3;
  /** ports (aPort << 16 | bPort) << 32 | flags. */
  private static final int H_PORTS_FLAGS = 4;
  private static final int H_LAST = 5;
  /** Endpoint words: orig's in the low half, resp's in the high: state (4 bits), previous state
   * (4), history flags (8), endpoint bits (16). */
  private static final int H_WORDS = 6;
  /** startSeq (low half) | lastSeq (high half), orig's then resp's. */
  private static final int H_SEQ = 7;
  /** ackSeq: orig's in the low half, resp's in the high. */
  private static final int H_ACK = 9;
  private static final int H_PACKETS = 10;
  /** Payload bytes seen, orig's then resp's. */
  private static final int H_PAYLOAD = 12;
  private static final int H_SERIAL = 14;
  /** The first history letters, six bits each (see {@link #addHistory}); more in {@link #moreHistory}. */
  private static final int H_HISTORY = 15;
  /** The phase ({@link IdleLists}) in two flag bits. */
  private static final int PHASE_SHIFT = 24;
  long[] hot;

  // ---- connection columns
  long[] startNanos;
  int[] startInput;
  long[] synNanos;
  /**
   * The table's clock when a segment last touched the row (the capture's running maximum of
   * packet time, not the row's own last packet time, which an out-of-order capture can hold
   * back): idle lists are in touch order, so this column is non-decreasing along each list and a
   * timeout takes exactly the rows touched before a moment, whichever table shard holds them.
   */
  long[] touchNanos;
  /** The capture-wide ordinal of the frame that last touched the row: its place in its idle list. */
  long[] touchOrdinal;
  /** Idle-list links ({@link IdleLists}). */
  int[] idlePrev;
  int[] idleNext;
  /** Cold row + 1, or 0. */
  int[] cold;
  /** Responder row + 1, or 0. */
  int[] resp;

  // ---- endpoint blocks: EB longs a side, orig's by row in origBlocks, resp's at the start of its
  // responder row (a row a connection takes only once its responder speaks: a flood's half-open
  // entries never pay for a responder).
  static final int EB = 11;
  /** isn (low half) | histLastSyn (high half). */
  private static final int B_ISN_HLS = 0;
  /** bareSynSeq | synAckSeq. */
  private static final int B_BARE_SYNACK = 1;
  /** synRetransmissions | synAcksSent. */
  private static final int B_RTX_ACKS = 2;
  /** tsValAfterSyn | (responder rows) SYN-ACKs after the 3rd ACK. */
  private static final int B_TS_AFTER = 3;
  private static final int B_TS_AFTER_NANOS = 4;
  /** Its first SYN or SYN-ACK (present when E_SAW_SYN): time, frame << 16 | input, seq | ack << 32,
   * options, tsVal | tsEcr << 32, misc. */
  private static final int B_SYN = 5;
  private static final int S_NANOS = 0;
  private static final int S_FRAME_INPUT = 1;
  private static final int S_SEQ_ACK = 2;
  private static final int S_OPTIONS = 3;
  private static final int S_TS = 4;
  private static final int S_MISC = 5;
  long[] origBlocks;
  // Responder rows: the resp endpoint's block, then the handshake's facts from the SYN-ACK on.
  static final int RB = EB + 5;
  private static final int R_SYNACK_NANOS = EB;
  private static final int R_ACK_NANOS = EB + 1;
  /** The 3rd ACK's frame << 16 | input. */
  private static final int R_ACK_FRAME = EB + 2;
  private static final int R_SYN_TO_SYNACK = EB + 3;
  private static final int R_SYNACK_TO_ACK = EB + 4;
  long[] respRows;
  private int respCapacity;
  private int respUsed;
  private int respFree = -1;

  // ---- cold rows: COLD longs per endpoint (cold index = cold row * 2 + side), one block
  static final int COLD = 9;
  private static final int C_FIRST_DATA = 0;
  private static final int C_FIRST_FIN = 1;
  /** finCount (low half) | rstCount (high half). */
  private static final int C_FIN_RST = 2;
  /** retransmits (low) | zeroWindows (high). */
  private static final int C_RTX_ZWIN = 3;
  /** histLastFin (low) | histLastRst (high). */
  private static final int C_HIST = 4;
  /** The first RST: its time (-1 when none), frame << 16 | input, seq | ack << 32, payloadLength | withAck << 31. */
  private static final int C_RST_NANOS = 5;
  private static final int C_RST_FRAME = 6;
  private static final int C_RST_SEQ_ACK = 7;
  private static final int C_RST_MISC = 8;
  private int coldRows;
  private int coldUsed;
  private int coldFree = -1;
  long[] cold2;

  /** History letters past the eighth, by row (rare: long-lived, eventful connections). */
  private final Map<Integer, StringBuilder> moreHistory = new HashMap<>();
  /** The uid of the connection whose 4-tuple a row's connection reused, by row (rare). */
  private final Map<Integer, String> previousUid = new HashMap<>();

  ConnectionRows(int maxRows) {
    this.maxRows = maxRows;
    int n = Math.min(INITIAL_ROWS, Math.max(1, maxRows));
    allocate(n);
    allocateCold(Math.min(n, 256));
    respCapacity = Math.min(n, 256);
    respRows = new long[respCapacity * RB];
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
    int t = resp[r] - 1;
    if (t >= 0) {
      respRows[t * RB] = respFree; // free responder rows are chained through their first long
      respFree = t;
      resp[r] = 0;
    }
    if (historyWord(r) < 0) {
      moreHistory.remove(r);
    }
    if (!previousUid.isEmpty()) {
      previousUid.remove(r);
    }
    hot[r * HOT + H_SERIAL] = 0; // ids of the old connection no longer reach this row
    idleNext[r] = freeRow;
    freeRow = r;
    live--;
  }

  private void clear(int r) {
    java.util.Arrays.fill(hot, r * HOT, r * HOT + HOT, 0L);
    startNanos[r] = 0;
    startInput[r] = 0;
    synNanos[r] = NONE;
    cold[r] = 0;
    resp[r] = 0;
    Arrays.fill(origBlocks, r * EB, r * EB + EB, 0L);
  }

  // ---- the hot row

  long aLo(int r) {
    return hot[r * HOT + H_A_LO];
  }

  long bLo(int r) {
    return hot[r * HOT + H_B_LO];
  }

  long aHi(int r) {
    return hot[r * HOT + H_A_HI];
  }

  long bHi(int r) {
    return hot[r * HOT + H_B_HI];
  }

  /** aPort << 16 | bPort. */
  int ports(int r) {
    return (int) (hot[r * HOT + H_PORTS_FLAGS] >>> 32);
  }

  /** Whether row {@code r} holds this key (the probe's test, on one block of the hot array). */
  boolean hasKey(int r, long aHi, long aLo, long bHi, long bLo, int ports, boolean v6) {
    int b = r * HOT;
    long[] h = hot;
    long pf = h[b + H_PORTS_FLAGS];
    return (int) (pf >>> 32) == ports && h[b + H_A_LO] == aLo && h[b + H_B_LO] == bLo && h[b + H_A_HI] == aHi
        && h[b + H_B_HI] == bHi && ((pf & F_V6) != 0) == v6;
  }

  void setKey(int r, long aHi, long aLo, long bHi, long bLo, int ports, int flags) {
    int b = r * HOT;
    hot[b + H_A_LO] = aLo;
    hot[b + H_B_LO] = bLo;
    hot[b + H_A_HI] = aHi;
    hot[b + H_B_HI] = bHi;
    hot[b + H_PORTS_FLAGS] = (long) ports << 32 | (flags & 0xffffffffL);
  }

  long lastNanos(int r) {
    return hot[r * HOT + H_LAST];
  }

  void setLastNanos(int r, long nanos) {
    hot[r * HOT + H_LAST] = nanos;
  }

  boolean flag(int r, int bit) {
    return (hot[r * HOT + H_PORTS_FLAGS] & bit) != 0;
  }

  void setFlag(int r, int bit) {
    hot[r * HOT + H_PORTS_FLAGS] |= bit;
  }

  int phase(int r) {
    return (int) (hot[r * HOT + H_PORTS_FLAGS] >>> PHASE_SHIFT) & 3;
  }

  void setPhase(int r, int p) {
    int i = r * HOT + H_PORTS_FLAGS;
    hot[i] = (hot[i] & ~(3L << PHASE_SHIFT)) | ((long) p << PHASE_SHIFT);
  }

  /** Endpoint {@code e}'s word: state, previous state, history flags, bits. */
  private int word(int e) {
    long v = hot[(e >> 1) * HOT + H_WORDS];
    return (e & 1) == 0 ? (int) v : (int) (v >>> 32);
  }

  private void setWord(int e, int w) {
    int i = (e >> 1) * HOT + H_WORDS;
    hot[i] = withHalf(hot[i], e & 1, w);
  }

  private static long withHalf(long v, int half, int x) {
    return half == 0 ? (v & 0xFFFFFFFF00000000L) | (x & 0xFFFFFFFFL) : (v & 0xFFFFFFFFL) | ((long) x << 32);
  }

  private static int half(long v, int half) {
    return half == 0 ? (int) v : (int) (v >>> 32);
  }

  int stateOrdinal(int e) {
    return word(e) & 0xf;
  }

  int prevStateOrdinal(int e) {
    return (word(e) >>> 4) & 0xf;
  }

  EndpointState state(int e) {
    return STATES[word(e) & 0xf];
  }

  void setState(int e, EndpointState next) {
    int w = word(e);
    setWord(e, (w & ~0xff) | (w & 0xf) << 4 | next.ordinal());
  }

  int histFlags(int e) {
    return (word(e) >>> 8) & 0xff;
  }

  void addHistFlag(int e, int mask) {
    setWord(e, word(e) | (mask & 0xff) << 8);
  }

  boolean has(int e, int bit) {
    return (word(e) >>> 16 & bit) != 0;
  }

  void set(int e, int bit) {
    setWord(e, word(e) | (bit & 0xffff) << 16);
  }

  int startSeq(int e) {
    return (int) hot[(e >> 1) * HOT + H_SEQ + (e & 1)];
  }

  void setStartSeq(int e, int seq) {
    int i = (e >> 1) * HOT + H_SEQ + (e & 1);
    hot[i] = withHalf(hot[i], 0, seq);
  }

  int lastSeq(int e) {
    return (int) (hot[(e >> 1) * HOT + H_SEQ + (e & 1)] >>> 32);
  }

  void setLastSeq(int e, int seq) {
    int i = (e >> 1) * HOT + H_SEQ + (e & 1);
    hot[i] = withHalf(hot[i], 1, seq);
  }

  int ackSeq(int e) {
    return half(hot[(e >> 1) * HOT + H_ACK], e & 1);
  }

  void setAckSeq(int e, int seq) {
    int i = (e >> 1) * HOT + H_ACK;
    hot[i] = withHalf(hot[i], e & 1, seq);
  }

  long packets(int e) {
    return hot[(e >> 1) * HOT + H_PACKETS + (e & 1)];
  }

  void countPacket(int e) {
    hot[(e >> 1) * HOT + H_PACKETS + (e & 1)]++;
  }

  /** Unsigned 32-bit value of an int column. */
  static long u32(int v) {
    return v & 0xffffffffL;
  }

  // ---- endpoint blocks

  /** Where endpoint {@code e}'s block starts in {@link #blocks}, or -1 (a responder that never spoke). */
  private int blockBase(int e) {
    if ((e & 1) == 0) {
      return (e >> 1) * EB;
    }
    int t = resp[e >> 1] - 1;
    return t < 0 ? -1 : t * RB;
  }

  /** As {@link #blockBase}, taking a responder row if it has none (call it before {@link #blocks}). */
  private int blockBaseForWrite(int e) {
    if ((e & 1) == 0) {
      return (e >> 1) * EB;
    }
    return responderRow(e >> 1) * RB;
  }

  private long[] blocks(int e) {
    return (e & 1) == 0 ? origBlocks : respRows;
  }

  /** Connection {@code r}'s responder row, taken (with its facts unset) if it has none. */
  private int responderRow(int r) {
    int t = resp[r] - 1;
    if (t >= 0) {
      return t;
    }
    if (respFree >= 0) {
      t = respFree;
      respFree = (int) respRows[t * RB];
    } else {
      if (respUsed == respCapacity) {
        respCapacity = Math.min(Math.max(respCapacity * 2, 1), Math.max(maxRows, respCapacity + 1));
        respRows = grow(respRows, respCapacity * RB);
      }
      t = respUsed++;
    }
    int b = t * RB;
    Arrays.fill(respRows, b, b + RB, 0L);
    respRows[b + R_SYNACK_NANOS] = NONE;
    respRows[b + R_ACK_NANOS] = NONE;
    respRows[b + R_SYN_TO_SYNACK] = NONE;
    respRows[b + R_SYNACK_TO_ACK] = NONE;
    resp[r] = t + 1;
    return t;
  }

  private int lowHalf(int e, int field) {
    int b = blockBase(e);
    return b < 0 ? 0 : (int) blocks(e)[b + field];
  }

  private int highHalf(int e, int field) {
    int b = blockBase(e);
    return b < 0 ? 0 : (int) (blocks(e)[b + field] >>> 32);
  }

  private void setHalf(int e, int field, int half, int value) {
    int b = blockBaseForWrite(e);
    long[] a = blocks(e);
    a[b + field] = withHalf(a[b + field], half, value);
  }

  int isnRaw(int e) {
    return lowHalf(e, B_ISN_HLS);
  }

  void setIsn(int e, int seq) {
    setHalf(e, B_ISN_HLS, 0, seq);
  }

  void setHistLastSyn(int e, int seq) {
    setHalf(e, B_ISN_HLS, 1, seq);
  }

  void setBareSynSeq(int e, int seq) {
    setHalf(e, B_BARE_SYNACK, 0, seq);
  }

  int synAckSeqRaw(int e) {
    return highHalf(e, B_BARE_SYNACK);
  }

  void setSynAckSeq(int e, int seq) {
    setHalf(e, B_BARE_SYNACK, 1, seq);
  }

  int synRetransmissions(int e) {
    return lowHalf(e, B_RTX_ACKS);
  }

  /** Counts a SYN (or SYN-ACK) sent again with the same ISN; returns the count. */
  int countSynRetransmission(int e) {
    int n = synRetransmissions(e) + 1;
    setHalf(e, B_RTX_ACKS, 0, n);
    return n;
  }

  int synAcksSent(int e) {
    return highHalf(e, B_RTX_ACKS);
  }

  void countSynAckSent(int e) {
    setHalf(e, B_RTX_ACKS, 1, synAcksSent(e) + 1);
  }

  void setTsValAfterSyn(int e, long tsVal, long nanos) {
    setHalf(e, B_TS_AFTER, 0, (int) tsVal);
    blocks(e)[blockBase(e) + B_TS_AFTER_NANOS] = nanos;
    set(e, E_TS_AFTER_SYN);
  }

  long tsValAfterSynNanos(int e) {
    return has(e, E_TS_AFTER_SYN) ? blocks(e)[blockBase(e) + B_TS_AFTER_NANOS] : NONE;
  }

  // ---- the handshake's facts (in the responder row: none before the responder speaks)

  private long fact(int r, int field) {
    int t = resp[r] - 1;
    return t < 0 ? NONE : respRows[t * RB + field];
  }

  private void setFact(int r, int field, long value) {
    int t = responderRow(r);
    respRows[t * RB + field] = value;
  }

  long synAckNanos(int r) {
    return fact(r, R_SYNACK_NANOS);
  }

  void setSynAckNanos(int r, long nanos) {
    setFact(r, R_SYNACK_NANOS, nanos);
  }

  long ackNanos(int r) {
    return fact(r, R_ACK_NANOS);
  }

  void setHandshakeAck(int r, long nanos, long frame, int input) {
    setFact(r, R_ACK_NANOS, nanos);
    setFact(r, R_ACK_FRAME, frame << 16 | (input & 0xffff));
  }

  long ackFrame(int r) {
    int t = resp[r] - 1;
    return t < 0 ? 0 : respRows[t * RB + R_ACK_FRAME] >>> 16;
  }

  int ackInput(int r) {
    int t = resp[r] - 1;
    return t < 0 ? 0 : (int) (respRows[t * RB + R_ACK_FRAME] & 0xffff);
  }

  long synToSynAckNanos(int r) {
    return fact(r, R_SYN_TO_SYNACK);
  }

  void setSynToSynAckNanos(int r, long nanos) {
    setFact(r, R_SYN_TO_SYNACK, nanos);
  }

  long synAckToAckNanos(int r) {
    return fact(r, R_SYNACK_TO_ACK);
  }

  void setSynAckToAckNanos(int r, long nanos) {
    setFact(r, R_SYNACK_TO_ACK, nanos);
  }

  /** SYN-ACKs the responder sent after the 3rd ACK (the high half of its block's TS word). */
  int synAcksAfterAck(int r) {
    return highHalf(r * 2 + 1, B_TS_AFTER);
  }

  void countSynAckAfterAck(int r) {
    setHalf(r * 2 + 1, B_TS_AFTER, 1, synAcksAfterAck(r) + 1);
  }

  /** The ISN, or -1 when no SYN was seen from it. */
  long isn(int e) {
    return has(e, E_SAW_SYN) ? u32(isnRaw(e)) : NONE;
  }

  long bareSynSeq(int e) {
    return has(e, E_BARE_SYN) ? u32(lowHalf(e, B_BARE_SYNACK)) : NONE;
  }

  long histLastSyn(int e) {
    return has(e, E_HIST_SYN) ? u32(highHalf(e, B_ISN_HLS)) : NONE;
  }

  long histLastFin(int e) {
    int c = coldEndpoint(e);
    return c >= 0 && has(e, E_HIST_FIN) ? cold2[c * COLD + C_HIST] & 0xffffffffL : NONE;
  }

  long histLastRst(int e) {
    int c = coldEndpoint(e);
    return c >= 0 && has(e, E_HIST_RST) ? cold2[c * COLD + C_HIST] >>> 32 : NONE;
  }

  // ---- first SYN of an endpoint

  /** Keeps {@code s} as this side's first SYN or SYN-ACK (the caller sets E_SAW_SYN). */
  void recordSyn(int e, Segment s) {
    int b = blockBaseForWrite(e) + B_SYN;
    long[] y = blocks(e);
    y[b + S_NANOS] = s.timestampNanos;
    y[b + S_FRAME_INPUT] = s.frameNumber << 16 | (s.inputIndex & 0xffff);
    y[b + S_SEQ_ACK] = (s.seq & 0xffffffffL) | s.ack << 32;
    y[b + S_OPTIONS] = packOptions(s);
    y[b + S_TS] = (s.tsVal & 0xffffffffL) | s.tsEcr << 32;
    y[b + S_MISC] = (s.tfoCookieLength + 1) & 0xff | (s.optionCount & 0xff) << 8 | (s.payloadLength & 0xffff) << 16;
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

  /** A field of its first SYN record (which exists when E_SAW_SYN is set). */
  private long synField(int e, int field) {
    return blocks(e)[blockBase(e) + B_SYN + field];
  }

  int synFlags(int e) {
    return (int) (synField(e, S_OPTIONS) & 0x1ff);
  }

  long synSeq(int e) {
    return synField(e, S_SEQ_ACK) & 0xffffffffL;
  }

  int synPayloadLength(int e) {
    return (int) (synField(e, S_MISC) >>> 16) & 0xffff;
  }

  long synFrame(int e) {
    return synField(e, S_FRAME_INPUT) >>> 16;
  }

  int synInput(int e) {
    return (int) (synField(e, S_FRAME_INPUT) & 0xffff);
  }

  /** Its first SYN or SYN-ACK as a value, or null; made on each call. */
  SynInfo syn(int e) {
    if (!has(e, E_SAW_SYN)) {
      return null;
    }
    long[] y = blocks(e);
    int b = blockBase(e) + B_SYN;
    long o = y[b + S_OPTIONS];
    int misc = (int) y[b + S_MISC];
    long seqAck = y[b + S_SEQ_ACK];
    long ts = y[b + S_TS];
    return new SynInfo(
        y[b + S_NANOS], synFrame(e), synInput(e), seqAck & 0xffffffffL, seqAck >>> 32, (int) (o & 0x1ff),
        (int) (o >>> 9) & 0xffff, (int) (o >>> 25) & 0xff, (int) ((o >>> 33) & 0x1ffff) - 1,
        (int) ((o >>> 50) & 0x1ff) - 1, (o & 1L << 59) != 0, (o & 1L << 60) != 0, ts & 0xffffffffL,
        ts >>> 32, (misc & 0xff) - 1, (misc >>> 8) & 0xff, misc >>> 16);
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
      coldFree = (int) cold2[c * 2 * COLD]; // free cold rows are chained through their first long
    } else {
      if (coldUsed == coldRows) {
        allocateCold(Math.min(Math.max(coldRows * 2, 1), Math.max(maxRows, coldRows + 1)));
      }
      c = coldUsed++;
    }
    int b = c * 2 * COLD;
    Arrays.fill(cold2, b, b + 2 * COLD, 0L);
    for (int k = b; k < b + 2 * COLD; k += COLD) {
      cold2[k + C_FIRST_DATA] = NONE;
      cold2[k + C_FIRST_FIN] = NONE;
      cold2[k + C_RST_NANOS] = NONE;
    }
    return c;
  }

  private void coldFreeChain(int c) {
    cold2[c * 2 * COLD] = coldFree;
    coldFree = c;
  }

  long payloadBytesSeen(int e) {
    return hot[(e >> 1) * HOT + H_PAYLOAD + (e & 1)];
  }

  void addPayload(int e, int bytes) {
    hot[(e >> 1) * HOT + H_PAYLOAD + (e & 1)] += bytes;
  }

  long serial(int r) {
    return hot[r * HOT + H_SERIAL];
  }

  void setSerial(int r, long serial) {
    hot[r * HOT + H_SERIAL] = serial;
  }

  long historyWord(int r) {
    return hot[r * HOT + H_HISTORY];
  }

  int finCount(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : (int) cold2[c * COLD + C_FIN_RST];
  }

  int rstCount(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : (int) (cold2[c * COLD + C_FIN_RST] >>> 32);
  }

  long firstFinNanos(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? NONE : cold2[c * COLD + C_FIRST_FIN];
  }

  long firstDataNanos(int e) {
    int c = coldEndpoint(e);
    return c < 0 || !has(e, E_DATA) ? NONE : cold2[c * COLD + C_FIRST_DATA];
  }

  long retransmits(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : (int) cold2[c * COLD + C_RTX_ZWIN];
  }

  long zeroWindows(int e) {
    int c = coldEndpoint(e);
    return c < 0 ? 0 : (int) (cold2[c * COLD + C_RTX_ZWIN] >>> 32);
  }

  void setFirstData(int ce, long nanos) {
    cold2[ce * COLD + C_FIRST_DATA] = nanos;
  }

  /** Counts a FIN; returns whether it is the first. */
  boolean countFin(int ce, long nanos) {
    int b = ce * COLD;
    cold2[b + C_FIN_RST]++; // the low half: FIN counts never reach 2^32
    if (cold2[b + C_FIRST_FIN] < 0) {
      cold2[b + C_FIRST_FIN] = nanos;
      return true;
    }
    return false;
  }

  /** Counts a RST; returns whether it is the first. */
  boolean countRst(int ce) {
    int b = ce * COLD;
    cold2[b + C_FIN_RST] += 1L << 32;
    return cold2[b + C_RST_NANOS] < 0;
  }

  /** Counts a retransmitted segment; returns the count. */
  int countRetransmit(int ce) {
    return (int) ++cold2[ce * COLD + C_RTX_ZWIN];
  }

  /** Counts a zero-window segment; returns the count. */
  int countZeroWindow(int ce) {
    int b = ce * COLD + C_RTX_ZWIN;
    cold2[b] += 1L << 32;
    return (int) (cold2[b] >>> 32);
  }

  void setHistLastFin(int ce, int seq) {
    int b = ce * COLD + C_HIST;
    cold2[b] = (cold2[b] & 0xFFFFFFFF00000000L) | (seq & 0xffffffffL);
  }

  void setHistLastRst(int ce, int seq) {
    int b = ce * COLD + C_HIST;
    cold2[b] = (cold2[b] & 0xffffffffL) | ((long) seq << 32);
  }

  /** Its first RST as a value, or null; made on each call. */
  RstInfo firstRst(int e) {
    int c = coldEndpoint(e);
    int b = c * COLD;
    if (c < 0 || cold2[b + C_RST_NANOS] < 0) {
      return null;
    }
    long frame = cold2[b + C_RST_FRAME];
    long seqAck = cold2[b + C_RST_SEQ_ACK];
    int misc = (int) cold2[b + C_RST_MISC];
    return new RstInfo(cold2[b + C_RST_NANOS], frame >>> 16, (int) (frame & 0xffff), seqAck & 0xffffffffL,
        seqAck >>> 32, misc < 0, misc & 0x7fffffff);
  }

  void recordRst(int ce, Segment s, boolean withAck) {
    int b = ce * COLD;
    cold2[b + C_RST_NANOS] = s.timestampNanos;
    cold2[b + C_RST_FRAME] = s.frameNumber << 16 | (s.inputIndex & 0xffff);
    cold2[b + C_RST_SEQ_ACK] = (s.seq & 0xffffffffL) | s.ack << 32;
    cold2[b + C_RST_MISC] = (s.payloadLength & 0x7fffffff) | (withAck ? 1 << 31 : 0);
  }

  long tsValAfterSyn(int e) {
    return has(e, E_TS_AFTER_SYN) ? u32(lowHalf(e, B_TS_AFTER)) : NONE;
  }

  /** Bytes by sequence space (Zeek's endpoint size): payload between the start and the last seq. */
  long size(int e) {
    if (!has(e, E_SEQ_INIT)) {
      return 0;
    }
    // Zeek's Size(): from the start to the larger of last seq and acked seq, less the SYN octet
    // (assumed even mid-stream, where the start was set one before the first seq) and the FIN.
    if (prevStateOrdinal(e) == EndpointState.SYN_SENT.ordinal() && stateOrdinal(e) == EndpointState.RESET.ordinal()) {
      return 0;
    }
    int ack = ackSeq(e);
    int last = lastSeq(e);
    long end = (ack - last) > 0 ? u32(ack) : u32(last);
    long span = (end - u32(startSeq(e))) & 0xffffffffL;
    if (span > 0) span--;
    if (finCount(e) > 0 && span > 0) span--;
    return span;
  }

  // ---- history

  /**
   * Appends a history letter. The first {@value #INLINE_LETTERS} are kept in the row, six bits
   * each (a code from {@link #LETTERS}, 0 for none); from the eleventh on they are kept aside and
   * the top bit says so. Zeek's usual histories ("ShADadFf", "ShAFfR") fit in the row.
   */
  void addHistory(int r, char c) {
    int hi = r * HOT + H_HISTORY;
    long h = hot[hi];
    if (h < 0) {
      moreHistory.get(r).append(c);
      return;
    }
    int n = historyLength(h);
    int code = c < 128 ? LETTER_CODES[c] : 0;
    if (n < INLINE_LETTERS && code != 0) {
      hot[hi] = h | (long) code << (n * 6);
    } else {
      hot[hi] = h | Long.MIN_VALUE;
      moreHistory.computeIfAbsent(r, k -> new StringBuilder()).append(c);
    }
  }

  /** Letters a history row holds inline. */
  static final int INLINE_LETTERS = 10;
  /** The letters a code stands for (code = index + 1): Zeek's, both cases, and '^'. */
  private static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz^";
  private static final byte[] LETTER_CODES = new byte[128];

  static {
    for (int i = 0; i < LETTERS.length(); i++) {
      LETTER_CODES[LETTERS.charAt(i)] = (byte) (i + 1);
    }
  }

  private static int historyLength(long h) {
    int n = 0;
    while (n < INLINE_LETTERS && ((h >>> (n * 6)) & 63) != 0) {
      n++;
    }
    return n;
  }

  String history(int r) {
    long h = historyWord(r);
    StringBuilder sb = new StringBuilder(12);
    for (int i = 0; i < INLINE_LETTERS; i++) {
      int code = (int) (h >>> (i * 6)) & 63;
      if (code == 0) {
        break;
      }
      sb.append(LETTERS.charAt(code - 1));
    }
    if (h < 0) {
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
    long f = hot[r * HOT + H_PORTS_FLAGS];
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

  // ---- summaries

  EndpointSummary endpointSummary(int e) {
    return new EndpointSummary(
        state(e), isn(e), syn(e), packets(e), size(e), payloadBytesSeen(e), synRetransmissions(e), finCount(e),
        rstCount(e), firstRst(e), firstFinNanos(e), firstDataNanos(e), retransmits(e), zeroWindows(e),
        tsValAfterSyn(e), tsValAfterSynNanos(e), has(e, E_FIN_ACKED), has(e, E_DATA_AFTER_PEER_FIN));
  }

  ConnectionSummary summary(int r, FlowId id, RemovalCause cause) {
    return new ConnectionSummary(
        id, startNanos[r], startInput[r], lastNanos(r), connState(r), history(r), endpointSummary(r * 2),
        endpointSummary(r * 2 + 1), synNanos[r], synAckNanos(r), ackNanos(r), ackFrame(r), ackInput(r),
        synToSynAckNanos(r), synAckToAckNanos(r), synAcksAfterAck(r), flag(r, F_HANDSHAKE), flag(r, F_SELF),
        flag(r, F_SIM_OPEN), closedFirst(r), previousUid(r), cause);
  }

  // ---- checkpoints

  /** Connection {@code r}'s state as a value (its blocks copied). */
  ConnectionState export(int r) {
    int t = resp[r] - 1;
    int c = cold[r] - 1;
    StringBuilder more = moreHistory.get(r);
    return new ConnectionState(
        Arrays.copyOfRange(hot, r * HOT, r * HOT + HOT),
        Arrays.copyOfRange(origBlocks, r * EB, r * EB + EB),
        t < 0 ? null : Arrays.copyOfRange(respRows, t * RB, t * RB + RB),
        c < 0 ? null : Arrays.copyOfRange(cold2, c * 2 * COLD, (c + 1) * 2 * COLD),
        startNanos[r], startInput[r], synNanos[r], touchNanos[r], touchOrdinal[r],
        more == null ? null : more.toString(), previousUid.isEmpty() ? null : previousUid.get(r));
  }

  /** A row holding {@code s}, as it was exported (its idle-list links and index slot are the table's to set). */
  int restore(ConnectionState s) {
    int r = allocate();
    System.arraycopy(s.hot(), 0, hot, r * HOT, HOT);
    System.arraycopy(s.orig(), 0, origBlocks, r * EB, EB);
    if (s.resp() != null) {
      int t = responderRow(r); // before reading respRows: taking a row may grow it
      System.arraycopy(s.resp(), 0, respRows, t * RB, RB);
    }
    if (s.cold() != null) {
      int c = allocateColdRow();
      cold[r] = c + 1;
      System.arraycopy(s.cold(), 0, cold2, c * 2 * COLD, 2 * COLD);
    }
    startNanos[r] = s.startNanos();
    startInput[r] = s.startInput();
    synNanos[r] = s.synNanos();
    touchNanos[r] = s.touchNanos();
    touchOrdinal[r] = s.touchOrdinal();
    if (s.moreHistory() != null) {
      moreHistory.put(r, new StringBuilder(s.moreHistory()));
    }
    if (s.previousUid() != null) {
      previousUid.put(r, s.previousUid());
    }
    return r;
  }

  // ---- growth

  private void allocate(int n) {
    rows = n;
    hot = grow(hot, n * HOT);
    startNanos = grow(startNanos, n);
    touchNanos = grow(touchNanos, n);
    touchOrdinal = grow(touchOrdinal, n);
    startInput = grow(startInput, n);
    synNanos = grow(synNanos, n);
    idlePrev = grow(idlePrev, n);
    idleNext = grow(idleNext, n);
    cold = grow(cold, n);
    resp = grow(resp, n);
    origBlocks = grow(origBlocks, n * EB);
  }

  private void allocateCold(int n) {
    coldRows = n;
    cold2 = grow(cold2, n * 2 * COLD);
  }

  private static long[] grow(long[] a, int n) {
    return a == null ? new long[n] : Arrays.copyOf(a, n);
  }

  private static int[] grow(int[] a, int n) {
    return a == null ? new int[n] : Arrays.copyOf(a, n);
  }

  /** Rows allocated (used or free): the table's footprint. */
  int capacity() {
    return rows;
  }
}
