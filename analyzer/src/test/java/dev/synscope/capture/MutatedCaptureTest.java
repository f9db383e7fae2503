package dev.synscope.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Damaged captures, made from every sample by seeded random damage (bytes overwritten in the
 * headers or anywhere, runs of 0xff, truncation at any byte): each run must end with a report
 * (exit 0, a truncation or corruption warning inside) or a one-line error (exit 3), never an
 * internal error or a stack trace, with either reader (libpcap's where it is installed).
 */
class MutatedCaptureTest {
  private static final int PER_SAMPLE = 25;
  private static final boolean LIBPCAP = LibpcapFileSource.libpcapProblem() == null;

  @TempDir Path tmp;

  static Stream<Path> samples() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("..", "samples"))) {
      s.filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng|gz)$")).sorted().forEach(out::add);
    }
    assertTrue(out.size() >= 10, "samples/ holds the captures: " + out);
    return out.stream();
  }

  @ParameterizedTest
  @MethodSource("samples")
  void damagedCapturesGiveAReportOrAOneLineError(Path sample) throws IOException {
    byte[] original = Files.readAllBytes(sample);
    Random rnd = new Random(sample.getFileName().toString().hashCode());
    Path damaged = tmp.resolve("damaged-" + sample.getFileName());
    for (int i = 0; i < PER_SAMPLE; i++) {
      byte[] b = damage(original, rnd);
      Files.write(damaged, b);
      // Every fifth run with libpcap where it is installed (it reads no gzip).
      String reader = i % 5 == 4 && LIBPCAP && !sample.toString().endsWith(".gz") ? "libpcap" : "builtin";
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.run(
          new String[] {"analyze", "--reader", reader, "--format", "json,html", "-o", tmp.resolve("out").toString(),
              damaged.toString()},
          InputStream.nullInputStream(), new PrintStream(OutputStream.nullOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      String stderr = err.toString(StandardCharsets.UTF_8);
      String what = sample.getFileName() + " damage #" + i + " (" + reader + "): exit " + code + ", stderr " + stderr;
      assertTrue(code == 0 || code == 3, what);
      assertTrue(stderr.lines().count() <= 1 && !stderr.contains("\tat "), what);
      if (code == 3) {
        assertTrue(stderr.contains(damaged.getFileName().toString()), "the error names the file: " + what);
      }
    }
  }

  private static byte[] damage(byte[] original, Random rnd) {
    byte[] b = original.clone();
    switch (rnd.nextInt(4)) {
      case 0 -> {
        for (int k = 1 + rnd.nextInt(8); k > 0; k--) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
      }
      case 1 -> b = Arrays.copyOf(b, rnd.nextInt(b.length));
      case 2 -> b[rnd.nextInt(Math.min(b.length, 64))] = (byte) rnd.nextInt(256);
      default -> {
        int at = rnd.nextInt(b.length);
        Arrays.fill(b, at, Math.min(b.length, at + 1 + rnd.nextInt(64)), (byte) 0xff);
      }
    }
    return b;
  }
}
