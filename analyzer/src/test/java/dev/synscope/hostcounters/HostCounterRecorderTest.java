package dev.synscope.hostcounters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.report.JsonReportWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Deltas, peaks and the bounded series. */
class HostCounterRecorderTest {

  private static HostSample sample(long millis, long overflows, long cookies, long timeWait, long synRecv) {
    Map<String, Long> c = new HashMap<>();
    c.put("TcpExtListenOverflows", overflows);
    c.put("TcpExtSyncookiesSent", cookies);
    c.put("TcpActiveOpens", 100L);
    long[] states = new long[SocketStates.NAMES.length];
    states[5] = timeWait;
    states[2] = synRecv;
    return new HostSample(millis, c, SocketStates.of(states, false));
  }

  @Test
  void nothingBeforeTheFirstSample() {
    assertNull(new HostCounterRecorder("x", 5).summary());
  }

  @Test
  void deltasPeaksAndSeries() {
    HostCounterRecorder r = new HostCounterRecorder("/proc/net", 1);
    r.add(sample(1_000, 10, 500, 3, 0));
    r.add(sample(2_000, 10, 900, 40, 17));
    r.add(sample(4_000, 16, 900, 12, 2));
    HostCounters h = r.summary();
    assertEquals(3, h.samples());
    assertEquals(6, h.delta("TcpExtListenOverflows"));
    assertEquals(400, h.delta("TcpExtSyncookiesSent"));
    assertEquals(0, h.delta("TcpActiveOpens"));
    assertEquals(-1, h.delta("TcpExtListenDrops"), "a counter this kernel lacks");
    assertFalse(h.deltas().containsKey("TcpExtListenDrops"));
    assertEquals(400.0, h.peakRatesPerS().get("TcpExtSyncookiesSent"));
    assertEquals(3.0, h.peakRatesPerS().get("TcpExtListenOverflows"));
    assertFalse(h.peakRatesPerS().containsKey("TcpActiveOpens"), "only counters that rose");
    assertEquals(40, h.sockets().peak().get("time_wait"));
    assertEquals(3, h.sockets().start().get("time_wait"));
    assertEquals(12, h.sockets().end().get("time_wait"));
    assertEquals(17, h.sockets().peak().get("syn_recv"));
    assertArrayEquals(new long[] {0, 1000, 3000}, h.series().tMs());
    assertArrayEquals(new long[] {0, 0, 6}, h.series().counters().get("TcpExtListenOverflows"));
    assertArrayEquals(new long[] {0, 400, 0}, h.series().counters().get("TcpExtSyncookiesSent"));
    assertFalse(h.series().counters().containsKey("TcpExtListenDrops"));
    assertArrayEquals(new long[] {3, 40, 12}, h.series().sockets().get("time_wait"));
    assertEquals("1970-01-01T00:00:01Z", h.startedAt());
  }

  @Test
  void theSeriesStaysBoundedAndKeepsTotalsAndPeaks() {
    HostCounterRecorder r = new HostCounterRecorder("/proc/net", 5);
    int n = 3 * HostCounterRecorder.MAX_POINTS + 7;
    for (int i = 0; i < n; i++) {
      r.add(sample(i * 5_000L, i, 2L * i, i == 100 ? 999 : i % 7, 0));
    }
    HostCounters h = r.summary();
    int points = h.series().points();
    assertTrue(points <= HostCounterRecorder.MAX_POINTS && points > HostCounterRecorder.MAX_POINTS / 4, "" + points);
    assertEquals(points, h.series().tMs().length);
    assertEquals((n - 1) * 5_000L, h.series().tMs()[points - 1], "the last point is the last sample");
    long sum = 0;
    for (long v : h.series().counters().get("TcpExtListenOverflows")) {
      sum += v;
    }
    assertEquals(n - 1, sum, "merged points add up to the whole increase");
    assertEquals(n - 1, h.delta("TcpExtListenOverflows"));
    long peak = 0;
    for (long v : h.series().sockets().get("time_wait")) {
      peak = Math.max(peak, v);
    }
    assertEquals(999, peak, "a merged point keeps the larger count");
    assertEquals(999, h.sockets().peak().get("time_wait"));
    for (int i = 1; i < points; i++) {
      assertTrue(h.series().tMs()[i] > h.series().tMs()[i - 1]);
    }
  }

  @Test
  void theReportWritesEachSeriesOnOneLine() throws Exception {
    HostCounterRecorder r = new HostCounterRecorder("/proc/net", 1);
    r.add(sample(0, 0, 0, 0, 0));
    r.add(sample(1_000, 2, 0, 1, 0));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonReportWriter.writeValue(r.summary(), out);
    String json = out.toString(StandardCharsets.UTF_8);
    assertTrue(json.contains("\"t_ms\" : [0, 1000]"), json);
    assertTrue(json.contains("\"TcpExtListenOverflows\" : [0, 2]"), json);
    assertTrue(json.contains("\"peak_rates_per_s\""), json);
    assertTrue(json.indexOf("\"deltas\"") < json.indexOf("\"series\""), json);
  }
}
