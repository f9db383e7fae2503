package dev.synscope.decode;

/** An IPv4 or IPv6 address as two longs (IPv4 in {@code lo}), printed the way tools print it. */
public record IpAddress(int version, long hi, long lo) implements Comparable<IpAddress>, java.io.Serializable {

  public static IpAddress parse(String text) {
    try {
      byte[] b = java.net.InetAddress.getByName(text).getAddress();
      if (b.length == 4) {
        return new IpAddress(4, 0, java.nio.ByteBuffer.wrap(b).getInt() & 0xffffffffL);
      }
      java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b);
      return new IpAddress(6, bb.getLong(), bb.getLong());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
  }

  /** Dotted quad for IPv4; RFC 5952 compressed text for IPv6. */
  @Override
  public String toString() {
    if (version == 4) {
      return ((lo >> 24) & 0xff) + "." + ((lo >> 16) & 0xff) + "." + ((lo >> 8) & 0xff) + "." + (lo & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 4; i++) {
      groups[i] = (int) ((hi >>> (48 - 16 * i)) & 0xffff);
      groups[i + 4] = (int) ((lo >>> (48 - 16 * i)) & 0xffff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLength - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  // Written out: a record's generated equals/hashCode go through an invokedynamic bootstrap that
  // profiles showed on the per-connection path of every detector keyed by address.
  @Override
  public boolean equals(Object o) {
    return o == this || (o instanceof IpAddress a && a.lo == lo && a.hi == hi && a.version == version);
  }

  @Override
  public int hashCode() {
    long h = (lo ^ (hi * 0x9E3779B97F4A7C15L) ^ version) * 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  /** "10.0.0.1:80" or "[fd00::1]:80". */
  public String withPort(int port) {
    return version == 6 ? "[" + this + "]:" + port : this + ":" + port;
  }

  @Override
  public int compareTo(IpAddress o) {
    int c = Integer.compare(version, o.version);
    if (c == 0) c = Long.compareUnsigned(hi, o.hi);
    if (c == 0) c = Long.compareUnsigned(lo, o.lo);
    return c;
  }
}
