package dev.synscope.flow;

/**
 * The first RST an endpoint sent. Its flags and sequence number tell the causes apart: a closed
 * port answers RST+ACK with seq 0, an accept-queue overflow RST has no ACK and seq = ISN+1.
 */
public record RstInfo(long timestampNanos, long frameNumber, long seq, long ack, boolean withAck, int payloadLength) {}
