package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.capture.InputException;
import dev.synscope.capture.Interfaces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synscope live} for real: a server, a client and an attacker network namespace joined by
 * veth pairs; synscope runs as its own JVM inside the server namespace, capturing on the server's
 * veth with {@code --host-counters}, while the kernel handles real traffic: a listener that never
 * accepts (listen(4), tcp_abort_on_overflow=1) gets two bursts of connects (the second
 * overflows: RSTs after the 3rd ACK), a closed port gets connects (RST+ACK: not an overflow), and
 * a listener with a small backlog and tcp_syncookies=1 gets a short SYN flood spoofed from
 * 198.18.0.0/15 plus a few legitimate clients. It stops by --duration; the test asserts the
 * findings, the capture counters and that the kernel's counters agree.
 *
 * <p>Safety, as in samples/record: traffic stays inside the namespaces this test makes (no default
 * route anywhere; addresses 10.78.0.0/24 and 10.78.1.0/24 exist only inside them). The spoofed
 * range 198.18.0.0/15 is routed to the attacker namespace, which drops everything addressed to it
 * (raw-table DROP, forwarding off); its flooder refuses any other source range or destination.
 * The client namespace forwards between the attacker and the server. Only processes this test
 * started are ended, by PID; the namespaces are deleted also when the test fails. Needs root,
 * iproute2, iptables, python3 and libpcap, else skipped with the reason.
 */
@Timeout(60)
class LiveNamespaceTest {
  private static final String SERVER = "10.78.0.1";
  private static final String CLIENT = "10.78.0.2";
  private static final String ROUTER = "10.78.1.1";
  private static final String ATTACKER = "10.78.1.2";
  private static final String SPOOFED = "198.18.0.0/15";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Spoofed SYNs from 198.18.0.0/15 to 10.78.0.1 only; bounded in count, rate and time. */
  private static final String FLOOD = """
      import ipaddress, json, random, socket, struct, sys, time
      SPOOF = ipaddress.ip_network("198.18.0.0/15")
      DST = ipaddress.ip_address("10.78.0.1")
      def csum(b):
          if len(b) % 2: b += b"\\0"
          s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
          while s >> 16: s = (s & 0xFFFF) + (s >> 16)
          return ~s & 0xFFFF
      dst, dport, count, rate = ipaddress.ip_address(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
      if dst != DST or not (0 < count <= 5000) or not (0 < rate <= 5000):
          sys.exit("refusing: only 10.78.0.1, at most 5000 SYNs at 5000/s")
      rnd = random.Random(78)
      s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
      t0 = time.monotonic(); sent = 0
      while sent < count and time.monotonic() - t0 < 10:
          src = SPOOF[rnd.randrange(2, SPOOF.num_addresses - 1)]
          assert src in SPOOF
          sport = rnd.randrange(1024, 65535)
          tsval = (int(time.time() * 1000) + rnd.getrandbits(20)) & 0xFFFFFFFF
          opts = struct.pack("!BBH", 2, 4, 1460) + b"\\x04\\x02" + struct.pack("!BBII", 8, 10, tsval, 0) + b"\\x01\\x03\\x03\\x07"
          tcp = struct.pack("!HHIIBBHHH", sport, dport, rnd.getrandbits(32), 0, (20 + len(opts)) // 4 << 4, 0x02, 64240, 0, 0) + opts
          pseudo = src.packed + dst.packed + struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
          tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
          ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), rnd.getrandbits(16), 0x4000, 64, socket.IPPROTO_TCP, 0, src.packed, dst.packed)
          ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
          s.sendto(ip + tcp, (str(dst), 0))
          sent += 1
          delay = t0 + sent / rate - time.monotonic()
          if delay > 0: time.sleep(delay)
      print(json.dumps({"sent": sent, "seconds": round(time.monotonic() - t0, 3)}))
      """;

  @TempDir Path dir;

  @BeforeAll
  static void needsTheLab() {
    String missing = LiveLab.missing("ip", "iptables", "python3");
    assumeTrue(missing == null, missing);
    try {
      Interfaces.list();
    } catch (InputException e) {
      assumeTrue(false, "live namespace tests need libpcap: " + e.getMessage());
    }
    assumeTrue(Files.isRegularFile(tools().resolve("server.py")), "samples/tools not found: skipped");
  }

  private static Path tools() {
    return Path.of(System.getProperty("synscope.root", "..")).resolve("samples/tools").toAbsolutePath().normalize();
  }

  private static List<String> synscope(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "dev.synscope.cli.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static List<String> python(Path script, String... args) {
    List<String> cmd = new ArrayList<>(List.of("timeout", "-k", "2", "30", "python3", script.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void findsOverflowFloodAndCookiesOnARealVethAndTheKernelAgrees() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    Path out = Files.createDirectories(dir.resolve("reports"));
    try (LiveLab lab = new LiveLab(work)) {
      runScenario(lab, work, out);
    } finally {
      LiveLab.keep(dir);
    }
  }

  private void runScenario(LiveLab lab, Path work, Path out) throws Exception {
    {
      String srv = lab.namespace("srv");
      assumeTrue(srv != null, "cannot create network namespaces here: skipped");
      String cli = lab.namespace("cli");
      String atk = lab.namespace("atk");
      assertNotNull(cli);
      assertNotNull(atk);
      topology(lab, srv, cli, atk);
      boolean delay = delayClientTraffic(lab, cli);
      assumeTrue(delay, () -> "NFQUEUE delay unavailable in this kernel (needed for overflow resets): skipped"
          + lab.logs());

      Path tools = tools();
      lab.start(srv, "stuck", python(tools.resolve("server.py"), "--addr", SERVER, "--port", "8081", "--backlog", "4",
          "--mode", "noaccept", "--max-seconds", "25", "--ready-file", work.resolve("ready-stuck").toString()));
      lab.start(srv, "api", python(tools.resolve("server.py"), "--addr", SERVER, "--port", "8443", "--backlog", "16",
          "--mode", "echo", "--close", "client-first", "--response-bytes", "300", "--max-seconds", "25",
          "--ready-file", work.resolve("ready-api").toString()));
      assertTrue(lab.await(work.resolve("ready-stuck"), "ready", 10), "server 8081 did not start" + lab.logs());
      assertTrue(lab.await(work.resolve("ready-api"), "ready", 10), "server 8443 did not start" + lab.logs());

      Process live = lab.start(srv, "synscope", synscope("live", "-i", "slv-srv", "--duration", "9s",
          "--interval", "1s", "--host-counters", "--format", "json", "-o", out.toString()));
      assertTrue(lab.await(lab.stderr("synscope"), "listening on slv-srv", 20),
          "synscope did not start capturing" + lab.logs());
      Thread.sleep(300);

      // 8081, listen(4) never accepted: a burst of 4 fills the accept queue (it holds 5); of a
      // second burst of 4, all get SYN-ACKs but only one 3rd ACK finds room: 3 are reset.
      List<String> burst = List.of("--dst", SERVER, "--port", "8081", "--concurrency", "4", "--waves", "1",
          "--count", "4", "--pattern", "hold", "--request-bytes", "80", "--io-timeout", "2", "--syncnt", "1",
          "--max-seconds", "15");
      lab.start(cli, "fill", withArgs(python(tools.resolve("client.py")), burst, "--label", "fill"));
      Thread.sleep(400);
      lab.start(cli, "overflow", withArgs(python(tools.resolve("client.py")), burst, "--label", "overflow"));
      // Port 9: nobody listens, every SYN is answered by RST+ACK (a refusal, not an overflow).
      lab.start(cli, "closed", python(tools.resolve("client.py"), "--dst", SERVER, "--port", "9", "--count", "5",
          "--pattern", "connect", "--interval", "0.05", "--max-seconds", "10", "--label", "closed"));
      Thread.sleep(500);
      // 8443, listen(16), syncookies=1: 1500 spoofed SYNs at 1000/s, and 5 real clients meanwhile.
      Path flood = work.resolve("flood.py");
      Files.writeString(flood, FLOOD);
      Process flooder = lab.start(atk, "flood", python(flood, SERVER, "8443", "1500", "1000"));
      Thread.sleep(200);
      lab.start(cli, "legit", python(tools.resolve("client.py"), "--dst", SERVER, "--port", "8443", "--count", "5",
          "--pattern", "close-first", "--response-bytes", "300", "--interval", "0.2", "--syncnt", "3",
          "--max-seconds", "15", "--label", "legit"));

      assertTrue(LiveLab.await(flooder, 15), "flood did not end" + lab.logs());
      assertTrue(LiveLab.await(live, 30), "synscope did not stop at --duration" + lab.logs());
      assertEquals(0, live.exitValue(), "synscope exit code" + lab.logs());

      Path reportFile = out.resolve("live-slv-srv.json");
      assertTrue(Files.isRegularFile(reportFile), "report written" + lab.logs());
      JsonNode r = JSON.readTree(reportFile.toFile());
      String context = lab.logs() + "\n--- findings\n" + r.path("findings").toPrettyString()
          + "\n--- host_counters\n" + r.path("host_counters").path("comparisons").toPrettyString()
          + "\n--- warnings\n" + r.path("warnings");

      // Findings.
      JsonNode overflow = finding(r, "accept-queue-overflow", SERVER + ":8081");
      assertNotNull(overflow, "accept-queue-overflow on :8081" + context);
      assertEquals("abort", overflow.path("metrics").path("mode").asText(), context);
      assertTrue(overflow.path("metrics").path("abort_resets").asLong() >= 1, context);
      assertNotNull(finding(r, "syn-flood", SERVER + ":8443"), "syn-flood on :8443" + context);
      assertNotNull(finding(r, "syn-cookies", SERVER + ":8443"), "syn-cookies on :8443" + context);
      for (JsonNode f : r.path("findings")) {
        assertFalse(f.path("detector").asText().equals("accept-queue-overflow")
            && f.path("target").asText().endsWith(":9"), "a refusal is not an overflow" + context);
        assertFalse(f.path("detector").asText().equals("accept-queue-overflow")
            && f.path("target").asText().endsWith(":8443"), "the flood is not an overflow" + context);
      }
      assertTrue(r.path("summary").path("states").path("REJ").asLong() >= 5, "closed-port refusals" + context);

      // Capture counters: tcpdump's three plus synscope's hand-off; any loss is a warning.
      JsonNode capture = r.path("capture");
      assertEquals("slv-srv", capture.path("interface").asText());
      assertEquals("tcp", capture.path("filter").asText());
      assertEquals("duration", capture.path("stopped_by").asText());
      long packets = r.path("stats").path("packets").asLong();
      assertTrue(packets > 1500, "packets " + packets + context);
      assertTrue(capture.path("received").asLong() >= packets, capture + " vs " + packets);
      for (String field : List.of("dropped_by_kernel", "dropped_by_interface", "handoff_dropped")) {
        assertTrue(capture.path(field).isIntegralNumber() && capture.path(field).asLong() >= 0, field + ": " + capture);
      }
      long lost = capture.path("dropped_by_kernel").asLong() + capture.path("dropped_by_interface").asLong()
          + capture.path("handoff_dropped").asLong();
      boolean warned = false;
      for (JsonNode w : r.path("warnings")) {
        warned |= w.asText().contains("findings may be incomplete");
      }
      assertEquals(lost > 0, warned, "a loss warning exactly when packets were lost" + context);

      // Host counters: the kernel saw the overflow and sent the cookies, and says it agrees.
      JsonNode host = r.path("host_counters");
      assertTrue(host.path("samples").asInt() >= 5, host.toPrettyString());
      assertTrue(host.path("deltas").path("TcpExtListenOverflows").asLong() > 0, context);
      assertTrue(host.path("deltas").path("TcpExtSyncookiesSent").asLong() > 0, context);
      assertTrue(host.path("sockets").path("peak").path("syn_recv").asLong() > 0, context);
      assertEquals("agree", comparison(host, "accept-queue-overflow").path("verdict").asText(), context);
      assertEquals("agree", comparison(host, "syn-cookies").path("verdict").asText(), context);
      assertEquals("agree", comparison(host, "syn-flood").path("verdict").asText(), context);
      assertEquals(List.of(SERVER + ":8081"),
          JSON.convertValue(comparison(host, "accept-queue-overflow").path("wire_targets"), List.class));
      assertTrue(host.path("series").path("points").asInt() >= 5, context);

      // The stream on stdout (not a terminal): JSON Lines, a final object per finding.
      List<JsonNode> lines = new ArrayList<>();
      for (String line : Files.readAllLines(lab.stdout("synscope"), StandardCharsets.UTF_8)) {
        lines.add(JSON.readTree(line));
      }
      long finals = lines.stream().filter(action("finding-final")).count();
      assertEquals(r.path("findings").size(), finals, "one final object per finding" + context);
      assertTrue(lines.stream().filter(action("finding-final"))
          .anyMatch(n -> n.path("rule").path("id").asText().equals("syn-flood")
              && n.path("destination").path("port").asInt() == 8443), "syn-flood streamed");
      for (JsonNode n : lines) {
        assertEquals("alert", n.path("event").path("kind").asText());
        assertEquals("synscope.finding", n.path("event").path("dataset").asText());
      }
    }
  }

  /**
   * A silent link: SIGTERM must stop the capture at once, and the report must still be written
   * before the JVM exits, with exit code 0.
   */
  @Test
  void sigtermOnASilentLinkStopsPromptlyAndStillWritesTheReport() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    Path report = dir.resolve("quiet.json");
    try (LiveLab lab = new LiveLab(work)) {
      String ns = lab.namespace("quiet");
      assumeTrue(ns != null, "cannot create network namespaces here: skipped");
      Process live = lab.start(ns, "synscope", synscope("live", "-i", "lo", "--duration", "60s", "--host-counters",
          "--stream", "none", "-o", report.toString()));
      assertTrue(lab.await(lab.stderr("synscope"), "listening on lo", 20), "synscope did not start" + lab.logs());
      Thread.sleep(700);
      long t0 = System.nanoTime();
      live.destroy(); // SIGTERM to the JVM (ip netns exec execs it: same PID)
      assertTrue(LiveLab.await(live, 10), "still running 10 s after SIGTERM" + lab.logs());
      long millis = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(millis < 3000, "stopped " + millis + " ms after SIGTERM" + lab.logs());
      assertEquals(0, live.exitValue(), lab.logs());
      JsonNode r = JSON.readTree(report.toFile());
      assertEquals("signal", r.path("capture").path("stopped_by").asText());
      assertEquals(0, r.path("capture").path("received").asLong());
      assertEquals(0, r.path("stats").path("packets").asLong());
      assertTrue(r.path("host_counters").path("samples").asInt() >= 2, r.path("host_counters").toString());
      assertTrue(Files.readString(lab.stderr("synscope")).contains("stopped by signal"), lab.logs());
    }
  }

  private static List<String> withArgs(List<String> base, List<String> more, String... last) {
    List<String> out = new ArrayList<>(base);
    out.addAll(more);
    out.addAll(List.of(last));
    return out;
  }

  private static Predicate<JsonNode> action(String action) {
    return n -> action.equals(n.path("event").path("action").asText());
  }

  private static JsonNode finding(JsonNode report, String detector, String target) {
    for (JsonNode f : report.path("findings")) {
      if (f.path("detector").asText().equals(detector) && f.path("target").asText().equals(target)) {
        return f;
      }
    }
    return null;
  }

  private static JsonNode comparison(JsonNode host, String detector) {
    for (JsonNode c : host.path("comparisons")) {
      if (c.path("detector").asText().equals(detector)) {
        return c;
      }
    }
    return JSON.createObjectNode();
  }

  /**
   * srv (10.78.0.1) -- veth -- cli (10.78.0.2 | 10.78.1.1, forwarding) -- veth -- atk (10.78.1.2).
   * 198.18.0.0/15 is routed srv -> cli -> atk, where it is dropped. No default routes.
   */
  private static void topology(LiveLab lab, String srv, String cli, String atk) throws Exception {
    lab.must("ip", "-n", srv, "link", "add", "slv-srv", "type", "veth", "peer", "name", "slv-cli", "netns", cli);
    lab.must("ip", "-n", cli, "link", "add", "slv-c2a", "type", "veth", "peer", "name", "slv-atk", "netns", atk);
    lab.must("ip", "-n", srv, "addr", "add", SERVER + "/24", "dev", "slv-srv");
    lab.must("ip", "-n", cli, "addr", "add", CLIENT + "/24", "dev", "slv-cli");
    lab.must("ip", "-n", cli, "addr", "add", ROUTER + "/24", "dev", "slv-c2a");
    lab.must("ip", "-n", atk, "addr", "add", ATTACKER + "/24", "dev", "slv-atk");
    lab.must("ip", "-n", srv, "link", "set", "slv-srv", "up");
    lab.must("ip", "-n", cli, "link", "set", "slv-cli", "up");
    lab.must("ip", "-n", cli, "link", "set", "slv-c2a", "up");
    lab.must("ip", "-n", atk, "link", "set", "slv-atk", "up");
    lab.must("ip", "-n", srv, "route", "add", SPOOFED, "via", CLIENT);
    lab.must("ip", "-n", cli, "route", "add", SPOOFED, "via", ATTACKER);
    lab.must("ip", "-n", atk, "route", "add", "10.78.0.0/24", "via", ROUTER);
    // The attacker owns the spoofed range and drops everything sent to it; it sends nothing else.
    lab.sysctl(atk, "net.ipv4.ip_forward", "0");
    lab.must("ip", "netns", "exec", atk, "iptables", "-t", "raw", "-A", "PREROUTING", "-d", SPOOFED, "-j", "DROP");
    lab.must("ip", "netns", "exec", atk, "iptables", "-A", "OUTPUT", "-s", SPOOFED, "!", "-d", SERVER, "-j", "DROP");
    lab.sysctl(cli, "net.ipv4.ip_forward", "1");
    for (String ns : List.of(srv, cli)) {
      lab.sysctl(ns, "net.ipv4.conf.all.rp_filter", "0");
      lab.sysctl(ns, "net.ipv4.conf.default.rp_filter", "0");
    }
    lab.sysctl(cli, "net.ipv4.conf.slv-cli.rp_filter", "0");
    lab.sysctl(cli, "net.ipv4.conf.slv-c2a.rp_filter", "0");
    lab.sysctl(srv, "net.ipv4.conf.slv-srv.rp_filter", "0");
    lab.sysctl(srv, "net.ipv4.ip_forward", "0");
    lab.sysctl(srv, "net.ipv4.tcp_syncookies", "1");
    lab.sysctl(srv, "net.ipv4.tcp_abort_on_overflow", "1");
    lab.sysctl(srv, "net.ipv4.tcp_max_syn_backlog", "128");
  }

  /**
   * 10 ms each way on the client's traffic to and from port 8081 (NFQUEUE and samples/tools'
   * netdelay.py; this kernel has no sch_netem), so a burst's SYNs all reach the server before
   * its 3rd ACKs, as over a real network.
   */
  private static boolean delayClientTraffic(LiveLab lab, String cli) throws Exception {
    LiveLab.Result out = lab.run(10, "ip", "netns", "exec", cli, "iptables", "-A", "OUTPUT", "-o", "slv-cli", "-p",
        "tcp", "--dport", "8081", "-j", "NFQUEUE", "--queue-num", "7", "--queue-bypass");
    LiveLab.Result in = lab.run(10, "ip", "netns", "exec", cli, "iptables", "-A", "INPUT", "-i", "slv-cli", "-p",
        "tcp", "--sport", "8081", "-j", "NFQUEUE", "--queue-num", "7", "--queue-bypass");
    if (out.exitCode() != 0 || in.exitCode() != 0) {
      return false;
    }
    lab.start(cli, "netdelay", python(tools().resolve("netdelay.py"), "--queue", "7", "--delay-ms", "10",
        "--max-seconds", "25"));
    return lab.await(lab.stderr("netdelay"), "ready", 5);
  }
}
