package dev.synscope.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one captured frame byte by byte: a link header (Ethernet with any number of VLAN tags,
 * Linux SLL and SLL2, BSD NULL/LOOP, or none for RAW), an IPv4 header (with options and fragment
 * fields) or an IPv6 header (with extension headers), and a TCP header with flags, options and a
 * payload. Every length field is computed unless a test overrides it to build a malformed frame.
 *
 * <pre>{@code
 * byte[] frame = FrameBuilder.tcp().ipv4("10.0.0.1", "10.0.0.2").ports(40000, 80)
 *     .seq(1000).flags(FrameBuilder.SYN).mss(1460).ethernet().vlan(100).build();
 * }</pre>
 */
public final class FrameBuilder {
  public static final int FIN = 0x01;
  public static final int SYN = 0x02;
  public static final int RST = 0x04;
  public static final int PSH = 0x08;
  public static final int ACK = 0x10;
  public static final int URG = 0x20;
  public static final int ECE = 0x40;
  public static final int CWR = 0x80;
  public static final int AE = 0x100;

  /** LINKTYPE_ numbers, repeated here so the builder does not lean on the code under test. */
  public static final int LINKTYPE_NULL = 0;
  public static final int LINKTYPE_ETHERNET = 1;
  public static final int LINKTYPE_RAW = 101;
  public static final int LINKTYPE_LOOP = 108;
  public static final int LINKTYPE_LINUX_SLL = 113;
  public static final int LINKTYPE_IPV4 = 228;
  public static final int LINKTYPE_IPV6 = 229;
  public static final int LINKTYPE_LINUX_SLL2 = 276;

  private enum Link { ETHERNET, SLL, SLL2, NULL_LE, NULL_BE, LOOP, RAW }

  private Link link = Link.ETHERNET;
  private final List<int[]> vlanTags = new ArrayList<>(); // {tpid, vid}
  private int nullFamily = -1;

  private int ipVersion = 4;
  private byte[] src = ip("10.0.0.1");
  private byte[] dst = ip("10.0.0.2");
  private int ttl = 64;
  private int protocol = 6;
  private byte[] ipv4Options = new byte[0];
  private int fragmentOffset8;
  private boolean moreFragments;
  private boolean dontFragment = true;
  private Integer ihlOverride;
  private Integer ipLengthOverride;
  private Integer versionOverride;
  private final ByteArrayOutputStream ipv6Ext = new ByteArrayOutputStream();
  private int ipv6FirstNext = -1;
  private int ipv6LastExtNextOffset = -1;

  private int srcPort = 40000;
  private int dstPort = 80;
  private long seq;
  private long ack;
  private int flags = SYN;
  private int window = 64240;
  private final ByteArrayOutputStream tcpOptions = new ByteArrayOutputStream();
  private Integer dataOffsetOverride;
  private byte[] payload = new byte[0];
  private byte[] transportOverride;

  private FrameBuilder() {}

  /** A TCP segment 10.0.0.1:40000 -> 10.0.0.2:80, SYN, over Ethernet, unless changed. */
  public static FrameBuilder tcp() {
    return new FrameBuilder();
  }

  // ---- link layer -------------------------------------------------------------------------

  public FrameBuilder ethernet() {
    link = Link.ETHERNET;
    return this;
  }

  /** Adds an 802.1Q tag (outermost first). */
  public FrameBuilder vlan(int vid) {
    return vlanTag(0x8100, vid);
  }

  /** Adds a tag with the given TPID (0x88A8 for an 802.1ad service tag, 0x9100 legacy QinQ). */
  public FrameBuilder vlanTag(int tpid, int vid) {
    link = Link.ETHERNET;
    vlanTags.add(new int[] {tpid, vid});
    return this;
  }

  public FrameBuilder sll() {
    link = Link.SLL;
    return this;
  }

  public FrameBuilder sll2() {
    link = Link.SLL2;
    return this;
  }

  /** BSD loopback, address family in little-endian order (as a little-endian host writes it). */
  public FrameBuilder nullLinkLittleEndian() {
    link = Link.NULL_LE;
    return this;
  }

  public FrameBuilder nullLinkBigEndian() {
    link = Link.NULL_BE;
    return this;
  }

  /** LINKTYPE_LOOP: the family always in network order. */
  public FrameBuilder loop() {
    link = Link.LOOP;
    return this;
  }

  /** Overrides the address family written in a NULL/LOOP header (default 2 or 30 by IP version). */
  public FrameBuilder nullFamily(int family) {
    nullFamily = family;
    return this;
  }

  /** No link header: RAW, IPV4 (228) and IPV6 (229) frames. */
  public FrameBuilder raw() {
    link = Link.RAW;
    return this;
  }

  /** The LINKTYPE_ a capture holding this frame declares (RAW for raw frames). */
  public int linkType() {
    return switch (link) {
      case ETHERNET -> LINKTYPE_ETHERNET;
      case SLL -> LINKTYPE_LINUX_SLL;
      case SLL2 -> LINKTYPE_LINUX_SLL2;
      case NULL_LE, NULL_BE -> LINKTYPE_NULL;
      case LOOP -> LINKTYPE_LOOP;
      case RAW -> LINKTYPE_RAW;
    };
  }

  // ---- IP layer -----------------------------------------------------------------------------

  public FrameBuilder ipv4(String source, String destination) {
    ipVersion = 4;
    src = ip(source);
    dst = ip(destination);
    if (src.length != 4 || dst.length != 4) throw new IllegalArgumentException("not IPv4");
    return this;
  }

  public FrameBuilder ipv6(String source, String destination) {
    ipVersion = 6;
    src = ip(source);
    dst = ip(destination);
    if (src.length != 16 || dst.length != 16) throw new IllegalArgumentException("not IPv6");
    return this;
  }

  public FrameBuilder ttl(int value) {
    ttl = value;
    return this;
  }

  /** IP protocol / IPv6 next header after the extension headers (6 TCP, 17 UDP, 1 ICMP, ...). */
  public FrameBuilder protocol(int value) {
    protocol = value;
    return this;
  }

  /** IPv4 options, padded with EOL to a multiple of 4 bytes. */
  public FrameBuilder ipv4Options(int... bytes) {
    byte[] raw = toBytes(bytes);
    ipv4Options = Arrays.copyOf(raw, (raw.length + 3) & ~3);
    return this;
  }

  /** Fragment offset in 8-byte units and the more-fragments bit. */
  public FrameBuilder fragment(int offsetUnits, boolean more) {
    fragmentOffset8 = offsetUnits;
    moreFragments = more;
    dontFragment = false;
    return this;
  }

  /** Writes this IHL (in 32-bit words) instead of the right one. */
  public FrameBuilder ihl(int words) {
    ihlOverride = words;
    return this;
  }

  /** Writes this IPv4 total length / IPv6 payload length instead of the right one. */
  public FrameBuilder ipLength(int value) {
    ipLengthOverride = value;
    return this;
  }

  /** Writes this IP version nibble instead of 4 or 6. */
  public FrameBuilder ipVersionNibble(int value) {
    versionOverride = value;
    return this;
  }

  /**
   * Appends an IPv6 extension header of the given type (0 hop-by-hop, 43 routing, 60 destination
   * options: {@code 8 * (1 + hdrExtLen)} bytes; 44 fragment: 8 bytes; 51 AH: {@code 4 * (2 +
   * len)} bytes). {@code bodyLength} counts the bytes after the two-byte next/length fields.
   */
  public FrameBuilder ipv6Extension(int type, int bodyLength) {
    int total = 2 + bodyLength;
    int lengthField;
    if (type == 44) {
      if (total != 8) throw new IllegalArgumentException("a fragment header is 8 bytes");
      lengthField = 0;
    } else if (type == 51) {
      if (total % 4 != 0 || total < 8) throw new IllegalArgumentException("AH length is 4 * (n + 2)");
      lengthField = total / 4 - 2;
    } else {
      if (total % 8 != 0) throw new IllegalArgumentException("extension length is 8 * (n + 1)");
      lengthField = total / 8 - 1;
    }
    byte[] h = new byte[total];
    h[1] = (byte) lengthField;
    if (type != 44 && type != 51 && bodyLength >= 2) {
      h[2] = 1; // PadN option covering the rest
      h[3] = (byte) (bodyLength - 2);
    }
    linkExtension(type, h);
    return this;
  }

  /** Appends an IPv6 fragment header with this offset (8-byte units) and M bit. */
  public FrameBuilder ipv6Fragment(int offsetUnits, boolean more) {
    byte[] h = new byte[8];
    int field = (offsetUnits << 3) | (more ? 1 : 0);
    h[2] = (byte) (field >> 8);
    h[3] = (byte) field;
    h[4] = 0x12;
    h[5] = 0x34;
    h[6] = 0x56;
    h[7] = 0x78;
    linkExtension(44, h);
    return this;
  }

  private void linkExtension(int type, byte[] header) {
    byte[] sofar = ipv6Ext.toByteArray();
    if (ipv6FirstNext < 0) {
      ipv6FirstNext = type;
    } else {
      sofar[ipv6LastExtNextOffset] = (byte) type;
      ipv6Ext.reset();
      ipv6Ext.writeBytes(sofar);
    }
    ipv6LastExtNextOffset = sofar.length;
    ipv6Ext.writeBytes(header);
  }

  // ---- TCP ----------------------------------------------------------------------------------

  public FrameBuilder ports(int source, int destination) {
    srcPort = source;
    dstPort = destination;
    return this;
  }

  public FrameBuilder seq(long value) {
    seq = value;
    return this;
  }

  public FrameBuilder ack(long value) {
    ack = value;
    return this;
  }

  /** The 9 flag bits (use the constants of this class). */
  public FrameBuilder flags(int value) {
    flags = value;
    return this;
  }

  public FrameBuilder window(int value) {
    window = value;
    return this;
  }

  public FrameBuilder mss(int value) {
    return option(2, 4, value >> 8, value);
  }

  public FrameBuilder windowScale(int shift) {
    return option(3, 3, shift);
  }

  public FrameBuilder sackPermitted() {
    return option(4, 2);
  }

  public FrameBuilder timestamps(long tsVal, long tsEcr) {
    return option(8, 10,
        (int) (tsVal >> 24), (int) (tsVal >> 16), (int) (tsVal >> 8), (int) tsVal,
        (int) (tsEcr >> 24), (int) (tsEcr >> 16), (int) (tsEcr >> 8), (int) tsEcr);
  }

  /** TFO option (kind 34): an empty cookie is a cookie request. */
  public FrameBuilder fastOpen(int... cookie) {
    int[] all = new int[2 + cookie.length];
    all[0] = 34;
    all[1] = 2 + cookie.length;
    System.arraycopy(cookie, 0, all, 2, cookie.length);
    return option(all);
  }

  public FrameBuilder nop() {
    return option(1);
  }

  /** Raw option bytes, written as given (kind, length, data...). */
  public FrameBuilder option(int... bytes) {
    for (int b : bytes) {
      tcpOptions.write(b);
    }
    return this;
  }

  /** Writes this data offset (in 32-bit words) instead of the right one. */
  public FrameBuilder dataOffset(int words) {
    dataOffsetOverride = words;
    return this;
  }

  public FrameBuilder payload(int length) {
    payload = new byte[length];
    for (int i = 0; i < length; i++) {
      payload[i] = (byte) ('a' + i % 26);
    }
    return this;
  }

  /** Replaces the whole transport header and payload by these bytes (non-TCP protocols). */
  public FrameBuilder transport(byte[] bytes) {
    transportOverride = bytes.clone();
    return this;
  }

  // ---- assembly -----------------------------------------------------------------------------

  /** The TCP header length the frame will carry (options padded to 4 bytes). */
  public int tcpHeaderLength() {
    return 20 + ((tcpOptions.size() + 3) & ~3);
  }

  /** Length of the link header this frame gets. */
  public int linkHeaderLength() {
    return switch (link) {
      case ETHERNET -> 14 + 4 * vlanTags.size();
      case SLL -> 16;
      case SLL2 -> 20;
      case NULL_LE, NULL_BE, LOOP -> 4;
      case RAW -> 0;
    };
  }

  public byte[] build() {
    byte[] l4 = transportOverride != null ? transportOverride : tcpBytes();
    byte[] l3 = ipVersion == 4 ? ipv4Bytes(l4) : ipv6Bytes(l4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int etherType = ipVersion == 4 ? 0x0800 : 0x86DD;
    switch (link) {
      case ETHERNET -> {
        out.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01});
        for (int[] tag : vlanTags) {
          u16(out, tag[0]);
          u16(out, tag[1] & 0x0fff);
        }
        u16(out, etherType);
      }
      case SLL -> {
        u16(out, 0); // packet type: to us
        u16(out, 1); // ARPHRD_ETHER
        u16(out, 6);
        out.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x01, 0, 0});
        u16(out, etherType);
      }
      case SLL2 -> {
        u16(out, etherType);
        u16(out, 0); // reserved
        u32(out, 2); // interface index
        u16(out, 1); // ARPHRD_ETHER
        out.write(4); // packet type: outgoing
        out.write(6);
        out.writeBytes(new byte[] {0x02, 0, 0, 0, 0, 0x01, 0, 0});
      }
      case NULL_LE -> {
        int family = nullFamily >= 0 ? nullFamily : ipVersion == 4 ? 2 : 30;
        out.write(family);
        out.write(family >> 8);
        out.write(family >> 16);
        out.write(family >> 24);
      }
      case NULL_BE, LOOP -> u32(out, nullFamily >= 0 ? nullFamily : ipVersion == 4 ? 2 : 24);
      case RAW -> {}
    }
    out.writeBytes(l3);
    return out.toByteArray();
  }

  private byte[] tcpBytes() {
    byte[] opts = Arrays.copyOf(tcpOptions.toByteArray(), (tcpOptions.size() + 3) & ~3);
    int headerLength = 20 + opts.length;
    int offsetWords = dataOffsetOverride != null ? dataOffsetOverride : headerLength / 4;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    u16(out, srcPort);
    u16(out, dstPort);
    u32(out, seq);
    u32(out, ack);
    out.write((offsetWords << 4) | ((flags >> 8) & 1));
    out.write(flags & 0xff);
    u16(out, window);
    u16(out, 0); // checksum: not checked by synscope
    u16(out, 0);
    out.writeBytes(opts);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private byte[] ipv4Bytes(byte[] l4) {
    int headerLength = 20 + ipv4Options.length;
    int ihl = ihlOverride != null ? ihlOverride : headerLength / 4;
    int total = ipLengthOverride != null ? ipLengthOverride : headerLength + l4.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(((versionOverride != null ? versionOverride : 4) << 4) | (ihl & 0x0f));
    out.write(0);
    u16(out, total);
    u16(out, 0x1234);
    u16(out, (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | (fragmentOffset8 & 0x1fff));
    out.write(ttl);
    out.write(protocol);
    u16(out, 0);
    out.writeBytes(src);
    out.writeBytes(dst);
    out.writeBytes(ipv4Options);
    out.writeBytes(l4);
    return out.toByteArray();
  }

  private byte[] ipv6Bytes(byte[] l4) {
    byte[] ext = ipv6Ext.toByteArray();
    if (ipv6FirstNext >= 0) {
      ext[ipv6LastExtNextOffset] = (byte) protocol;
    }
    int payloadLength = ipLengthOverride != null ? ipLengthOverride : ext.length + l4.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((versionOverride != null ? versionOverride : 6) << 4);
    out.write(0);
    u16(out, 0);
    u16(out, payloadLength);
    out.write(ipv6FirstNext >= 0 ? ipv6FirstNext : protocol);
    out.write(ttl);
    out.writeBytes(src);
    out.writeBytes(dst);
    out.writeBytes(ext);
    out.writeBytes(l4);
    return out.toByteArray();
  }

  // ---- helpers ------------------------------------------------------------------------------

  static byte[] ip(String text) {
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static byte[] toBytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void u32(ByteArrayOutputStream out, long v) {
    out.write((int) (v >> 24));
    out.write((int) (v >> 16));
    out.write((int) (v >> 8));
    out.write((int) v);
  }

  /** The first {@code length} bytes of a frame, as a snaplen would keep them. */
  public static byte[] cut(byte[] frame, int length) {
    return Arrays.copyOf(frame, Math.min(length, frame.length));
  }
}
