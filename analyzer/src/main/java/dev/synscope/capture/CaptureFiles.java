package dev.synscope.capture;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens a capture by its magic bytes (never by its name): pcap, pcapng, either gzip-compressed. */
final class CaptureFiles {
  static final String STDIN = "-";

  private CaptureFiles() {}

  /** @param counted the file's own bytes as they are read (compressed ones for a .gz) */
  record Opened(ByteSource bytes, FileReader reader, CountingInputStream counted) {}

  static Opened open(String path, InputStream stdin, InputStats stats) throws IOException {
    CountingInputStream raw = new CountingInputStream(openStream(path, stdin));
    try {
      PushbackInputStream in = new PushbackInputStream(raw, 4);
      byte[] magic = peek(in);
      if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
        in = new PushbackInputStream(new GZIPInputStream(in, 1 << 16), 4);
        stats.format = "gzip";
        magic = peek(in);
        if (magic.length == 0) {
          throw new CaptureFormatException("gzip stream holds an empty file");
        }
      }
      if (magic.length == 0) {
        throw new CaptureFormatException("empty file");
      }
      if (magic.length < 4) {
        throw new CaptureFormatException("file too short to be a capture (" + magic.length + " bytes)");
      }
      boolean gzip = "gzip".equals(stats.format);
      ByteSource bytes = new ByteSource(in);
      int m = Bytes.i32(magic, 0, true);
      FileReader reader =
          switch (m) {
            case 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1 -> new PcapReader(bytes, stats);
            case 0x0A0D0D0A -> new PcapngReader(bytes, stats);
            default -> throw new CaptureFormatException(
                "not a pcap or pcapng capture: first bytes are " + Bytes.spacedHex(magic)
                    + (gzip ? " (after gzip)" : "")
                    + "; expected a1b2c3d4/a1b23c4d (pcap, either order) or 0a0d0d0a (pcapng)");
          };
      if (gzip) {
        stats.format = reader.format() + "+gzip";
      }
      return new Opened(bytes, reader, raw);
    } catch (IOException | RuntimeException e) {
      raw.close();
      if (e instanceof java.util.zip.ZipException) {
        throw new CaptureFormatException("damaged gzip data: " + e.getMessage());
      }
      throw e;
    }
  }

  private static InputStream openStream(String path, InputStream stdin) throws IOException {
    if (STDIN.equals(path)) {
      return new BufferedInputStream(stdin, 1 << 16);
    }
    Path p = Path.of(path);
    if (Files.isDirectory(p)) {
      throw new CaptureFormatException("is a directory");
    }
    try {
      return Files.newInputStream(p);
    } catch (NoSuchFileException e) {
      throw new CaptureFormatException("no such file");
    } catch (AccessDeniedException e) {
      throw new CaptureFormatException("permission denied");
    }
  }

  private static byte[] peek(PushbackInputStream in) throws IOException {
    byte[] buf = new byte[4];
    int n = 0;
    while (n < 4) {
      int r = in.read(buf, n, 4 - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    in.unread(buf, 0, n);
    return java.util.Arrays.copyOf(buf, n);
  }
}
