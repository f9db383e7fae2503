package dev.synscope.decode;

/** TCP header flag bits as they sit in the 9 low bits of the flags field (AE/NS is bit 8). */
public final class TcpFlags {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;
  /** Accurate ECN (formerly NS). */
  public static final int AE = 0x100;

  private TcpFlags() {}

  /** tcpdump's notation: S, F, R, P, ., U, E, W, e (AE). */
  public static String describe(int flags) {
    StringBuilder sb = new StringBuilder();
    if ((flags & SYN) != 0) sb.append('S');
    if ((flags & FIN) != 0) sb.append('F');
    if ((flags & RST) != 0) sb.append('R');
    if ((flags & PSH) != 0) sb.append('P');
    if ((flags & URG) != 0) sb.append('U');
    if ((flags & ECE) != 0) sb.append('E');
    if ((flags & CWR) != 0) sb.append('W');
    if ((flags & AE) != 0) sb.append('e');
    if ((flags & ACK) != 0) sb.append('.');
    return sb.toString();
  }
}
