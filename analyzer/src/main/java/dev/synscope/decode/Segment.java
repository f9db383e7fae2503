package dev.synscope.decode;

/**
 * One decoded TCP segment: a flyweight the decoder overwrites for every frame, so the hot path
 * allocates nothing. Addresses are held as two longs (IPv4 in {@code lo}, {@code hi} = 0).
 * Values are valid until the next decode; whoever keeps one copies the primitives.
 */
public final class Segment {
  public long timestampNanos;
  public long frameNumber;
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
