package dev.synscope.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes classic libpcap files for tests: microsecond or nanosecond magic, either byte order, any
 * link type and snaplen. Records may be cut (captured shorter than original) and raw bytes may be
 * appended to build damaged files. See {@link PcapngWriter} for pcapng.
 */
public final class PcapWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final boolean bigEndian;
  private final boolean nanos;

  private PcapWriter(int linkType, boolean nanos, boolean bigEndian, long snaplen) {
    this.bigEndian = bigEndian;
    this.nanos = nanos;
    u32(nanos ? 0xa1b23c4dL : 0xa1b2c3d4L);
    u16(2);
    u16(4);
    u32(0); // thiszone
    u32(0); // sigfigs
    u32(snaplen);
    u32(linkType);
  }

  /** Microsecond pcap, little-endian (what most hosts write), snaplen 262144. */
  public static PcapWriter micro(int linkType) {
    return new PcapWriter(linkType, false, false, 262_144);
  }

  public static PcapWriter nano(int linkType) {
    return new PcapWriter(linkType, true, false, 262_144);
  }

  public static PcapWriter create(int linkType, boolean nanos, boolean bigEndian, long snaplen) {
    return new PcapWriter(linkType, nanos, bigEndian, snaplen);
  }

  /** A whole frame; the timestamp is cut to microseconds in a microsecond file. */
  public PcapWriter add(long timestampNanos, byte[] frame) {
    return add(timestampNanos, frame, frame.length);
  }

  /** A frame of {@code originalLength} bytes on the wire of which {@code frame} was kept. */
  public PcapWriter add(long timestampNanos, byte[] frame, int originalLength) {
    long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
    long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
    return record(seconds, nanos ? fraction : fraction / 1000, frame.length, originalLength, frame);
  }

  /** A record with every header field as given (for damaged files): data is written as is. */
  public PcapWriter record(long seconds, long fraction, long capturedLength, long originalLength, byte[] data) {
    u32(seconds);
    u32(fraction);
    u32(capturedLength);
    u32(originalLength);
    out.writeBytes(data);
    return this;
  }

  /** Appends raw bytes (garbage, a cut record header, ...). */
  public PcapWriter raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** Current length of the file in bytes. */
  public int size() {
    return out.size();
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  public Path write(Path file) {
    return writeBytes(file, bytes());
  }

  // ---- shared helpers -----------------------------------------------------------------------

  public static Path writeBytes(Path file, byte[] bytes) {
    try {
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(buffer)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return buffer.toByteArray();
  }

  private void u16(int v) {
    if (bigEndian) {
      out.write(v >> 8);
      out.write(v);
    } else {
      out.write(v);
      out.write(v >> 8);
    }
  }

  private void u32(long v) {
    if (bigEndian) {
      out.write((int) (v >> 24));
      out.write((int) (v >> 16));
      out.write((int) (v >> 8));
      out.write((int) v);
    } else {
      out.write((int) v);
      out.write((int) (v >> 8));
      out.write((int) (v >> 16));
      out.write((int) (v >> 24));
    }
  }
}
