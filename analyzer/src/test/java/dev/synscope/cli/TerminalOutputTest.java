package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synscope.capture.ReadPosition;
import dev.synscope.engine.Analyzer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a person at a terminal gets and what a script gets: the text summary on a terminal, JSON
 * to a pipe, colour only when asked for, the format of a named output file, and the progress line.
 */
class TerminalOutputTest {
  private static final Path SAMPLE = CheckCommandTest.ROOT.resolve("samples/mixed.pcap");
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private static Run run(boolean outTerminal, boolean errTerminal, boolean colour, String... args) {
    assumeTrue(Files.exists(SAMPLE), "sample missing: " + SAMPLE);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), outTerminal, errTerminal, colour);
    int code = Main.run(args, io);
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTerminalGetsTheSummaryAPipeGetsJson() {
    Run terminal = run(true, true, false, "analyze", SAMPLE.toString());
    assertEquals(0, terminal.code());
    assertTrue(terminal.out().startsWith("synscope "), terminal.out());
    assertTrue(terminal.out().contains("FINDINGS  3 (2 high, 1 medium)"), terminal.out());
    assertTrue(terminal.out().contains("SOCKETS BY STATE AT THE END"), terminal.out());
    assertTrue(terminal.out().strip().endsWith("-F html -o report.html"), terminal.out());
    assertFalse(terminal.out().contains("\u001b["), "no colour unless asked for");
    // A small capture is read in well under a second: no progress line.
    assertEquals("", terminal.err());

    Run pipe = run(false, false, false, "analyze", SAMPLE.toString());
    assertTrue(pipe.out().startsWith("{"), pipe.out());
    Run asked = run(true, true, false, "analyze", "-F", "json", SAMPLE.toString());
    assertTrue(asked.out().startsWith("{"), "-F json on a terminal");
  }

  @Test
  void colourOnlyWhenTheTerminalTakesIt() {
    Run coloured = run(true, true, true, "analyze", SAMPLE.toString());
    assertTrue(coloured.out().contains("\u001b[1;31mhigh"), coloured.out());
    Run json = run(true, true, true, "analyze", "-F", "json", SAMPLE.toString());
    assertFalse(json.out().contains("\u001b["), "JSON never has colour");
  }

  @Test
  void anOutputFileNamesItsFormat() throws Exception {
    for (String name : List.of("r.html", "r.txt", "r.json", "r.jsonl", "r.unknown")) {
      Path file = tmp.resolve(name);
      Run r = run(true, true, true, "analyze", "-o", file.toString(), SAMPLE.toString());
      assertEquals(0, r.code(), r.err());
      String text = Files.readString(file);
      switch (name) {
        case "r.html" -> assertTrue(text.startsWith("<!DOCTYPE html>") || text.startsWith("<!doctype html>"), name);
        case "r.txt" -> {
          assertTrue(text.startsWith("synscope "), name);
          assertFalse(text.contains("\u001b["), "files never get colour");
        }
        case "r.jsonl" -> assertTrue(text.startsWith("{\"") && text.lines().count() > 1, name);
        default -> assertTrue(text.startsWith("{\n"), name);
      }
    }
  }

  @Test
  void checkPrintsTheSummaryAndItsVerdict() {
    Run r = run(false, false, false, "check", SAMPLE.toString());
    assertEquals(ExitCode.FINDINGS, r.code());
    assertTrue(r.out().contains("FAIL high     syn-flood  10.77.0.1:8443"), r.out());
    assertTrue(r.out().contains("synscope check: FAIL: 3 findings at or above medium"), r.out());
  }

  @Test
  void theProgressLineWaitsASecondRedrawsInPlaceAndIsWipedAtTheEnd() {
    long[] now = {0};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    ReadPosition[] position = {new ReadPosition(0, 2, "/data/a.pcap", 250_000_000, 1_000_000_000, 250_000_000,
        2_000_000_000)};
    dev.synscope.capture.CaptureSource source = new dev.synscope.capture.CaptureSource() {
      @Override
      public boolean next(dev.synscope.capture.RawFrame frame) {
        return false;
      }

      @Override
      public List<dev.synscope.capture.InputSummary> inputs() {
        return List.of();
      }

      @Override
      public ReadPosition position() {
        return position[0];
      }

      @Override
      public void close() {}
    };
    ProgressLine line = new ProgressLine(source, err, () -> now[0]);
    Analyzer.Progress progress = new Analyzer.Progress() {
      @Override
      public long frames() {
        return now[0] / 1_000; // a million frames a second
      }

      @Override
      public long tcpSegments() {
        return frames();
      }

      @Override
      public int activeConnections() {
        return 12_345;
      }

      @Override
      public long packetTimeNanos() {
        return 0;
      }

      @Override
      public List<dev.synscope.detect.Finding> findings() {
        return List.of();
      }
    };
    now[0] = 900_000_000L;
    line.onProgress(progress);
    assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing in the first second");
    line.clear();
    assertEquals("", bytes.toString(StandardCharsets.UTF_8), "nothing drawn, nothing to wipe");
    now[0] = 2_000_000_000L;
    line.onProgress(progress);
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertTrue(drawn.startsWith("\ra.pcap (1/2) 250.0 MB/1000.0 MB 25 % · all 250.0 MB/2000.0 MB 12 % · 2000 k packets 1000 k/s"), drawn);
    assertTrue(drawn.contains("12 k connections · 0:02, 0:14 left"), drawn);
    assertTrue(drawn.endsWith("\u001b[K") && !drawn.contains("\n"), "redrawn in place");
    now[0] = 2_100_000_000L;
    line.onProgress(progress);
    assertEquals(drawn, bytes.toString(StandardCharsets.UTF_8), "at most every 200 ms");
    line.clear();
    assertTrue(bytes.toString(StandardCharsets.UTF_8).endsWith("\r\u001b[K"), "wiped at the end");
  }

  /** The launcher's word on the terminal and NO_COLOR, as a separate JVM sees them. */
  @Test
  void noColorTurnsColourOffOnATerminal() throws Exception {
    assumeTrue(Files.exists(SAMPLE), "sample missing: " + SAMPLE);
    Path classes = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String classpath = classes + java.io.File.pathSeparator + System.getProperty("java.class.path");
    for (String noColor : new String[] {null, "", "1"}) {
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", classpath, "-Dsynscope.stdout.tty=true", "-Dsynscope.stderr.tty=false", Main.class.getName(),
          "analyze", SAMPLE.toString());
      pb.environment().remove("NO_COLOR");
      if (noColor != null) {
        pb.environment().put("NO_COLOR", noColor);
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.getErrorStream().readAllBytes();
      assertEquals(0, p.waitFor());
      assertTrue(out.startsWith("\u001b[1msynscope") || out.startsWith("synscope"), out);
      boolean coloured = out.contains("\u001b[");
      assertEquals(noColor == null || noColor.isEmpty(), coloured, "NO_COLOR=" + noColor);
    }
  }

  @Test
  void quietOrAPipeMeansNoProgress() {
    Run quiet = run(true, true, false, "analyze", "-q", SAMPLE.toString());
    assertEquals("", quiet.err());
  }
}
