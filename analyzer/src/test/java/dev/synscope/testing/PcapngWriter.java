package dev.synscope.testing;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;

/**
 * Writes pcapng files for tests: sections in either byte order, several interfaces with their own
 * link types, {@code if_tsresol} and {@code if_tsoffset}, enhanced, simple and obsolete packet
 * blocks, and arbitrary (unknown or damaged) blocks.
 */
public final class PcapngWriter {
  public static final int SHB = 0x0A0D0D0A;
  public static final int IDB = 1;
  public static final int OPB = 2;
  public static final int SPB = 3;
  public static final int NRB = 4;
  public static final int ISB = 5;
  public static final int EPB = 6;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private boolean bigEndian;
  private final java.util.List<Long> unitsPerSecond = new java.util.ArrayList<>();

  private PcapngWriter(boolean bigEndian) {
    section(bigEndian);
  }

  /** A file that starts with a section header in this byte order. */
  public static PcapngWriter create(boolean bigEndian) {
    return new PcapngWriter(bigEndian);
  }

  /** Starts a new section (its interfaces are numbered from zero again). */
  public PcapngWriter section(boolean bigEndian) {
    this.bigEndian = bigEndian;
    unitsPerSecond.clear();
    Body body = new Body();
    body.u32(0x1A2B3C4DL);
    body.u16(1);
    body.u16(0);
    body.u32(0xffffffffL); // section length unknown
    body.u32(0xffffffffL);
    block(SHB, body);
    return this;
  }

  /** An interface with microsecond timestamps (the default resolution). */
  public PcapngWriter iface(int linkType) {
    return iface(linkType, -1, 0, 0);
  }

  /**
   * An interface description block.
   *
   * @param tsresol the if_tsresol byte (9 for nanoseconds, 0x80 | 10 for 2^-10 s), or -1 for none
   * @param tsoffsetSeconds if_tsoffset, written when non-zero
   * @param snaplen 0 for none
   */
  public PcapngWriter iface(int linkType, int tsresol, long tsoffsetSeconds, long snaplen) {
    Body body = new Body();
    body.u16(linkType);
    body.u16(0);
    body.u32(snaplen);
    long units = 1_000_000L;
    if (tsresol >= 0) {
      body.u16(9);
      body.u16(1);
      body.bytes(new byte[] {(byte) tsresol, 0, 0, 0});
      int exponent = tsresol & 0x7f;
      units = (tsresol & 0x80) != 0 ? 1L << exponent : pow10(exponent);
    }
    if (tsoffsetSeconds != 0) {
      body.u16(14);
      body.u16(8);
      body.u64(tsoffsetSeconds);
    }
    if (tsresol >= 0 || tsoffsetSeconds != 0) {
      body.u16(0); // opt_endofopt
      body.u16(0);
    }
    unitsPerSecond.add(units);
    block(IDB, body);
    return this;
  }

  /** Enhanced packet block; the timestamp is given in nanoseconds (without the interface offset). */
  public PcapngWriter epb(int iface, long timestampNanos, byte[] frame) {
    return epbUnits(iface, toUnits(iface, timestampNanos), frame, frame.length);
  }

  public PcapngWriter epb(int iface, long timestampNanos, byte[] frame, int originalLength) {
    return epbUnits(iface, toUnits(iface, timestampNanos), frame, originalLength);
  }

  /** Enhanced packet block with a raw timestamp in the interface's units. */
  public PcapngWriter epbUnits(int iface, long units, byte[] frame, int originalLength) {
    Body body = new Body();
    body.u32(iface);
    body.u32(units >>> 32);
    body.u32(units & 0xffffffffL);
    body.u32(frame.length);
    body.u32(originalLength);
    body.padded(frame);
    block(EPB, body);
    return this;
  }

  /** Simple packet block: no interface id (always 0), no timestamp. */
  public PcapngWriter spb(byte[] frame, int originalLength) {
    Body body = new Body();
    body.u32(originalLength);
    body.padded(frame);
    block(SPB, body);
    return this;
  }

  /** Obsolete packet block (pcapng drafts; 16-bit interface id, drops count). */
  public PcapngWriter opb(int iface, long timestampNanos, byte[] frame) {
    long units = toUnits(iface, timestampNanos);
    Body body = new Body();
    body.u16(iface);
    body.u16(0xffff);
    body.u32(units >>> 32);
    body.u32(units & 0xffffffffL);
    body.u32(frame.length);
    body.u32(frame.length);
    body.padded(frame);
    block(OPB, body);
    return this;
  }

  /** Any block type with this body (padded to 4 bytes). */
  public PcapngWriter block(int type, byte[] body) {
    Body b = new Body();
    b.padded(body);
    block(type, b);
    return this;
  }

  /** Appends raw bytes (garbage, a cut block, ...). */
  public PcapngWriter raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  public int size() {
    return out.size();
  }

  public byte[] bytes() {
    return out.toByteArray();
  }

  public Path write(Path file) {
    return PcapWriter.writeBytes(file, bytes());
  }

  private long toUnits(int iface, long timestampNanos) {
    long units = iface < unitsPerSecond.size() ? unitsPerSecond.get(iface) : 1_000_000L;
    long seconds = Math.floorDiv(timestampNanos, 1_000_000_000L);
    long fraction = Math.floorMod(timestampNanos, 1_000_000_000L);
    // Exact for every resolution whose tick is a whole number of nanoseconds or finer.
    return seconds * units + java.math.BigInteger.valueOf(fraction).multiply(java.math.BigInteger.valueOf(units))
        .divide(java.math.BigInteger.valueOf(1_000_000_000L)).longValueExact();
  }

  private void block(int type, Body body) {
    byte[] b = body.out.toByteArray();
    long total = 12 + b.length;
    Body frame = new Body();
    frame.u32(type & 0xffffffffL);
    frame.u32(total);
    frame.bytes(b);
    frame.u32(total);
    out.writeBytes(frame.out.toByteArray());
  }

  private static long pow10(int n) {
    long v = 1;
    for (int i = 0; i < n; i++) v *= 10;
    return v;
  }

  private final class Body {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void u16(int v) {
      if (bigEndian) {
        out.write(v >> 8);
        out.write(v);
      } else {
        out.write(v);
        out.write(v >> 8);
      }
    }

    void u32(long v) {
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

    void u64(long v) {
      if (bigEndian) {
        u32(v >>> 32);
        u32(v & 0xffffffffL);
      } else {
        u32(v & 0xffffffffL);
        u32(v >>> 32);
      }
    }

    void bytes(byte[] b) {
      out.writeBytes(b);
    }

    void padded(byte[] b) {
      out.writeBytes(b);
      for (int i = b.length; (i & 3) != 0; i++) {
        out.write(0);
      }
    }
  }
}
