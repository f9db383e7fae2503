package dev.synscope.capture;

import java.io.IOException;

/**
 * pcapng: sections, several interfaces with their own link types and timestamp resolutions,
 * enhanced, simple and obsolete packet blocks; other blocks are skipped. A block whose lengths
 * are impossible is skipped by scanning for the next well-formed block, and reported.
 */
final class PcapngReader implements FileReader {
  private static final int SHB = 0x0A0D0D0A;
  private static final int IDB = 1;
  private static final int OPB = 2;
  private static final int SPB = 3;
  private static final int EPB = 6;
  private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
  private static final int MAX_BLOCK = 64 << 20;
  private static final int RESYNC_WINDOW = 8 << 20;

  private final ByteSource in;
  private final InputStats stats;
  private boolean bigEndian;
  private int interfaces;
  private int[] linkTypes = new int[4];
  private int[] snaplens = new int[4];
  private long[] unitsPerSecond = new long[4];
  private long[] offsetNanos = new long[4];
  private long frames;
  private long unknownInterface;

  PcapngReader(ByteSource in, InputStats stats) throws IOException {
    this.in = in;
    this.stats = stats;
    stats.format = "pcapng";
    if (!in.ensure(12)) {
      throw new CaptureFormatException("truncated pcapng section header");
    }
    int bom = Bytes.i32(in.buf, in.pos + 8, true);
    if (bom != BYTE_ORDER_MAGIC && Integer.reverseBytes(bom) != BYTE_ORDER_MAGIC) {
      throw new CaptureFormatException(
          "pcapng section header with an invalid byte-order magic "
              + Bytes.hex(in.buf, in.pos + 8, 4));
    }
  }

  @Override
  public String format() {
    return stats.format;
  }

  @Override
  public boolean next(RawFrame frame) throws IOException {
    while (true) {
      if (!in.ensure(12)) {
        if (in.available() > 0) {
          stats.warnings.add(
              "truncated block header at end of input (byte offset " + in.offset() + ")");
        }
        return finish();
      }
      byte[] b = in.buf;
      int p = in.pos;
      int type = Bytes.i32(b, p, bigEndian);
      if (type == SHB) {
        int bom = Bytes.i32(b, p + 8, true);
        if (bom == BYTE_ORDER_MAGIC) {
          bigEndian = true;
        } else if (Integer.reverseBytes(bom) == BYTE_ORDER_MAGIC) {
          bigEndian = false;
        } else if (!resync("section header with an invalid byte-order magic")) {
          return finish();
        } else {
          continue;
        }
        interfaces = 0; // a new section numbers its interfaces from zero
      }
      long total = Bytes.u32(b, p + 4, bigEndian);
      if (total < 12 || (total & 3) != 0 || total > MAX_BLOCK) {
        if (!resync("block length " + total)) {
          return finish();
        }
        continue;
      }
      int length = (int) total;
      if (!in.ensure(length)) {
        stats.warnings.add(
            "truncated block at end of input (byte offset " + in.offset() + ": "
                + in.available() + " of " + length + " bytes)");
        return finish();
      }
      p = in.pos;
      b = in.buf;
      if (Bytes.u32(b, p + length - 4, bigEndian) != total) {
        if (!resync("block length " + total + " does not match its trailer")) {
          return finish();
        }
        continue;
      }
      in.pos = p + length;
      switch (type) {
        case IDB -> addInterface(b, p, length);
        case EPB -> {
          if (enhancedPacket(b, p, length, frame)) {
            return true;
          }
        }
        case SPB -> {
          if (simplePacket(b, p, length, frame)) {
            return true;
          }
        }
        case OPB -> {
          if (obsoletePacket(b, p, length, frame)) {
            return true;
          }
        }
        default -> {
          // Statistics, name resolution, custom and unknown blocks carry no packets.
        }
      }
    }
  }

  private boolean finish() {
    if (unknownInterface > 0) {
      stats.warnings.add(
          unknownInterface + " packet block(s) name an interface that was never described; skipped");
      unknownInterface = 0;
    }
    return false;
  }

  private void addInterface(byte[] b, int p, int length) {
    if (interfaces == linkTypes.length) {
      linkTypes = java.util.Arrays.copyOf(linkTypes, interfaces * 2);
      snaplens = java.util.Arrays.copyOf(snaplens, interfaces * 2);
      unitsPerSecond = java.util.Arrays.copyOf(unitsPerSecond, interfaces * 2);
      offsetNanos = java.util.Arrays.copyOf(offsetNanos, interfaces * 2);
    }
    int i = interfaces++;
    linkTypes[i] = length >= 20 ? Bytes.u16(b, p + 8, bigEndian) : -1;
    snaplens[i] = length >= 20 ? (int) Math.min(Bytes.u32(b, p + 12, bigEndian), Integer.MAX_VALUE) : 0;
    unitsPerSecond[i] = 1_000_000L;
    offsetNanos[i] = 0;
    stats.declareLinkType(linkTypes[i]);
    int q = p + 16;
    int end = p + length - 4;
    while (q + 4 <= end) {
      int code = Bytes.u16(b, q, bigEndian);
      int len = Bytes.u16(b, q + 2, bigEndian);
      if (code == 0 || q + 4 + len > end) {
        break;
      }
      if (code == 9 && len >= 1) { // if_tsresol
        int v = b[q + 4] & 0xff;
        int exponent = v & 0x7f;
        if ((v & 0x80) != 0) {
          unitsPerSecond[i] = exponent < 62 ? 1L << exponent : 1L << 62;
        } else {
          unitsPerSecond[i] = exponent <= 18 ? pow10(exponent) : pow10(18);
        }
      } else if (code == 14 && len >= 8) { // if_tsoffset, seconds
        long hi = Bytes.u32(b, q + 4, bigEndian);
        long lo = Bytes.u32(b, q + 8, bigEndian);
        long seconds = bigEndian ? (hi << 32) | lo : (lo << 32) | hi;
        offsetNanos[i] = seconds * 1_000_000_000L;
      }
      q += 4 + ((len + 3) & ~3);
    }
  }

  private static long pow10(int n) {
    long v = 1;
    for (int k = 0; k < n; k++) {
      v *= 10;
    }
    return v;
  }

  private boolean enhancedPacket(byte[] b, int p, int length, RawFrame frame) {
    long iface = Bytes.u32(b, p + 8, bigEndian);
    long ts = (Bytes.u32(b, p + 12, bigEndian) << 32) | Bytes.u32(b, p + 16, bigEndian);
    long captured = Bytes.u32(b, p + 20, bigEndian);
    long original = Bytes.u32(b, p + 24, bigEndian);
    return packet(b, p + 28, length - 32, (int) Math.min(iface, Integer.MAX_VALUE), ts, captured, original, frame);
  }

  private boolean obsoletePacket(byte[] b, int p, int length, RawFrame frame) {
    int iface = Bytes.u16(b, p + 8, bigEndian);
    long ts = (Bytes.u32(b, p + 12, bigEndian) << 32) | Bytes.u32(b, p + 16, bigEndian);
    long captured = Bytes.u32(b, p + 20, bigEndian);
    long original = Bytes.u32(b, p + 24, bigEndian);
    return packet(b, p + 28, length - 32, iface, ts, captured, original, frame);
  }

  private boolean simplePacket(byte[] b, int p, int length, RawFrame frame) {
    long original = Bytes.u32(b, p + 8, bigEndian);
    long room = length - 16;
    long captured = Math.min(original, room);
    if (interfaces > 0 && snaplens[0] > 0) {
      captured = Math.min(captured, snaplens[0]);
    }
    // A simple packet block carries no timestamp: it inherits the last one seen.
    return packet(b, p + 12, (int) room, 0, Long.MIN_VALUE, captured, original, frame);
  }

  private boolean packet(
      byte[] b, int dataOffset, int room, int iface, long ts, long captured, long original, RawFrame frame) {
    if (iface >= interfaces) {
      unknownInterface++;
      return false;
    }
    if (captured > room) {
      stats.warnings.add(
          "packet block at byte offset " + (in.offset() - room) + " claims " + captured
              + " captured bytes in a block with room for " + room + "; skipped");
      return false;
    }
    frame.data = b;
    frame.offset = dataOffset;
    frame.capturedLength = (int) captured;
    frame.originalLength = (int) Math.min(Math.max(original, captured), Integer.MAX_VALUE);
    frame.linkType = linkTypes[iface];
    if (ts != Long.MIN_VALUE) {
      long units = unitsPerSecond[iface];
      long seconds = Long.divideUnsigned(ts, units);
      long rest = Long.remainderUnsigned(ts, units);
      frame.timestampNanos = seconds * 1_000_000_000L + fractionNanos(rest, units) + offsetNanos[iface];
    }
    frame.frameNumber = ++frames;
    return true;
  }

  /**
   * {@code floor(rest * 10^9 / units)} for {@code 0 <= rest < units}, exactly: if_tsresol is a
   * power of ten or of two, and 10^9 / units is not a whole number for the binary ones.
   */
  static long fractionNanos(long rest, long units) {
    if (units <= 9_000_000_000L) {
      return rest * 1_000_000_000L / units; // rest < 9e9: the product fits in a long
    }
    if (units % 1_000_000_000L == 0) {
      return rest / (units / 1_000_000_000L);
    }
    // A binary resolution finer than 2^-33: divide the 128-bit product by shifting.
    int shift = Long.numberOfTrailingZeros(units);
    long hi = Math.multiplyHigh(rest, 1_000_000_000L);
    long lo = rest * 1_000_000_000L;
    return (hi << (64 - shift)) | (lo >>> shift);
  }

  private boolean resync(String why) throws IOException {
    long badOffset = in.offset();
    in.pos += 4;
    long skipped = 4;
    while (skipped < RESYNC_WINDOW && in.ensure(12)) {
      int type = Bytes.i32(in.buf, in.pos, bigEndian);
      long total = Bytes.u32(in.buf, in.pos + 4, bigEndian);
      if ((type == EPB || type == SPB || type == IDB || type == OPB || type == SHB)
          && total >= 12 && (total & 3) == 0 && total <= MAX_BLOCK
          && in.ensure((int) total)
          && Bytes.u32(in.buf, in.pos + (int) total - 4, bigEndian) == total) {
        stats.warnings.add(
            "corrupt block at byte offset " + badOffset + " (" + why + "): skipped "
                + skipped + " bytes, resumed at offset " + in.offset());
        return true;
      }
      in.pos += 4;
      skipped += 4;
    }
    stats.warnings.add(
        "corrupt block at byte offset " + badOffset + " (" + why
            + "): no readable block after it; stopped reading");
    return false;
  }
}
