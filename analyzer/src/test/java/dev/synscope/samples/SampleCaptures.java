package dev.synscope.samples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.cli.Main;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The captures in samples/ and their reports, found automatically. */
final class SampleCaptures {
  static final ObjectMapper JSON = new ObjectMapper();

  private SampleCaptures() {}

  static Path root() {
    return Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  }

  static Path samples() {
    return root().resolve("samples");
  }

  static Path reports() {
    return root().resolve("reports");
  }

  /** Every capture file in samples/, recognised by its magic bytes (not its name). */
  static List<Path> captures() throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(samples())) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        if (isCapture(p)) {
          out.add(p);
        }
      }
    }
    return out;
  }

  private static boolean isCapture(Path p) throws IOException {
    byte[] head = new byte[4];
    try (var in = Files.newInputStream(p)) {
      if (in.readNBytes(head, 0, 4) < 4) {
        return false;
      }
    }
    int m = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
    boolean gzip = (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
    return gzip || m == 0xa1b2c3d4 || m == 0xd4c3b2a1 || m == 0xa1b23c4d || m == 0x4d3cb2a1 || m == 0x0A0D0D0A;
  }

  /** samples/x.pcap -> "x"; closed-port-gz.pcap.gz -> "closed-port-gz". */
  static String baseName(Path capture) {
    String name = capture.getFileName().toString();
    for (String ext : List.of(".gz", ".pcapng", ".pcap")) {
      if (name.endsWith(ext)) {
        name = name.substring(0, name.length() - ext.length());
      }
    }
    return name;
  }

  /** Runs synscope in-process on a capture and returns the parsed JSON report. */
  static JsonNode analyze(Path capture, String... extra) throws IOException {
    List<String> args = new ArrayList<>(List.of("analyze", capture.toString()));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(
        args.toArray(String[]::new),
        new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    if (code != 0) {
      throw new AssertionError("synscope exited " + code + " on " + capture + ": " + err.toString(StandardCharsets.UTF_8));
    }
    return JSON.readTree(out.toByteArray());
  }

  /** The text summary of a capture, its path written as samples/NAME (as the goldens hold it). */
  static String text(Path capture) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"analyze", "-F", "text", capture.toString()}, new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    if (code != 0) {
      throw new AssertionError("synscope exited " + code + " on " + capture + ": " + err.toString(StandardCharsets.UTF_8));
    }
    return out.toString(StandardCharsets.UTF_8).replace(capture.toString(), "samples/" + capture.getFileName());
  }
}
