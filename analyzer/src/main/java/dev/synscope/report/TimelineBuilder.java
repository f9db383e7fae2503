package dev.synscope.report;

import dev.synscope.decode.IpAddress;
import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.FlowId;
import dev.synscope.flow.Role;
import dev.synscope.flow.Timestamps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-second counts of handshake events for the report's time series, in bounded memory: one
 * bucket per second until {@link #MAX_BUCKETS} would be exceeded, then buckets double in width
 * (neighbours merge), so an hour-long or day-long capture still gives at most that many points.
 */
final class TimelineBuilder {
  static final int MAX_BUCKETS = 900;
  /** Linux holds TIME_WAIT for TCP_TIMEWAIT_LEN, 60 s, after the close. */
  static final long TIME_WAIT_SECONDS = 60;
  static final String NAME = "report.timeline_hosts";
  /** Distinct hosts past the cap that are told apart for the count of other hosts. */
  private static final int MAX_OTHER_HOST_NAMES = 10_000;
  /** Hosts whose TIME_WAIT series the report lists, by peak. */
  static final int TOP_HOSTS = 8;

  private long originSecond = Long.MIN_VALUE;
  private long width = 1;
  private int used;
  private int lastTouched = -1;
  private final long[] syn = new long[MAX_BUCKETS];
  private final long[] synAck = new long[MAX_BUCKETS];
  private final long[] handshakes = new long[MAX_BUCKETS];
  private final long[] rejected = new long[MAX_BUCKETS];
  private final long[] resets = new long[MAX_BUCKETS];
  private final long[] halfOpenPeak = new long[MAX_BUCKETS];
  /**
   * Marks a connection whose SYN was seen and whose handshake has not completed, failed or
   * ended; the value is the builder that counts it, so builders sharing ids stay apart.
   */
  private static final ConnectionAttribute<TimelineBuilder> HALF_OPEN = ConnectionAttribute.create("half-open");
  private int halfOpen;
  /** Per host, the closes it made first (so holds TIME_WAIT for) in each bucket. */
  private final Map<IpAddress, long[]> closesByHost = new LinkedHashMap<>();
  private int otherHosts;
  private final Set<IpAddress> otherHostNames = new HashSet<>();
  /** Hosts whose TIME_WAIT is estimated; closes by further hosts are counted together. */
  private final int maxHosts;

  TimelineBuilder(int maxHosts) {
    this.maxHosts = maxHosts;
  }

  void accept(ConnectionEvent event) {
    int b = bucket(event.timestampNanos());
    if (event instanceof ConnectionEvent.Attempted a) {
      syn[b]++;
      addHalfOpen(a.id());
    } else if (event instanceof ConnectionEvent.SynRetransmitted) {
      syn[b]++;
    } else if (event instanceof ConnectionEvent.SynAckSent) {
      synAck[b]++;
    } else if (event instanceof ConnectionEvent.Established e) {
      handshakes[b]++;
      removeHalfOpen(e.id());
    } else if (event instanceof ConnectionEvent.AnsweredUnseen a) {
      removeHalfOpen(a.id()); // answered, though the capture does not hold the answer
    } else if (event instanceof ConnectionEvent.Rejected r) {
      rejected[b]++;
      removeHalfOpen(r.id());
    } else if (event instanceof ConnectionEvent.Reset r) {
      resets[b]++;
      if (r.handshakeAckNanos() < 0) {
        removeHalfOpen(r.id()); // after a completed handshake it left at Established
      }
    } else if (event instanceof ConnectionEvent.Closed c) {
      if (c.closedFirst() != null) {
        FlowId id = c.id();
        IpAddress host = c.closedFirst() == Role.ORIG ? id.origHost() : id.respHost();
        long[] closes = closesByHost.get(host);
        if (closes == null && closesByHost.size() < maxHosts) {
          closes = new long[MAX_BUCKETS];
          closesByHost.put(host, closes);
        }
        if (closes != null) {
          closes[b]++;
        } else if (otherHostNames.size() < MAX_OTHER_HOST_NAMES && otherHostNames.add(host)) {
          otherHosts++;
        }
      }
    } else if (event instanceof ConnectionEvent.Removed r) {
      ConnectionSummary s = r.connection();
      // Only an attempt that never completed, was refused or reset can still be in the set.
      if (!s.handshakeCompleted() && s.orig().firstRst() == null && s.resp().firstRst() == null) {
        removeHalfOpen(r.id());
      }
    }
    halfOpenPeak[b] = Math.max(halfOpenPeak[b], halfOpen);
  }

  private void addHalfOpen(FlowId id) {
    if (id.get(HALF_OPEN) != this) {
      id.set(HALF_OPEN, this);
      halfOpen++;
    }
  }

  private void removeHalfOpen(FlowId id) {
    if (id.get(HALF_OPEN) == this) {
      id.set(HALF_OPEN, null);
      halfOpen--;
    }
  }

  /** Hosts with a TIME_WAIT series; refused counts the further hosts (up to 10 000 told apart). */
  StateTableStats stats() {
    return StateTableStats.refusing(NAME, maxHosts, closesByHost.size(), otherHosts);
  }

  /** The bucket of a packet time, widening buckets when the capture outgrows them. */
  private int bucket(long nanos) {
    long second = Math.floorDiv(nanos, 1_000_000_000L);
    if (originSecond == Long.MIN_VALUE) {
      originSecond = second;
    }
    long offset = Math.max(0, second - originSecond);
    while (offset / width >= MAX_BUCKETS) {
      widen();
    }
    int b = (int) (offset / width);
    // Quiet buckets between events keep the half-open level they started with.
    for (int i = lastTouched + 1; i <= b; i++) {
      halfOpenPeak[i] = Math.max(halfOpenPeak[i], halfOpen);
    }
    lastTouched = Math.max(lastTouched, b);
    used = Math.max(used, b + 1);
    return b;
  }

  private void widen() {
    for (long[] a : List.of(syn, synAck, handshakes, rejected, resets)) {
      mergePairs(a, false);
    }
    mergePairs(halfOpenPeak, true);
    for (long[] a : closesByHost.values()) {
      mergePairs(a, false);
    }
    width *= 2;
    used = (used + 1) / 2;
    lastTouched = lastTouched < 0 ? -1 : lastTouched / 2;
  }

  private static void mergePairs(long[] a, boolean max) {
    for (int i = 0; i < a.length / 2; i++) {
      a[i] = max ? Math.max(a[2 * i], a[2 * i + 1]) : a[2 * i] + a[2 * i + 1];
    }
    Arrays.fill(a, a.length / 2, a.length, 0);
  }

  /** The time series, or null when there was no event at all. */
  Report.Timeline build() {
    if (originSecond == Long.MIN_VALUE) {
      return null;
    }
    int n = used;
    // Estimated TIME_WAIT at the end of a bucket: the closes made in the last 60 s.
    int window = (int) Math.max(1, (TIME_WAIT_SECONDS + width - 1) / width);
    List<Report.HostSeries> hosts = new ArrayList<>();
    for (Map.Entry<IpAddress, long[]> e : closesByHost.entrySet()) {
      long[] closes = e.getValue();
      long[] tw = new long[n];
      long running = 0;
      long peak = 0;
      for (int i = 0; i < n; i++) {
        running += closes[i];
        if (i - window >= 0) {
          running -= closes[i - window];
        }
        tw[i] = running;
        peak = Math.max(peak, running);
      }
      hosts.add(new Report.HostSeries(e.getKey().toString(), peak, tw));
    }
    hosts.sort(Comparator.comparingLong(Report.HostSeries::peak).reversed().thenComparing(Report.HostSeries::host));
    int other = otherHosts + Math.max(0, hosts.size() - TOP_HOSTS);
    List<Report.HostSeries> top = List.copyOf(hosts.subList(0, Math.min(TOP_HOSTS, hosts.size())));
    return new Report.Timeline(
        Timestamps.iso(originSecond * 1_000_000_000L), width, n,
        Arrays.copyOf(syn, n), Arrays.copyOf(synAck, n), Arrays.copyOf(handshakes, n),
        Arrays.copyOf(rejected, n), Arrays.copyOf(resets, n), Arrays.copyOf(halfOpenPeak, n),
        TIME_WAIT_SECONDS, top, other);
  }
}
