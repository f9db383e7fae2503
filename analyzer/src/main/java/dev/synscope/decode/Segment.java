package dev.synscope.decode;

/**
 * One decoded TCP segment: a flyweight the decoder overwrites for every frame, so the hot path
 * allocates nothing. Addresses are held as two longs (IPv4 in {@code lo}, {@code hi} = 0).
 * Values are valid until the next decode; whoever keeps one copies the primitives.
 */
public final class Segment {
  public long timestampNanos;
  public long frameNumber;
  /**
   * The frame's place in the whole run (1, 2, ... over every input, every frame counted): names
   * the connection a segment starts and orders events made on different threads.
   */
  public long ordinal;
  public int inputIndex;

  public int ipVersion;
  public long srcHi;
  public long srcLo;
  public long dstHi;
  public long dstLo;
  public int ttl;
  public int srcPort;
  public int dstPort;
  /** Sequence and acknowledgement numbers as unsigned 32-bit values. */
  public long seq;
  public long ack;
  /** {@link TcpFlags} bits. */
  public int flags;
  public int window;
  /** Payload bytes according to the IP length, not what the snaplen kept. */
  public int payloadLength;

  /** MSS option value, or -1 when absent. */
  public int mss;
  /** Window-scale shift, or -1 when absent. */
  public int windowScale;
  public boolean sackPermitted;
  public boolean hasTimestamps;
  public long tsVal;
  public long tsEcr;
  /** TFO option: -1 absent, 0 cookie request, else cookie length in bytes. */
  public int tfoCookieLength;
  /** Number of TCP options other than NOP and EOL. */
  public int optionCount;

  public boolean has(int flag) {
    return (flags & flag) != 0;
  }

  public boolean isSyn() {
    return (flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN;
  }

  public boolean isSynAck() {
    return (flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK);
  }

  /** Makes this segment a copy of {@code o} (a hand-off between threads keeps its own). */
  public void copyFrom(Segment o) {
    timestampNanos = o.timestampNanos;
    frameNumber = o.frameNumber;
    ordinal = o.ordinal;
    inputIndex = o.inputIndex;
    ipVersion = o.ipVersion;
    srcHi = o.srcHi;
    srcLo = o.srcLo;
    dstHi = o.dstHi;
    dstLo = o.dstLo;
    ttl = o.ttl;
    srcPort = o.srcPort;
    dstPort = o.dstPort;
    seq = o.seq;
    ack = o.ack;
    flags = o.flags;
    window = o.window;
    payloadLength = o.payloadLength;
    mss = o.mss;
    windowScale = o.windowScale;
    sackPermitted = o.sackPermitted;
    hasTimestamps = o.hasTimestamps;
    tsVal = o.tsVal;
    tsEcr = o.tsEcr;
    tfoCookieLength = o.tfoCookieLength;
    optionCount = o.optionCount;
  }

  void clearOptions() {
    mss = -1;
    windowScale = -1;
    sackPermitted = false;
    hasTimestamps = false;
    tsVal = 0;
    tsEcr = 0;
    tfoCookieLength = -1;
    optionCount = 0;
  }
}
