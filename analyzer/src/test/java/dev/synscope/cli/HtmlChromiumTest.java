package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the HTML report of every sample in headless Chromium, as a person would, with the network
 * blocked: no console message (errors, uncaught exceptions and Content-Security-Policy violations
 * all log one), no request leaving the page, every finding and chart in the rendered DOM; saves a
 * screenshot of each under the build directory's {@code screenshots/}. Skipped when Chromium is not
 * installed ({@code apt-get install chromium}).
 */
class HtmlChromiumTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ROOT = CheckCommandTest.ROOT;
  private static final List<String> CHARTS =
      List.of("chart-rates", "chart-half-open", "chart-time-wait", "chart-hist-syn-synack", "chart-hist-synack-ack");
  /** A page's own requests carry its (file://) top-frame site in their network-isolation key. */
  private static final Pattern PAGE_REQUEST = Pattern.compile("_dk_file://[^\"]*? ((?:https?|wss?|ftp)://[^\"]*)");

  static Path chromium;
  @TempDir static Path tmp;

  @BeforeAll
  static void findChromium() {
    String override = System.getenv("SYNSCOPE_CHROMIUM");
    chromium = Optional.ofNullable(override).map(Path::of).or(() -> onPath("chromium"))
        .or(() -> onPath("chromium-browser")).orElse(null);
    assumeTrue(chromium != null && Files.isExecutable(chromium),
        "headless Chromium not installed (apt-get install chromium, or set SYNSCOPE_CHROMIUM)");
  }

  private static Optional<Path> onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Where screenshots go: {@code <build dir>/screenshots} (target/ by default). */
  static Path screenshotDir() throws IOException, URISyntaxException {
    Path testClasses = Path.of(HtmlChromiumTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = testClasses.getParent().resolve("screenshots");
    Files.createDirectories(dir);
    return dir;
  }

  static List<Path> samples() throws IOException {
    List<Path> out = new ArrayList<>();
    Path dir = ROOT.resolve("samples");
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(p -> p.getFileName().toString().matches(".*\\.(pcap|pcapng)")).sorted().forEach(out::add);
      }
    }
    Path corpus = CheckCommandTest.CLEAN;
    if (Files.exists(corpus)) {
      out.add(corpus);
    }
    return out;
  }

  record Browser(int code, String stdout, String stderr) {}

  /** One headless Chromium run with its own profile, the network blocked. */
  static Browser chromium(Path workDir, String... action) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(workDir, "profile");
    List<String> cmd = new ArrayList<>(List.of(chromium.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
        "--user-data-dir=" + profile,
        // No way out: names resolve nowhere, and everything else goes to a closed local port.
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=socks5://127.0.0.1:9",
        "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"));
    cmd.addAll(List.of(action));
    Path out = workDir.resolve("chromium-" + System.nanoTime() + ".out");
    Path err = workDir.resolve("chromium-" + System.nanoTime() + ".err");
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("chromium did not finish within 90 s: " + cmd);
    }
    return new Browser(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static List<String> consoleMessages(String stderr) {
    return stderr.lines().filter(l -> l.contains(":CONSOLE")).toList();
  }

  static List<String> pageRequests(Path netLog) throws IOException {
    List<String> out = new ArrayList<>();
    if (Files.exists(netLog)) {
      Matcher m = PAGE_REQUEST.matcher(Files.readString(netLog));
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  static Path htmlReport(Path capture, Path dir) throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"analyze", "--format", "html,json", "-o", dir.toString(), capture.toString()},
        new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    String base = AnalyzeCommand.baseName(List.of(capture.toString()));
    return dir.resolve(base + ".html");
  }

  @Test
  void everySampleReportRendersOfflineWithItsFindingsAndCharts() throws Exception {
    List<Path> samples = samples();
    assumeTrue(!samples.isEmpty(), "no sample captures");
    Path shots = screenshotDir();
    int findingsSeen = 0;
    for (Path capture : samples) {
      Path dir = Files.createTempDirectory(tmp, "report");
      Path html = htmlReport(capture, dir);
      JsonNode report = JSON.readTree(dir.resolve(html.getFileName().toString().replace(".html", ".json")).toFile());
      String name = capture.getFileName().toString();
      Path netLog = dir.resolve("netlog.json");

      Path png = shots.resolve(name + ".png");
      Files.deleteIfExists(png);
      // One run: the DOM after the scripts ran on stdout, and a screenshot of the page.
      Browser dom = chromium(dir, "--log-net-log=" + netLog, "--window-size=1280,2400", "--screenshot=" + png,
          "--dump-dom", html.toUri().toString());
      assertEquals(0, dom.code(), name + ": chromium failed: " + dom.stderr());
      assertEquals(List.of(), consoleMessages(dom.stderr()), name + ": console messages");
      assertEquals(List.of(), pageRequests(netLog), name + ": network requests");
      String page = dom.stdout();
      assertTrue(page.contains("data-charts-ready=\"true\""), name + ": the chart script ran to its end");
      for (String chart : CHARTS) {
        Matcher m = Pattern.compile("<canvas id=\"" + chart + "\"[^>]*data-rendered=\"(true|empty)\"").matcher(page);
        assertTrue(m.find(), name + ": chart " + chart + " rendered");
        if (chart.equals("chart-rates") && report.at("/summary/connections").asLong() > 0) {
          assertEquals("true", m.group(1), name + ": time series drawn");
        }
      }
      int hosts = Math.min(6, report.path("hosts").size());
      for (int i = 0; i < hosts; i++) {
        assertTrue(Pattern.compile("<canvas id=\"chart-census-" + i + "\"[^>]*data-rendered=\"true\"").matcher(page).find(),
            name + ": the socket-state chart of " + report.at("/hosts/" + i + "/host").asText() + " drawn");
      }
      JsonNode findings = report.get("findings");
      for (int i = 0; i < findings.size(); i++) {
        JsonNode f = findings.get(i);
        assertTrue(page.contains("id=\"finding-" + i + "\" data-detector=\"" + f.get("detector").asText() + "\""),
            name + ": finding " + i + " (" + f.get("detector").asText() + ") in the DOM");
        findingsSeen++;
      }
      assertTrue(Files.exists(png) && Files.size(png) > 10_000, name + ": screenshot written");
    }
    System.out.println("HtmlChromiumTest: " + samples.size() + " reports, " + findingsSeen + " findings checked, screenshots in "
        + shots);
  }

  /** The network check itself: a page that does request something is caught. */
  @Test
  void aRequestingPageWouldBeCaught() throws Exception {
    Path dir = Files.createTempDirectory(tmp, "control");
    Path page = dir.resolve("control.html");
    Files.writeString(page, "<!DOCTYPE html><html><body><img src=\"http://synscope-test.invalid/x.png\">"
        + "<script>console.log('hello')</script></body></html>");
    Path netLog = dir.resolve("netlog.json");
    Browser b = chromium(dir, "--log-net-log=" + netLog, "--dump-dom", page.toUri().toString());
    assertEquals(0, b.code());
    assertFalse(consoleMessages(b.stderr()).isEmpty(), "console messages are seen");
    assertEquals(List.of("http://synscope-test.invalid/x.png"), pageRequests(netLog).stream().distinct().toList(),
        "page requests are seen in the net log");
  }
}
