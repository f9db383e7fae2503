package dev.synscope.flink;

import dev.synscope.decode.Segment;

/**
 * What the capture source emits, in frame order: a decoded TCP segment with its connection's
 * canonical key, or one of the moments a single flow table and event loop would mark on that
 * frame sequence (an expiry pass, a tick of the detectors' clock, the end of the input). The
 * moments reach every detector operator (a broadcast stream); they let the keyed operators put
 * each event where {@code synscope analyze} puts it. A Flink POJO: public fields and a
 * no-argument constructor here and in the analyzer's {@link Segment}, so Flink's POJO serialiser
 * carries it, never Kryo.
 */
public class PacketRecord {
  public static final byte SEGMENT = 0;
  /** The flow table's expiry pass ran before this frame's segment, at {@link #clockNanos}. */
  public static final byte PASS = 1;
  /** The detectors' clock ticked after this frame, to {@link #timeNanos} (the frame's time). */
  public static final byte TICK = 2;
  /** The input ended; {@link #timeNanos}: the packet time it ended at. */
  public static final byte END = 3;

  public byte kind;
  /** The frame's ordinal in its capture, from 1 (for {@link #END}, one past the last). */
  public long ordinal;
  /**
   * The flow table's clock after this frame: the latest TCP segment time so far ({@code
   * Long.MIN_VALUE} before the first). Monotonic: the record's Flink timestamp, so watermarks
   * follow it.
   */
  public long clockNanos = Long.MIN_VALUE;
  /** Segments: the clock of the latest expiry pass at or before this segment. */
  public long lastPassNanos = Long.MIN_VALUE;
  /** Ticks and the end: the moment the detectors are told. */
  public long timeNanos;
  /** Segments: both directions of a connection have the same key, the smaller endpoint first. */
  public String key;
  public Segment segment;
  /** The end: what the capture's reading warned of (as the CLI's report's {@code warnings}); else null. */
  public String[] warnings;

  public PacketRecord() {}

  /** A record of a copy of {@code s} (the decoder reuses its segment). */
  static PacketRecord of(Segment s, long clockNanos, long lastPassNanos) {
    PacketRecord p = new PacketRecord();
    p.kind = SEGMENT;
    p.ordinal = s.ordinal;
    p.clockNanos = clockNanos;
    p.lastPassNanos = lastPassNanos;
    p.segment = new Segment();
    p.segment.copyFrom(s);
    boolean srcFirst = Long.compareUnsigned(s.srcHi, s.dstHi) < 0
        || (s.srcHi == s.dstHi && (Long.compareUnsigned(s.srcLo, s.dstLo) < 0
            || (s.srcLo == s.dstLo && s.srcPort <= s.dstPort)));
    p.key = srcFirst
        ? s.ipVersion + ":" + s.srcHi + ":" + s.srcLo + ":" + s.srcPort + "-" + s.dstHi + ":" + s.dstLo + ":" + s.dstPort
        : s.ipVersion + ":" + s.dstHi + ":" + s.dstLo + ":" + s.dstPort + "-" + s.srcHi + ":" + s.srcLo + ":" + s.srcPort;
    return p;
  }

  static PacketRecord moment(byte kind, long ordinal, long clockNanos, long timeNanos) {
    PacketRecord p = new PacketRecord();
    p.kind = kind;
    p.ordinal = ordinal;
    p.clockNanos = clockNanos;
    p.timeNanos = timeNanos;
    return p;
  }

  boolean isSegment() {
    return kind == SEGMENT;
  }

  /** The Flink timestamp: the clock in milliseconds. */
  long timestampMillis() {
    return clockNanos == Long.MIN_VALUE ? Long.MIN_VALUE : Math.floorDiv(clockNanos, 1_000_000L);
  }
}
