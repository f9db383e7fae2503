package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowId;
import dev.synscope.decode.IpAddress;
import dev.synscope.flow.Role;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TimelineBuilderTest {
  private static final long S = 1_000_000_000L;
  private static final long T0 = 1_700_000_000L * S;

  /** One FlowId per connection, as the flow table makes them (events share the instance). */
  private final java.util.Map<Integer, FlowId> ids = new java.util.HashMap<>();

  private FlowId id(int port) {
    return ids.computeIfAbsent(port,
        p -> new FlowId("C" + p, IpAddress.parse("10.0.0.2"), p, IpAddress.parse("10.0.0.1"), 80));
  }

  @Test
  void noEventsNoTimeline() {
    assertNull(new TimelineBuilder(ReportLimits.DEFAULT.maxTimelineHosts()).build());
  }

  @Test
  void countsPerSecondAndHalfOpenPeak() {
    TimelineBuilder t = new TimelineBuilder(ReportLimits.DEFAULT.maxTimelineHosts());
    t.accept(new ConnectionEvent.Attempted(T0 + 100, id(1), null));
    t.accept(new ConnectionEvent.Attempted(T0 + 200, id(2), null));
    t.accept(new ConnectionEvent.SynRetransmitted(T0 + S + 5, id(2), 3, 1, S));
    t.accept(new ConnectionEvent.Established(T0 + S + 10, id(1), 4, 100, 100));
    t.accept(new ConnectionEvent.Rejected(T0 + 3 * S, id(2), null));
    Report.Timeline tl = t.build();
    assertEquals(1, tl.bucketSeconds());
    assertEquals(4, tl.buckets());
    assertEquals("2023-11-14T22:13:20.000000000Z", tl.start());
    assertArrayEquals(new long[] {2, 1, 0, 0}, tl.syn());
    assertArrayEquals(new long[] {0, 1, 0, 0}, tl.handshakes());
    assertArrayEquals(new long[] {0, 0, 0, 1}, tl.rejected());
    // Two SYNs in flight in second 0, one (the unanswered one) through seconds 1 and 2, then none.
    assertArrayEquals(new long[] {2, 2, 1, 1}, tl.halfOpen());
  }

  @Test
  void timeWaitEstimateFollowsTheHostThatClosedFirst() {
    TimelineBuilder t = new TimelineBuilder(ReportLimits.DEFAULT.maxTimelineHosts());
    t.accept(new ConnectionEvent.Closed(T0, id(1), 1, Role.ORIG, false));
    t.accept(new ConnectionEvent.Closed(T0 + 2 * S, id(2), 2, Role.ORIG, false));
    t.accept(new ConnectionEvent.Closed(T0 + 2 * S, id(3), 3, Role.RESP, false));
    t.accept(new ConnectionEvent.Established(T0 + 70 * S, id(4), 4, 1, 1));
    Report.Timeline tl = t.build();
    assertEquals(2, tl.timeWait().size());
    Report.HostSeries client = tl.timeWait().get(0);
    assertEquals("10.0.0.2", client.host());
    assertEquals(2, client.peak());
    assertEquals(1, client.counts()[0]);
    assertEquals(2, client.counts()[2]);
    assertEquals(2, client.counts()[59]);
    assertEquals(1, client.counts()[60]); // the first close left TIME_WAIT after 60 s
    assertEquals(0, client.counts()[62]);
    assertEquals("10.0.0.1", tl.timeWait().get(1).host());
  }

  @Test
  void longCapturesWidenBucketsAndStayBounded() {
    TimelineBuilder t = new TimelineBuilder(ReportLimits.DEFAULT.maxTimelineHosts());
    long total = 0;
    for (long sec = 0; sec < 4 * 3600; sec += 7) {
      t.accept(new ConnectionEvent.Attempted(T0 + sec * S, id((int) (sec % 60000) + 1), null));
      t.accept(new ConnectionEvent.Established(T0 + sec * S + 1000, id((int) (sec % 60000) + 1), 2, 1, 1));
      total++;
    }
    Report.Timeline tl = t.build();
    assertTrue(tl.buckets() <= TimelineBuilder.MAX_BUCKETS, "buckets " + tl.buckets());
    assertEquals(16, tl.bucketSeconds());
    assertEquals(total, Arrays.stream(tl.syn()).sum(), "widening keeps every count");
    assertEquals(total, Arrays.stream(tl.handshakes()).sum());
  }
}
