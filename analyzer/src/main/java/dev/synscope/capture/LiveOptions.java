package dev.synscope.capture;

/**
 * How to capture from a live interface ({@code synscope live}).
 *
 * @param device interface name as {@code Interfaces.list()} shows it ("any" for all on Linux)
 * @param filter BPF capture filter; null means the default {@value #DEFAULT_FILTER}, blank means
 *     everything
 * @param snaplen bytes kept per frame: the default {@value #DEFAULT_SNAPLEN} holds Ethernet, VLAN,
 *     IPv6 and TCP headers with all options
 * @param promiscuous whether to put the interface into promiscuous mode (tcpdump's default)
 * @param bufferBytes kernel capture buffer; 0 for libpcap's default (2 MiB on Linux)
 * @param count stop after this many frames; 0 for no limit
 * @param writeFile also write every captured frame to this pcap file (like {@code tcpdump -w}),
 *     or null
 */
public record LiveOptions(
    String device,
    String filter,
    int snaplen,
    boolean promiscuous,
    int bufferBytes,
    long count,
    String writeFile) {
  public static final String DEFAULT_FILTER = "tcp";
  public static final int DEFAULT_SNAPLEN = 160;
  /** A SYN flood at line rate fills libpcap's 2 MiB default in milliseconds. */
  public static final int DEFAULT_BUFFER_BYTES = 64 << 20;
  /** libpcap's MAXIMUM_SNAPLEN. */
  public static final int MAX_SNAPLEN = 262_144;

  public LiveOptions {
    if (filter == null) {
      filter = DEFAULT_FILTER;
    }
    if (snaplen <= 0 || snaplen > MAX_SNAPLEN) {
      throw new IllegalArgumentException("snaplen must be 1.." + MAX_SNAPLEN + ", not " + snaplen);
    }
    if (bufferBytes < 0) {
      throw new IllegalArgumentException("bufferBytes must be >= 0, not " + bufferBytes);
    }
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, not " + count);
    }
  }

  /** The defaults for {@code device}: filter "tcp", snaplen 160, promiscuous, 64 MiB buffer. */
  public static LiveOptions of(String device) {
    return new LiveOptions(device, DEFAULT_FILTER, DEFAULT_SNAPLEN, true, DEFAULT_BUFFER_BYTES, 0, null);
  }

  public LiveOptions withFilter(String f) {
    return new LiveOptions(device, f, snaplen, promiscuous, bufferBytes, count, writeFile);
  }

  public LiveOptions withCount(long n) {
    return new LiveOptions(device, filter, snaplen, promiscuous, bufferBytes, n, writeFile);
  }

  public LiveOptions withWriteFile(String path) {
    return new LiveOptions(device, filter, snaplen, promiscuous, bufferBytes, count, path);
  }
}
