package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.capture.InputException;
import dev.synscope.capture.Interfaces;
import dev.synscope.capture.LiveOptions;
import dev.synscope.testing.Cli;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synscope live} and {@code synscope interfaces} in-process: option errors (exit 2, before
 * any capture is opened), interface errors (exit 3), and, as root, short captures on the loopback
 * interface of connections this test makes to its own listener (a BPF filter keeps other traffic
 * out; nothing leaves the host).
 */
@Timeout(60)
class LiveCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private static void assertUsage(String message, String... args) {
    Cli.Result r = Cli.run(args);
    assertEquals(ExitCode.USAGE, r.exitCode(), r.stderr());
    assertTrue(r.stderr().contains(message), r.stderr());
    assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
  }

  @Test
  void badOptionsAreUsageErrorsBeforeAnythingIsOpened() {
    assertUsage("no interface given", "live");
    assertUsage("--duration takes a duration", "live", "-i", "lo", "--duration", "5x");
    assertUsage("--interval must be at least 100ms", "live", "-i", "lo", "--interval", "10ms");
    assertUsage("--buffer-size takes", "live", "-i", "lo", "-B", "lots");
    assertUsage("--count must be at least 1", "live", "-i", "lo", "-c", "0");
    assertUsage("--snaplen must be", "live", "-i", "lo", "-s", "999999");
    assertUsage("--stream takes", "live", "-i", "lo", "--stream", "sometimes");
    assertUsage("either with -f or as trailing words", "live", "-i", "lo", "-f", "tcp", "port", "80");
    assertUsage("unknown detector", "live", "-i", "lo", "--detectors", "nope");
    assertUsage("--param takes", "live", "-i", "lo", "--param", "oops");
    // In tests stdout is not a terminal: it carries the JSON Lines stream.
    assertUsage("stdout carries the JSON Lines stream", "live", "-i", "lo", "--format", "html");
    assertUsage("unknown format", "live", "-i", "lo", "--format", "pdf", "-o", "x");
    assertUsage("takes no arguments", "interfaces", "extra");
  }

  @Test
  void durationsAndSizesReadAsTcpdumpUsersExpect() throws UsageException {
    assertEquals(30_000_000_000L, LiveCommand.durationNanos("--duration", "30s"));
    assertEquals(300_000_000_000L, LiveCommand.durationNanos("--duration", "5m"));
    assertEquals(5_400_000_000_000L, LiveCommand.durationNanos("--duration", "1.5h"));
    assertEquals(250_000_000L, LiveCommand.durationNanos("--interval", "250ms"));
    assertEquals(2_000_000_000L, LiveCommand.durationNanos("--duration", "2"));
    assertThrows(UsageException.class, () -> LiveCommand.durationNanos("--duration", "0s"));
    assertThrows(UsageException.class, () -> LiveCommand.durationNanos("--duration", "-1s"));
    assertEquals(1 << 20, LiveCommand.bufferBytes("1024")); // KiB, as tcpdump -B
    assertEquals(64 << 20, LiveCommand.bufferBytes("64m"));
    assertEquals(1 << 30, LiveCommand.bufferBytes("1g"));
    assertEquals(512 << 10, LiveCommand.bufferBytes("512KiB"));
    assertThrows(UsageException.class, () -> LiveCommand.bufferBytes("4g"));
    assertEquals("live-eth0.100", LiveCommand.baseName("eth0.100"));
    assertEquals("live-a_b", LiveCommand.baseName("a/b"));
  }

  @Test
  void settingsDefaults() throws Exception {
    LiveCommand.Settings s = LiveCommand.settings(AnalyzeCommand.parse(LiveCommand.options(),
        new String[] {"-i", "eth0"}), false);
    assertEquals(new LiveOptions("eth0", "tcp", 160, true, 64 << 20, 0, null), s.capture());
    assertEquals(LiveCommand.Stream.JSONL, s.stream());
    assertEquals(java.util.List.of("jsonl"), s.formats(), "the stream is the report");
    assertEquals(5_000_000_000L, s.intervalNanos());
    assertEquals(0, s.durationNanos());
    s = LiveCommand.settings(AnalyzeCommand.parse(LiveCommand.options(),
        new String[] {"-i", "eth0", "-p", "-s", "0", "-o", "out", "tcp", "port", "443"}), true);
    assertEquals("tcp port 443", s.capture().filter());
    assertEquals(LiveOptions.MAX_SNAPLEN, s.capture().snaplen());
    assertEquals(false, s.capture().promiscuous());
    assertEquals(LiveCommand.Stream.STATUS, s.stream(), "a terminal gets the status line");
    assertEquals(java.util.List.of("json"), s.formats());
  }

  private static void assumeLibpcap() {
    try {
      Interfaces.list();
    } catch (InputException e) {
      assumeTrue(false, "needs libpcap: " + e.getMessage());
    }
  }

  @Test
  void interfacesListsTheDevicesWithAddresses() {
    assumeLibpcap();
    Cli.Result r = Cli.run("interfaces");
    assertEquals(ExitCode.OK, r.exitCode(), r.stderr());
    assertTrue(r.stdout().lines().anyMatch(l -> l.matches("\\d+\\.lo .*127\\.0\\.0\\.1.*")), r.stdout());
  }

  @Test
  void anUnknownInterfaceIsAnInputErrorListingTheValidOnes() {
    assumeLibpcap();
    Cli.Result r = Cli.run("live", "-i", "nosuch-if0", "--duration", "1s");
    assertEquals(ExitCode.INPUT, r.exitCode(), r.stderr());
    assertTrue(r.stderr().startsWith("synscope: nosuch-if0: no such capture interface; valid interfaces: "), r.stderr());
    assertTrue(r.stderr().contains("lo"), r.stderr());
  }

  private static void assumeRoot() {
    assumeLibpcap();
    assumeTrue(LiveLab.isRoot(), "live capture needs root (CAP_NET_RAW): skipped");
  }

  /** Connects {@code n} times to the server and sends a line on each; the server accepts them. */
  private static CompletableFuture<Void> traffic(ServerSocket server, int n, long delayMillis) {
    CompletableFuture<Void> accept = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < n; i++) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          in.read();
        } catch (IOException e) {
          return;
        }
      }
    });
    return CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(delayMillis);
        for (int i = 0; i < n; i++) {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
            OutputStream o = s.getOutputStream();
            o.write("hello\n".getBytes());
            o.flush();
          }
        }
        accept.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void aShortCaptureOnLoopbackWritesTheReportWithCaptureStats() throws Exception {
    assumeRoot();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path pcap = dir.resolve("lo.pcap");
      Path out = dir.resolve("reports");
      CompletableFuture<Void> t = traffic(server, 3, 800);
      Cli.Result r = Cli.run("live", "-i", "lo", "--duration", "2500ms", "--interval", "200ms", "--stream", "jsonl",
          "-w", pcap.toString(), "--format", "json,tsv", "-o", out.toString(), "--connections",
          "tcp", "port", String.valueOf(server.getLocalPort()));
      t.get(10, TimeUnit.SECONDS);
      assertEquals(ExitCode.OK, r.exitCode(), r.stderr());
      assertEquals("", r.stdout(), "no findings: nothing streamed");
      assertTrue(r.stderr().contains("synscope: listening on lo, filter 'tcp port " + server.getLocalPort()), r.stderr());
      assertTrue(r.stderr().contains("stopped by duration"), r.stderr());
      JsonNode report = JSON.readTree(out.resolve("live-lo.json").toFile());
      JsonNode capture = report.path("capture");
      assertEquals("lo", capture.path("interface").asText());
      assertEquals("duration", capture.path("stopped_by").asText());
      long packets = report.path("stats").path("packets").asLong();
      assertTrue(packets >= 3 * 5, "packets " + packets);
      // libpcap's kernel counter sees each loopback packet twice (sent and received); it keeps one
      assertTrue(capture.path("received").asLong() >= packets, capture.toString());
      assertEquals(0, capture.path("dropped_by_kernel").asLong());
      assertEquals(0, capture.path("handoff_dropped").asLong());
      assertEquals(3, report.path("summary").path("handshakes_completed").asLong(), report.toPrettyString());
      assertEquals(3, report.path("connections").size());
      assertTrue(report.path("host_counters").isMissingNode(), "only with --host-counters");
      assertTrue(Files.size(pcap) > 24 + packets * 16, "the -w file has every packet");
      assertTrue(Files.isRegularFile(out.resolve("live-lo.tsv")));
    }
  }

  @Test
  void countStopsTheCaptureAndTheStatusLineIsRewrittenInPlace() throws Exception {
    assumeRoot();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path report = dir.resolve("count.json");
      CompletableFuture<Void> t = traffic(server, 4, 600);
      Cli.Result r = Cli.run("live", "-i", "lo", "-c", "6", "--duration", "20s", "--interval", "200ms",
          "--stream", "status", "-o", report.toString(), "tcp port " + server.getLocalPort());
      t.get(10, TimeUnit.SECONDS);
      assertEquals(ExitCode.OK, r.exitCode(), r.stderr());
      JsonNode j = JSON.readTree(report.toFile());
      assertEquals("count", j.path("capture").path("stopped_by").asText());
      assertEquals(6, j.path("stats").path("packets").asLong());
      assertTrue(r.stdout().startsWith("\r"), r.stdout());
      assertTrue(r.stdout().contains(" lo  ") && r.stdout().contains(" pkts  ") && r.stdout().contains("findings 0"),
          r.stdout());
      assertTrue(r.stdout().endsWith("\n"), "the status line ends with a newline at the end");
    }
  }

  @Test
  void withoutOutputTheJsonLinesStreamIsTheReport() throws Exception {
    assumeRoot();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> t = traffic(server, 2, 500);
      Cli.Result r = Cli.run("live", "-i", "lo", "--duration", "1500ms", "--connections",
          "-f", "tcp port " + server.getLocalPort());
      t.get(10, TimeUnit.SECONDS);
      assertEquals(ExitCode.OK, r.exitCode(), r.stderr());
      long lines = r.stdout().lines().count();
      assertEquals(2, lines, "one connection object each, as --format jsonl writes them: " + r.stdout());
      for (String line : r.stdout().lines().toList()) {
        assertEquals("synscope.connection", JSON.readTree(line).path("event").path("dataset").asText());
      }
    }
  }
}
