package dev.synscope.flow;

/**
 * The first SYN or SYN-ACK an endpoint sent, with the options that matter for SYN-cookie
 * forensics (Zeek's SYN_packet, plus ECN flags, TFO and the option count). {@code frameNumber}
 * counts packets within input {@code input} (the index of its capture file).
 */
public record SynInfo(
    long timestampNanos,
    long frameNumber,
    int input,
    long seq,
    long ack,
    int flags,
    int window,
    int ttl,
    int mss,
    int windowScale,
    boolean sackPermitted,
    boolean hasTimestamps,
    long tsVal,
    long tsEcr,
    int tfoCookieLength,
    int optionCount,
    int payloadLength) {

  /** The segment carried ECE (in a SYN-ACK: the server agreed to ECN). */
  public boolean ece() {
    return (flags & dev.synscope.decode.TcpFlags.ECE) != 0;
  }
}
