package dev.synscope.decode;

/**
 * Decodes link, IP and TCP headers straight from the captured bytes into a reused {@link
 * Segment}. Never throws on bad input: every problem is a counted {@link Anomaly} or {@link Skip}.
 */
public final class FrameDecoder {
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_IPV6 = 0x86DD;
  private static final int PROTO_TCP = 6;
  private static final int PROTO_UDP = 17;
  private static final int PROTO_ICMP = 1;
  private static final int PROTO_ICMPV6 = 58;
  private static final int MAX_VLAN_TAGS = 4;

  private final DecodeCounters counters = new DecodeCounters();

  public DecodeCounters counters() {
    return counters;
  }

  /**
   * Decodes one frame.
   *
   * @param capturedLength bytes present in {@code data} from {@code offset}
   * @param originalLength bytes on the wire (used when an IP length is zero, as with TSO)
   * @return true when {@code out} now holds a usable TCP segment
   */
  public boolean decode(
      byte[] data, int offset, int capturedLength, int originalLength, int linkType, Segment out) {
    counters.frames++;
    int end = offset + capturedLength;
    int p;
    int etherType;
    switch (linkType) {
      case LinkTypes.ETHERNET -> {
        if (capturedLength < 14) {
          return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
        }
        etherType = u16(data, offset + 12);
        p = offset + 14;
        for (int tags = 0; isVlan(etherType) && tags < MAX_VLAN_TAGS; tags++) {
          if (p + 4 > end) {
            return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
          }
          etherType = u16(data, p + 2);
          p += 4;
        }
      }
      case LinkTypes.LINUX_SLL -> {
        if (capturedLength < 16) {
          return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
        }
        etherType = u16(data, offset + 14);
        p = offset + 16;
      }
      case LinkTypes.LINUX_SLL2 -> {
        if (capturedLength < 20) {
          return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
        }
        etherType = u16(data, offset);
        p = offset + 20;
      }
      case LinkTypes.NULL, LinkTypes.LOOP -> {
        if (capturedLength < 4) {
          return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
        }
        // NULL stores the address family in the capturing host's byte order, LOOP in network
        // order; a family is small, so whichever reading is small is the right one.
        int be = (int) ((u16(data, offset) << 16) | u16(data, offset + 2));
        int family = (be & 0xffff0000) != 0 ? Integer.reverseBytes(be) : be;
        etherType = switch (family) {
          case 2 -> ETHERTYPE_IPV4;
          case 10, 24, 28, 30 -> ETHERTYPE_IPV6; // Linux, NetBSD/OpenBSD, FreeBSD, macOS
          default -> -1;
        };
        p = offset + 4;
      }
      case LinkTypes.RAW, LinkTypes.RAW_BSD12, LinkTypes.RAW_BSD14, LinkTypes.IPV4, LinkTypes.IPV6 -> {
        if (capturedLength < 1) {
          return anomaly(Anomaly.TRUNCATED_LINK_HEADER);
        }
        int version = (data[offset] & 0xff) >> 4;
        etherType = version == 4 ? ETHERTYPE_IPV4 : version == 6 ? ETHERTYPE_IPV6 : -2;
        p = offset;
        if (etherType == -2) {
          return anomaly(Anomaly.BAD_IP_VERSION);
        }
      }
      default -> {
        counters.unsupportedLinkType(linkType);
        return false;
      }
    }
    int linkHeader = p - offset;
    if (etherType == ETHERTYPE_IPV4) {
      return ipv4(data, p, end, originalLength - linkHeader, out);
    }
    if (etherType == ETHERTYPE_IPV6) {
      return ipv6(data, p, end, originalLength - linkHeader, out);
    }
    counters.skip(Skip.NOT_IP);
    return false;
  }

  private static boolean isVlan(int etherType) {
    return etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100;
  }

  private boolean ipv4(byte[] b, int p, int end, int wireLength, Segment out) {
    if (p + 20 > end) {
      return anomaly(Anomaly.TRUNCATED_IPV4_HEADER);
    }
    int vihl = b[p] & 0xff;
    if ((vihl >> 4) != 4) {
      return anomaly(Anomaly.BAD_IP_VERSION);
    }
    int ihl = (vihl & 0x0f) * 4;
    if (ihl < 20) {
      return anomaly(Anomaly.BAD_IPV4_IHL);
    }
    if (p + ihl > end) {
      return anomaly(Anomaly.TRUNCATED_IPV4_HEADER);
    }
    int totalLength = u16(b, p + 2);
    if (totalLength == 0) {
      totalLength = wireLength; // TCP segmentation offload leaves it zero
    } else if (totalLength < ihl) {
      return anomaly(Anomaly.IPV4_TOTAL_LENGTH_SHORT);
    }
    int fragment = u16(b, p + 6);
    int protocol = b[p + 9] & 0xff;
    if ((fragment & 0x1fff) != 0) {
      counters.skip(Skip.IPV4_NON_FIRST_FRAGMENT);
      return false;
    }
    if (protocol != PROTO_TCP) {
      return skipProtocol(protocol);
    }
    out.ipVersion = 4;
    out.ttl = b[p + 8] & 0xff;
    out.srcHi = 0;
    out.srcLo = u32(b, p + 12);
    out.dstHi = 0;
    out.dstLo = u32(b, p + 16);
    return tcp(b, p + ihl, end, totalLength - ihl, out);
  }

  private boolean ipv6(byte[] b, int p, int end, int wireLength, Segment out) {
    if (p + 40 > end) {
      return anomaly(Anomaly.TRUNCATED_IPV6_HEADER);
    }
    if (((b[p] & 0xff) >> 4) != 6) {
      return anomaly(Anomaly.BAD_IP_VERSION);
    }
    int payloadLength = u16(b, p + 4);
    if (payloadLength == 0) {
      payloadLength = wireLength - 40; // jumbogram or offload
    }
    int next = b[p + 6] & 0xff;
    out.ttl = b[p + 7] & 0xff;
    out.srcHi = u64(b, p + 8);
    out.srcLo = u64(b, p + 16);
    out.dstHi = u64(b, p + 24);
    out.dstLo = u64(b, p + 32);
    int q = p + 40;
    int remaining = payloadLength;
    while (true) {
      switch (next) {
        case PROTO_TCP -> {
          out.ipVersion = 6;
          return tcp(b, q, end, remaining, out);
        }
        case 0, 43, 60, 135, 139, 140 -> { // hop-by-hop, routing, destination, mobility, HIP, shim6
          if (q + 8 > end) {
            return anomaly(Anomaly.TRUNCATED_IPV6_EXTENSION);
          }
          int length = ((b[q + 1] & 0xff) + 1) * 8;
          next = b[q] & 0xff;
          q += length;
          remaining -= length;
        }
        case 44 -> { // fragment
          if (q + 8 > end) {
            return anomaly(Anomaly.TRUNCATED_IPV6_EXTENSION);
          }
          if ((u16(b, q + 2) & 0xfff8) != 0) {
            counters.skip(Skip.IPV6_NON_FIRST_FRAGMENT);
            return false;
          }
          next = b[q] & 0xff;
          q += 8;
          remaining -= 8;
        }
        case 51 -> { // authentication header
          if (q + 8 > end) {
            return anomaly(Anomaly.TRUNCATED_IPV6_EXTENSION);
          }
          int length = ((b[q + 1] & 0xff) + 2) * 4;
          next = b[q] & 0xff;
          q += length;
          remaining -= length;
        }
        default -> {
          return skipProtocol(next);
        }
      }
    }
  }

  private boolean skipProtocol(int protocol) {
    counters.skip(
        switch (protocol) {
          case PROTO_UDP -> Skip.UDP;
          case PROTO_ICMP, PROTO_ICMPV6 -> Skip.ICMP;
          default -> Skip.OTHER_IP_PROTOCOL;
        });
    return false;
  }

  private boolean tcp(byte[] b, int p, int end, int ipPayloadLength, Segment out) {
    if (p + 20 > end) {
      return anomaly(Anomaly.TRUNCATED_TCP_HEADER);
    }
    int headerLength = ((b[p + 12] & 0xff) >> 4) * 4;
    if (headerLength < 20) {
      return anomaly(Anomaly.BAD_TCP_DATA_OFFSET);
    }
    if (headerLength > ipPayloadLength) {
      return anomaly(Anomaly.TCP_HEADER_BEYOND_IP_LENGTH);
    }
    out.srcPort = u16(b, p);
    out.dstPort = u16(b, p + 2);
    out.seq = u32(b, p + 4);
    out.ack = u32(b, p + 8);
    out.flags = ((b[p + 12] & 0x01) << 8) | (b[p + 13] & 0xff);
    out.window = u16(b, p + 14);
    out.payloadLength = ipPayloadLength - headerLength;
    out.clearOptions();
    if (headerLength > 20) {
      int optionsEnd = p + headerLength;
      if (optionsEnd > end) {
        counters.anomaly(Anomaly.TCP_OPTIONS_CUT_BY_SNAPLEN);
        optionsEnd = end;
      }
      options(b, p + 20, optionsEnd, p + headerLength, out);
    }
    counters.tcp++;
    int f = out.flags;
    if ((f & TcpFlags.SYN) != 0) {
      if ((f & TcpFlags.ACK) != 0) counters.synAck++;
      else counters.syn++;
    }
    if ((f & TcpFlags.RST) != 0) counters.rst++;
    if ((f & TcpFlags.FIN) != 0) counters.fin++;
    return true;
  }

  /**
   * Walks the options up to {@code end} (the header end, or the snaplen when it cut the header).
   * An option that runs past the cut but not past {@code headerEnd} is only cut, which the caller
   * has counted already; one that runs past {@code headerEnd} is an overrun.
   */
  private void options(byte[] b, int q, int end, int headerEnd, Segment out) {
    while (q < end) {
      int kind = b[q] & 0xff;
      if (kind == 0) {
        return;
      }
      if (kind == 1) {
        q++;
        continue;
      }
      if (q + 1 >= end) {
        if (q + 1 >= headerEnd) {
          counters.anomaly(Anomaly.TCP_OPTION_OVERRUN);
        }
        return;
      }
      int length = b[q + 1] & 0xff;
      if (length < 2) {
        counters.anomaly(Anomaly.TCP_OPTION_BAD_LENGTH);
        return;
      }
      if (q + length > end) {
        if (q + length > headerEnd) {
          counters.anomaly(Anomaly.TCP_OPTION_OVERRUN);
        }
        return;
      }
      out.optionCount++;
      switch (kind) {
        case 2 -> {
          if (length == 4) out.mss = u16(b, q + 2);
          else counters.anomaly(Anomaly.TCP_OPTION_BAD_LENGTH);
        }
        case 3 -> {
          if (length == 3) out.windowScale = b[q + 2] & 0xff;
          else counters.anomaly(Anomaly.TCP_OPTION_BAD_LENGTH);
        }
        case 4 -> out.sackPermitted = true;
        case 8 -> {
          if (length == 10) {
            out.hasTimestamps = true;
            out.tsVal = u32(b, q + 2);
            out.tsEcr = u32(b, q + 6);
          } else {
            counters.anomaly(Anomaly.TCP_OPTION_BAD_LENGTH);
          }
        }
        case 34 -> out.tfoCookieLength = length - 2;
        case 254 -> { // experimental TFO, RFC 7413 section 4.1.1: magic 0xF989
          if (length >= 4 && u16(b, q + 2) == 0xF989) out.tfoCookieLength = length - 4;
        }
        default -> {
          // SACK blocks, MD5, MPTCP, AccECN, ...: counted in optionCount only.
        }
      }
      q += length;
    }
  }

  private boolean anomaly(Anomaly anomaly) {
    counters.anomaly(anomaly);
    return false;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static long u32(byte[] b, int i) {
    return ((long) (b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
  }

  private static long u64(byte[] b, int i) {
    return (u32(b, i) << 32) | u32(b, i + 4);
  }
}
