package dev.synscope.capture;

import java.io.IOException;

/**
 * Classic libpcap files: microsecond and nanosecond magic, either byte order. A record whose
 * header is implausible is corruption: the reader scans forward for the next plausible pair of
 * record headers, says how many bytes it skipped, and goes on.
 */
final class PcapReader implements FileReader {
  static final int HEADER_LENGTH = 24;
  private static final int RECORD_HEADER = 16;
  /** libpcap's own bound on a record (MAXIMUM_SNAPLEN). */
  private static final int MAX_RECORD = 262_144;
  private static final int RESYNC_WINDOW = 8 << 20;
  private static final long DAY_SECONDS = 86_400;

  private final ByteSource in;
  private final InputStats stats;
  private final boolean bigEndian;
  private final boolean nanos;
  private final int linkType;
  private final int maxRecord;
  private long lastSeconds = -1;
  private long invalidFractions;
  private long frames;

  PcapReader(ByteSource in, InputStats stats) throws IOException {
    this.in = in;
    this.stats = stats;
    if (!in.ensure(HEADER_LENGTH)) {
      throw new CaptureFormatException(
          "truncated pcap file header (" + in.available() + " of 24 bytes)");
    }
    byte[] b = in.buf;
    int p = in.pos;
    int magic = Bytes.i32(b, p, true);
    bigEndian = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    long snaplen = Bytes.u32(b, p + 16, bigEndian);
    linkType = (int) (Bytes.u32(b, p + 20, bigEndian) & 0xffff);
    maxRecord = (int) Math.max(MAX_RECORD, Math.min(snaplen, Integer.MAX_VALUE / 2));
    in.pos += HEADER_LENGTH;
    stats.format = nanos ? "pcap-ns" : "pcap";
    stats.declareLinkType(linkType);
  }

  @Override
  public String format() {
    return stats.format;
  }

  @Override
  public boolean next(RawFrame frame) throws IOException {
    while (true) {
      if (!in.ensure(RECORD_HEADER)) {
        if (in.available() > 0) {
          stats.warnings.add(
              "truncated record header at end of input (byte offset "
                  + in.offset() + ": " + in.available() + " of 16 bytes)");
        }
        return finish();
      }
      byte[] b = in.buf;
      int p = in.pos;
      long seconds = Bytes.u32(b, p, bigEndian);
      long fraction = Bytes.u32(b, p + 4, bigEndian);
      long captured = Bytes.u32(b, p + 8, bigEndian);
      long original = Bytes.u32(b, p + 12, bigEndian);
      if (captured > maxRecord) {
        if (!resync("captured length " + captured + " exceeds " + maxRecord)) {
          return finish();
        }
        continue;
      }
      int length = (int) captured;
      if (!in.ensure(RECORD_HEADER + length)) {
        stats.warnings.add(
            "truncated record at end of input (byte offset " + in.offset() + ": "
                + Math.max(0, in.available() - RECORD_HEADER) + " of " + length + " bytes)");
        return finish();
      }
      p = in.pos;
      if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L)) {
        invalidFractions++;
      }
      frame.data = in.buf;
      frame.offset = p + RECORD_HEADER;
      frame.capturedLength = length;
      frame.originalLength = (int) Math.min(Math.max(original, captured), Integer.MAX_VALUE);
      frame.linkType = linkType;
      frame.timestampNanos = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1000L);
      frame.frameNumber = ++frames;
      lastSeconds = seconds;
      in.pos = p + RECORD_HEADER + length;
      return true;
    }
  }

  private boolean finish() {
    if (invalidFractions > 0) {
      stats.warnings.add(
          invalidFractions + " record(s) with a sub-second timestamp field out of range (kept as read)");
      invalidFractions = 0;
    }
    return false;
  }

  /**
   * Looks for the next offset where two consecutive record headers are plausible (or one that
   * ends exactly at the end of input), as a human with a hex editor would.
   */
  private boolean resync(String why) throws IOException {
    long badOffset = in.offset();
    in.pos++;
    long skipped = 1;
    while (skipped < RESYNC_WINDOW) {
      if (!in.ensure(RECORD_HEADER)) {
        break;
      }
      if (plausibleAt(in.pos)) {
        stats.warnings.add(
            "corrupt record at byte offset " + badOffset + " (" + why + "): skipped "
                + skipped + " bytes, resumed at offset " + in.offset());
        return true;
      }
      in.pos++;
      skipped++;
    }
    stats.warnings.add(
        "corrupt record at byte offset " + badOffset + " (" + why
            + "): no readable record after it; stopped reading");
    return false;
  }

  private boolean plausibleAt(int p) throws IOException {
    if (!headerPlausible(p)) {
      return false;
    }
    int length = (int) Bytes.u32(in.buf, p + 8, bigEndian);
    int relative = p - in.pos;
    boolean more = in.ensure(relative + RECORD_HEADER + length + RECORD_HEADER);
    int q = in.pos + relative + RECORD_HEADER + length;
    if (!more) {
      // Plausible only if this record ends exactly at the end of input.
      return in.limit == q;
    }
    return headerPlausible(q);
  }

  private boolean headerPlausible(int p) {
    byte[] b = in.buf;
    long seconds = Bytes.u32(b, p, bigEndian);
    long fraction = Bytes.u32(b, p + 4, bigEndian);
    long captured = Bytes.u32(b, p + 8, bigEndian);
    long original = Bytes.u32(b, p + 12, bigEndian);
    if (captured == 0 || captured > maxRecord || original < captured || original > MAX_RECORD) {
      return false;
    }
    if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L)) {
      return false;
    }
    return lastSeconds < 0 || Math.abs(seconds - lastSeconds) <= DAY_SECONDS;
  }
}
