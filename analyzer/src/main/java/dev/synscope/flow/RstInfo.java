package dev.synscope.flow;

/**
 * The first RST an endpoint sent. Its flags and sequence number tell the causes apart: a closed
 * port answers RST+ACK with seq 0, an accept-queue overflow RST has no ACK and seq = ISN+1.
 * {@code frameNumber} counts packets within input {@code input}.
 */
public record RstInfo(
    long timestampNanos, long frameNumber, int input, long seq, long ack, boolean withAck, int payloadLength) {}
