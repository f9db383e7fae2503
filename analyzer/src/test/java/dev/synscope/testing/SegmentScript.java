package dev.synscope.testing;

import dev.synscope.decode.Segment;
import dev.synscope.decode.TcpFlags;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a history-like script into decoded segments with consistent sequence and acknowledgement
 * numbers, for state-machine and flow-table tests. Tokens are separated by spaces; an upper-case
 * letter is sent by orig, a lower-case one by resp:
 *
 * <ul>
 *   <li>{@code S} SYN (the same ISN again when repeated: a retransmission); {@code S!} SYN with a
 *       fresh ISN, which also forgets the peer's state (a new incarnation of the 4-tuple)
 *   <li>{@code H} SYN-ACK (the sender's ISN, or a fresh one if it has sent no SYN yet)
 *   <li>{@code A} pure ACK, {@code D} 100 bytes of data ({@code D250}: 250 bytes; {@code D=}: the
 *       side's previous data segment again, a retransmission), {@code F} FIN
 *   <li>{@code R} RST (with ACK once the sender has heard from its peer)
 * </ul>
 *
 * A token sent before any SYN from its side picks the sequence space up mid-stream. Each segment
 * comes {@link #stepNanos} after the previous one; {@code @MS} after a token ({@code "A@2500"})
 * sets its time to MS milliseconds after the script's start.
 */
public final class SegmentScript {
  /**
   * Segment ordinals, unique over every script of the test run: a table numbers a connection by
   * the ordinal of the segment that starts it, and several scripts may feed one table.
   */
  private static final java.util.concurrent.atomic.AtomicLong ORDINALS = new java.util.concurrent.atomic.AtomicLong();

  private final int version;
  private final long[] origAddr;
  private final int origPort;
  private final long[] respAddr;
  private final int respPort;
  private long startNanos = 1_700_000_000_000_000_000L;
  private long stepNanos = 10_000_000L;
  private long nowNanos = Long.MIN_VALUE;
  private long frameNumber;
  private int isnCounter;

  private final Side orig = new Side(1_000_000L);
  private final Side resp = new Side(5_000_000L);

  private static final class Side {
    final long base;
    boolean started;
    boolean synSent;
    long isn;
    long next;
    long lastDataSeq = -1;
    int lastDataLength;

    Side(long base) {
      this.base = base;
    }
  }

  private SegmentScript(int version, long[] origAddr, int origPort, long[] respAddr, int respPort) {
    this.version = version;
    this.origAddr = origAddr;
    this.origPort = origPort;
    this.respAddr = respAddr;
    this.respPort = respPort;
  }

  /** orig {@code origHost:origPort} talks to resp {@code respHost:respPort} (IPv4 or IPv6 text). */
  public static SegmentScript between(String origHost, int origPort, String respHost, int respPort) {
    long[] o = address(origHost);
    long[] r = address(respHost);
    if (o[2] != r[2]) throw new IllegalArgumentException("mixed IP versions");
    return new SegmentScript((int) o[2], o, origPort, r, respPort);
  }

  /** 10.0.0.1:40000 -> 10.0.0.2:80. */
  public static SegmentScript ipv4() {
    return between("10.0.0.1", 40000, "10.0.0.2", 80);
  }

  public SegmentScript startingAt(long nanos) {
    startNanos = nanos;
    return this;
  }

  public SegmentScript stepNanos(long nanos) {
    stepNanos = nanos;
    return this;
  }

  public long startNanos() {
    return startNanos;
  }

  /** The ISN this side uses now (its last SYN or SYN-ACK, or where it was picked up mid-stream). */
  public long isn(boolean fromOrig) {
    Side s = fromOrig ? orig : resp;
    return s.isn;
  }

  /** Segments for every token of the script, in order. */
  public List<Segment> segments(String script) {
    List<Segment> out = new ArrayList<>();
    for (String token : script.trim().split("\\s+")) {
      if (!token.isEmpty()) {
        out.add(segment(token));
      }
    }
    return out;
  }

  /** One segment for one token. */
  public Segment segment(String token) {
    char letter = token.charAt(0);
    boolean fromOrig = Character.isUpperCase(letter);
    char kind = Character.toUpperCase(letter);
    int at = token.indexOf('@');
    String modifiers = at < 0 ? token.substring(1) : token.substring(1, at);
    boolean fresh = modifiers.startsWith("!");
    boolean again = modifiers.startsWith("=");
    String digits = modifiers.replace("!", "").replace("=", "");
    long time = at < 0
        ? (nowNanos == Long.MIN_VALUE ? startNanos : nowNanos + stepNanos)
        : startNanos + (long) (Double.parseDouble(token.substring(at + 1)) * 1_000_000L);
    nowNanos = time;

    Side me = fromOrig ? orig : resp;
    Side peer = fromOrig ? resp : orig;
    if (fresh && kind == 'S') {
      me.synSent = false;
      me.started = false;
      peer.synSent = false;
      peer.started = false;
    }
    Segment s = blank(fromOrig, time);
    switch (kind) {
      case 'S', 'H' -> {
        if (!me.synSent || fresh) {
          me.isn = (me.base + 7_777_777L * ++isnCounter) & 0xffffffffL;
          me.synSent = true;
          me.started = true;
          me.next = (me.isn + 1) & 0xffffffffL;
        }
        s.seq = me.isn;
        if (kind == 'H') {
          s.flags = TcpFlags.SYN | TcpFlags.ACK;
          s.ack = peer.started ? peer.next : 0;
        } else {
          s.flags = TcpFlags.SYN;
        }
      }
      case 'A', 'D', 'F', 'R' -> {
        if (!me.started) {
          me.started = true;
          me.isn = me.base;
          me.next = (me.base + 1) & 0xffffffffL;
        }
        s.seq = me.next;
        if (peer.started) {
          s.flags = TcpFlags.ACK;
          s.ack = peer.next;
        }
        if (kind == 'D' && again) {
          if (me.lastDataSeq < 0) throw new IllegalArgumentException("nothing to retransmit: " + token);
          s.seq = me.lastDataSeq;
          s.payloadLength = me.lastDataLength;
          s.flags |= TcpFlags.PSH;
        } else if (kind == 'D') {
          int length = digits.isEmpty() ? 100 : Integer.parseInt(digits);
          s.payloadLength = length;
          s.flags |= TcpFlags.PSH;
          me.lastDataSeq = me.next;
          me.lastDataLength = length;
          me.next = (me.next + length) & 0xffffffffL;
        } else if (kind == 'F') {
          s.flags |= TcpFlags.FIN;
          me.next = (me.next + 1) & 0xffffffffL;
        } else if (kind == 'R') {
          s.flags |= TcpFlags.RST;
        } else if (!peer.started) {
          throw new IllegalArgumentException("a pure ACK needs something to acknowledge: " + token);
        }
      }
      default -> throw new IllegalArgumentException("unknown script token " + token);
    }
    return s;
  }

  private Segment blank(boolean fromOrig, long time) {
    Segment s = new Segment();
    s.ordinal = ORDINALS.incrementAndGet();
    s.timestampNanos = time;
    s.frameNumber = ++frameNumber;
    s.ipVersion = version;
    long[] src = fromOrig ? origAddr : respAddr;
    long[] dst = fromOrig ? respAddr : origAddr;
    s.srcHi = src[0];
    s.srcLo = src[1];
    s.dstHi = dst[0];
    s.dstLo = dst[1];
    s.srcPort = fromOrig ? origPort : respPort;
    s.dstPort = fromOrig ? respPort : origPort;
    s.ttl = 64;
    s.window = 64240;
    s.mss = -1;
    s.windowScale = -1;
    s.tfoCookieLength = -1;
    return s;
  }

  /** A hand-made segment between two endpoints, with nothing set but the basics. */
  public static Segment raw(
      String srcHost, int srcPort, String dstHost, int dstPort, int flags, long seq, long ack, long timeNanos) {
    long[] src = address(srcHost);
    long[] dst = address(dstHost);
    Segment s = new Segment();
    s.ordinal = ORDINALS.incrementAndGet();
    s.timestampNanos = timeNanos;
    s.ipVersion = (int) src[2];
    s.srcHi = src[0];
    s.srcLo = src[1];
    s.dstHi = dst[0];
    s.dstLo = dst[1];
    s.srcPort = srcPort;
    s.dstPort = dstPort;
    s.flags = flags;
    s.seq = seq & 0xffffffffL;
    s.ack = ack & 0xffffffffL;
    s.ttl = 64;
    s.window = 64240;
    s.mss = -1;
    s.windowScale = -1;
    s.tfoCookieLength = -1;
    return s;
  }

  /** {hi, lo, version} of an address the way {@link Segment} holds it. */
  public static long[] address(String text) {
    byte[] b;
    try {
      b = InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text, e);
    }
    ByteBuffer bb = ByteBuffer.wrap(b);
    if (b.length == 4) {
      return new long[] {0, bb.getInt() & 0xffffffffL, 4};
    }
    return new long[] {bb.getLong(), bb.getLong(), 6};
  }
}
