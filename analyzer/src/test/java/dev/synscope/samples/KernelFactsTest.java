package dev.synscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Holds each sample's analysis to what the kernel and the programs reported while it was recorded
 * (samples/NAME.facts.json) and to the findings samples/expectations.json requires. Golden files
 * only freeze what synscope said; this test checks that it was true. Tolerances are stated per
 * fact with their reason.
 */
class KernelFactsTest {

  private static JsonNode expectations() throws IOException {
    return SampleCaptures.JSON.readTree(SampleCaptures.samples().resolve("expectations.json").toFile());
  }

  @TestFactory
  List<DynamicTest> analysesAgreeWithTheKernel() throws IOException {
    JsonNode expectations = expectations();
    List<DynamicTest> tests = new ArrayList<>();
    for (Path capture : SampleCaptures.captures()) {
      JsonNode expected = expectations.get(capture.getFileName().toString());
      tests.add(DynamicTest.dynamicTest(capture.getFileName().toString(), () -> {
        assertTrue(expected != null, capture.getFileName() + " is not listed in samples/expectations.json");
        Path factsFile = SampleCaptures.samples().resolve(expected.get("facts").asText());
        JsonNode facts = SampleCaptures.JSON.readTree(factsFile.toFile());
        // A low TIME_WAIT threshold makes the estimate visible for every sample, to compare with ss.
        // And every CLOSE_WAIT, however young, to compare with ss at the end.
        JsonNode report = SampleCaptures.analyze(capture, "--param", "time-wait-pileup.min_peak=1",
            "--param", "close-wait.min_age_s=0");
        checkCounts(report, facts);
        checkFindings(report, expected);
        checkCookies(report, facts);
        checkOverflowResets(report, facts);
        checkTimeWait(report, facts);
        checkSelfConnect(report, facts);
        checkSaturation(report, facts);
        checkCloseWait(report, facts);
        checkCensus(report, facts);
      }));
    }
    assertFalse(tests.isEmpty());
    return tests;
  }

  /**
   * The socket-state census at the end of the capture against {@code ss -tan} in each namespace
   * (taken right after the capture stopped). The states a close completes are exact. A close()
   * behind unacknowledged data is not on the wire (the FIN waits in the send queue, ss says
   * FIN-WAIT-1, the census ESTABLISHED), so those two are compared together: what the census
   * proves is at most what ss counted, and ss at most the census's count with its estimates. A
   * handshake still in progress at the capture's last packet may end in the milliseconds before
   * ss runs (an application's connect timeout, the kernel's SYN-ACK retries), so ss counts at most
   * what the census does. The attacker's namespace sends raw SYNs from spoofed sources: no sockets.
   */
  private static void checkCensus(JsonNode report, JsonNode facts) {
    for (String ns : List.of("srv", "cli", "self")) {
      JsonNode ss = facts.path("ss_states").path(ns);
      if (ss.isMissingNode()) {
        continue;
      }
      long[] count = new long[CENSUS.length];
      long[] proven = new long[CENSUS.length];
      for (JsonNode h : report.path("hosts")) {
        if (!namespaceOf(h.get("host").asText()).equals(ns)) {
          continue;
        }
        JsonNode s = h.get("socket_states");
        for (int i = 0; i < CENSUS.length; i++) {
          long n = s.at("/at_end/" + CENSUS[i]).asLong();
          count[i] += n;
          proven[i] += n - s.at("/estimated_at_end/" + CENSUS[i]).asLong(0);
        }
      }
      long[] kernel = new long[CENSUS.length];
      for (int i = 0; i < CENSUS.length; i++) {
        kernel[i] = ss.path(CENSUS[i].toUpperCase(java.util.Locale.ROOT).replace('_', '-').replace("WAIT1", "WAIT-1")
            .replace("WAIT2", "WAIT-2")).asLong(0);
      }
      String where = ns + ": census " + java.util.Arrays.toString(count) + " (proven " + java.util.Arrays.toString(proven)
          + ") vs ss " + java.util.Arrays.toString(kernel) + " in the order " + List.of(CENSUS);
      for (int i = 4; i < CENSUS.length; i++) { // fin_wait2 .. time_wait
        assertEquals(kernel[i], count[i], CENSUS[i] + " at the end, " + where);
        assertEquals(count[i], proven[i], CENSUS[i] + " is proven, " + where);
      }
      long provenOpen = proven[2] + proven[3];
      long ssOpen = kernel[2] + kernel[3];
      assertTrue(provenOpen <= ssOpen && ssOpen <= count[2] + count[3], "established + fin_wait1, " + where);
      assertTrue(kernel[0] <= count[0], "syn_sent, " + where);
      assertTrue(kernel[1] <= count[1], "syn_recv, " + where);
    }
  }

  private static final String[] CENSUS = {
    "syn_sent", "syn_recv", "established", "fin_wait1", "fin_wait2", "close_wait", "last_ack", "closing", "time_wait"
  };

  /** samples/record's addresses: the server namespace ends in 1, the client's in 2; loopback is "self". */
  private static String namespaceOf(String host) {
    if (host.equals("127.0.0.1") || host.equals("::1")) {
      return "self";
    }
    if (host.equals("10.77.0.1") || host.equals("fd00:77::1")) {
      return "srv";
    }
    if (host.equals("10.77.0.2") || host.equals("fd00:77::2")) {
      return "cli";
    }
    return "other";
  }

  /** CLOSE_WAIT at the end of the capture, on every side, is what ss counted in every namespace. */
  private static void checkCloseWait(JsonNode report, JsonNode facts) {
    long ss = 0;
    for (JsonNode ns : facts.path("ss_states")) {
      ss += ns.path("CLOSE-WAIT").asLong(0);
    }
    long atEnd = 0;
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals("close-wait")) {
        atEnd += f.at("/metrics/close_wait_at_end").asLong();
      }
    }
    assertEquals(ss, atEnd, "CLOSE_WAIT at the end vs ss");
  }

  /**
   * listener-saturation: the attempts it says were never answered are the connect() calls that
   * failed with ETIMEDOUT (the kernel dropped their SYNs on a full accept queue).
   */
  private static void checkSaturation(JsonNode report, JsonNode facts) {
    long timedOut = facts.at("/clients/failed/ETIMEDOUT").asLong(0);
    long never = 0;
    boolean found = false;
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals("connect-timeout")) {
        never += f.at("/metrics/attempts_unanswered").asLong(); // a dropped port's timeouts
        found = true;
        continue;
      }
      if (!f.get("detector").asText().equals("listener-saturation")) {
        continue;
      }
      if (f.at("/metrics/kind").asText().equals("stalled-after-handshake")) {
        // Connections the kernel never had: each got a cookie SYN-ACK and its 3rd ACK was dropped.
        assertEquals(facts.at("/nstat/srv/TcpExtSyncookiesSent").asLong(), f.at("/metrics/connections_stalled").asLong(),
            "stalled connections = SYN cookies sent");
        continue;
      }
      never += f.at("/metrics/never_answered").asLong();
      found = true;
    }
    // Where a flood dropped the legitimate clients' SYNs, syn-flood reports it, not this detector.
    if (found) {
      assertEquals(timedOut, never, "attempts never answered (saturated listeners, dropped ports) = connect() ETIMEDOUT");
    }
  }

  /** Packet and handshake counts are exact: the recorder counted the same file with tshark. */
  private static void checkCounts(JsonNode report, JsonNode facts) {
    JsonNode cc = facts.get("capture_counts");
    JsonNode flags = report.at("/stats/tcp_flags");
    assertEquals(cc.get("tcp_packets").asLong(), report.at("/stats/tcp_packets").asLong(), "tcp packets");
    assertEquals(cc.get("syn").asLong() + cc.get("syn_rtx").asLong(), flags.get("syn").asLong(), "SYN segments");
    assertEquals(cc.get("synack").asLong() + cc.get("synack_rtx").asLong(), flags.get("synack").asLong(), "SYN-ACKs");
    assertEquals(cc.get("rst").asLong() + cc.get("rst_ack").asLong(), flags.get("rst").asLong(), "RSTs");
    assertEquals(cc.get("fin").asLong(), flags.get("fin").asLong(), "FINs");
    // The recorder counts a handshake per direction that completed one; a simultaneous open
    // completes both directions of one connection, synscope counts the connection once.
    long handshakes = cc.get("handshakes").asLong() - report.at("/summary/simultaneous_opens").asLong();
    assertEquals(handshakes, report.at("/summary/handshakes_completed").asLong(), "handshakes");
    // connect() succeeds at the client when the SYN-ACK arrives; the server-side capture sees the
    // 3rd ACK right after, so every successful connect is a completed handshake in the capture.
    // Spoofed SYNs are not connects; simultaneous opens and self-connects count once per socket pair.
    JsonNode clients = facts.get("clients");
    if (clients != null && clients.has("succeeded") && !facts.get("scenario").asText().equals("simultaneous-open")) {
      assertEquals(clients.get("succeeded").asLong(), report.at("/summary/handshakes_completed").asLong(),
          "successful connects vs completed handshakes");
    }
  }

  private static void checkFindings(JsonNode report, JsonNode expected) {
    for (JsonNode must : expected.get("must")) {
      String detector = must.get("detector").asText();
      String target = must.has("target") ? must.get("target").asText() : null;
      JsonNode f = find(report, detector, target);
      assertTrue(f != null, "missing finding " + detector + " on " + target + "; got " + ids(report));
      if (must.has("mode")) {
        assertEquals(must.get("mode").asText(), f.at("/metrics/mode").asText(), detector + " mode");
      }
    }
    for (JsonNode mustNot : expected.get("must_not")) {
      String detector = mustNot.asText();
      if (detector.equals("time-wait-pileup")) {
        continue; // this test lowers its threshold on purpose; checked in checkTimeWait
      }
      assertTrue(find(report, detector, null) == null, "unexpected finding " + detector + "; got " + ids(report));
    }
    if (expected.has("must_not_targets")) {
      for (JsonNode m : expected.get("must_not_targets")) {
        assertTrue(find(report, m.get("detector").asText(), m.get("target").asText()) == null,
            "unexpected " + m.get("detector").asText() + " on " + m.get("target").asText());
      }
    }
    for (JsonNode f : report.get("findings")) {
      if (!f.get("detector").asText().equals("time-wait-pileup") && !isExpected(expected, f)) {
        // Anything not listed must be info or low: a sample yields no surprise above that.
        String sev = f.get("severity").asText();
        assertTrue(sev.equals("info") || sev.equals("low"),
            "finding not in expectations: " + f.get("detector").asText() + " " + f.get("target").asText());
      }
    }
  }

  private static boolean isExpected(JsonNode expected, JsonNode f) {
    List<JsonNode> listed = new ArrayList<>();
    expected.get("must").forEach(listed::add);
    if (expected.has("may")) expected.get("may").forEach(listed::add);
    for (JsonNode m : listed) {
      String detector = m.isTextual() ? m.asText() : m.get("detector").asText();
      if (detector.equals(f.get("detector").asText())) return true;
    }
    return false;
  }

  /**
   * SYN-ACKs judged cookies never exceed what the kernel sent by more than chance: T1 and T2 each
   * match a normal SYN-ACK 1 time in 64, so allow 2 % plus 2. A syn-cookies finding appears iff the
   * kernel sent cookies. The lower bound is 1: cookies to spoofed sources near the end of a capture
   * cannot be proved (no retransmission deadline passes, no next packet).
   */
  private static void checkCookies(JsonNode report, JsonNode facts) {
    long sent = facts.at("/nstat/srv/TcpExtSyncookiesSent").asLong(0);
    long judged = 0;
    boolean finding = false;
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals("syn-cookies") && f.at("/metrics/judged_cookies").isNumber()) {
        judged += f.at("/metrics/judged_cookies").asLong();
        finding = true;
      }
      // A cookie whose connection the full accept queue then refused leaves no trace in the SYN-ACK
      // (per-connection timestamp offsets) and no next server segment: listener-saturation reports
      // those connections as stalled after the handshake, SYN-ACKs no request socket stood behind.
      if (f.get("detector").asText().equals("listener-saturation")
          && f.at("/metrics/kind").asText().equals("stalled-after-handshake")) {
        judged += f.at("/metrics/connections_stalled").asLong();
        finding = true;
      }
    }
    assertTrue(judged <= sent * 1.02 + 2, "judged " + judged + " cookies, kernel sent " + sent);
    // And from below: every cookie is judged, also those whose T5 wait (no retransmission) ends
    // while only data or other traffic flows, which only the engine's packet clock sees pass.
    assertTrue(judged >= sent * 0.98 - 2, "judged " + judged + " cookies, kernel sent " + sent);
    assertEquals(sent > 0, finding, "syn-cookies finding vs TcpExtSyncookiesSent=" + sent);
  }

  /** In abort mode every reset client saw ECONNRESET: exact. */
  private static void checkOverflowResets(JsonNode report, JsonNode facts) {
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals("accept-queue-overflow") && f.at("/metrics/mode").asText().equals("abort")) {
        long resets = facts.at("/clients/io_failed/ECONNRESET").asLong(0);
        assertEquals(resets, f.at("/metrics/abort_resets").asLong(), "abort RSTs vs ECONNRESET");
        JsonNode listener = null;
        for (JsonNode l : facts.get("listeners")) {
          if (l.get("address").asText().equals(f.get("target").asText())) listener = l;
        }
        assertTrue(listener != null);
        // Linux queues backlog + 1 before it overflows; ss shows that number at the end.
        assertEquals(listener.at("/ss_at_end/accept_queue_len").asLong(),
            f.at("/metrics/estimated_accept_queue_length").asLong(), "accept queue length vs ss");
      }
    }
  }

  /**
   * The TIME_WAIT left at the end of the capture equals ss's count in the closer's namespace
   * (recorded right after the capture, well within the 60 s TIME_WAIT).
   */
  private static void checkTimeWait(JsonNode report, JsonNode facts) {
    long estimated = 0;
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals("time-wait-pileup")) {
        estimated += f.at("/metrics/time_wait_at_end").asLong();
      }
    }
    long ss = 0;
    for (JsonNode ns : facts.get("ss_states")) {
      ss += ns.path("TIME-WAIT").asLong(0);
    }
    assertEquals(ss, estimated, "TIME_WAIT at the end vs ss");
  }

  private static void checkSelfConnect(JsonNode report, JsonNode facts) {
    JsonNode self = facts.get("self_connect");
    if (self == null || !self.path("is_self").asBoolean()) {
      return;
    }
    JsonNode f = find(report, "self-connect", self.get("local").asText());
    assertTrue(f != null, "self-connect on " + self.get("local").asText() + " not reported");
    assertEquals(1, report.at("/summary/self_connections").asLong());
  }

  private static JsonNode find(JsonNode report, String detector, String target) {
    for (JsonNode f : report.get("findings")) {
      if (f.get("detector").asText().equals(detector) && (target == null || f.get("target").asText().equals(target))) {
        return f;
      }
    }
    return null;
  }

  private static String ids(JsonNode report) {
    List<String> out = new ArrayList<>();
    report.get("findings").forEach(f -> out.add(f.get("detector").asText() + "@" + f.get("target").asText()));
    return out.toString();
  }
}
