package dev.synscope.detect;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.EndpointSummary;
import dev.synscope.flow.HostPort;
import dev.synscope.flow.RemovalCause;
import dev.synscope.flow.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * CLOSE_WAIT leaks, per ip:port of the side that did not close: the peer's FIN acknowledged, no
 * FIN back.
 *
 * <p>Signal, thresholds, false positives and host checks: docs/detectors.md, section "close-wait".
 */
public final class CloseWaitDetector implements Detector {
  public static final String ID = "close-wait";

  /**
   * @param maxEntries connections in CLOSE_WAIT remembered for the figures over all sides
   *     ({@code max_entries}; from the memory budget at {@value #ENTRY_BYTES} bytes each, at most
   *     {@value #MAX_ENTRIES}); further ones are counted
   */
  public record Config(long minAgeSeconds, int minConnections, int maxEvidence, int maxEntries)
      implements java.io.Serializable {
    public static Config from(DetectorParams p) {
      return new Config(p.getLong("min_age_s", 30), p.getInt("min_connections", 1), p.getInt("max_evidence", 5),
          p.cap("max_entries", ENTRY_BYTES, MAX_ENTRIES));
    }
  }

  static final int ENTRY_BYTES = 96;
  static final int MAX_ENTRIES = 200_000;
  private static final long SECOND = 1_000_000_000L;

  private final Config config;
  /** Sides in CLOSE_WAIT, in the order first met. */
  private final Map<HostPort, Side> sides = new LinkedHashMap<>();
  private long kept;
  private long refused;
  /** The latest packet time of any frame (the engine's clock): a capture may end with no TCP. */
  private long clock = Long.MIN_VALUE;

  public CloseWaitDetector(Config config) {
    this.config = config;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public List<StateTableStats> stateTables() {
    return List.of(StateTableStats.refusing(ID + ".connections", config.maxEntries(), kept, refused));
  }

  /** One ip:port that left connections in CLOSE_WAIT. */
  private static final class Side implements java.io.Serializable {
    final HostPort endpoint;
    /** From the peer's FIN to the end, per connection: start and end times. */
    long[] starts = new long[8];
    long[] ends = new long[8];
    int n;
    long leaks;
    long atEnd;
    long halfClosedSending;
    long maxAgeNanos;
    final List<Evidence> evidence = new ArrayList<>();

    Side(HostPort endpoint) {
      this.endpoint = endpoint;
    }

    void add(long start, long end) {
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        ends = Arrays.copyOf(ends, n * 2);
      }
      starts[n] = start;
      ends[n] = end;
      n++;
    }

    /** The most connections in CLOSE_WAIT at once, and when. */
    long[] peak() {
      long[] s = Arrays.copyOf(starts, n);
      long[] e = Arrays.copyOf(ends, n);
      Arrays.sort(s);
      Arrays.sort(e);
      long best = 0;
      long at = n == 0 ? 0 : s[0];
      int open = 0;
      for (int i = 0, j = 0; i < n; ) {
        if (s[i] <= e[j]) {
          open++;
          if (open > best) {
            best = open;
            at = s[i];
          }
          i++;
        } else {
          open--;
          j++;
        }
      }
      return new long[] {best, at};
    }
  }

  @Override
  public void onTime(long packetNanos) {
    clock = Math.max(clock, packetNanos);
  }

  private static final Set<Class<? extends ConnectionEvent>> EVENTS = Set.of(
      ConnectionEvent.Removed.class);

  @Override
  public Set<Class<? extends ConnectionEvent>> events() {
    return EVENTS;
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Removed r) {
      onRemoved(r.timestampNanos(), r.connection());
    }
  }

  private void onRemoved(long removedAt, ConnectionSummary s) {
    Role closer = s.closedFirst();
    if (closer == null || s.selfConnect()) {
      return;
    }
    EndpointSummary first = closer == Role.ORIG ? s.orig() : s.resp();
    EndpointSummary other = closer == Role.ORIG ? s.resp() : s.orig();
    if (other.firstFinNanos() >= 0 || !first.finAcknowledged() || other.firstRst() != null) {
      return; // it closed too, it never took the FIN, or it reset
    }
    long start = first.firstFinNanos();
    boolean atEnd = first.firstRst() == null && s.removal() == RemovalCause.END_OF_INPUT;
    long end = first.firstRst() != null ? first.firstRst().timestampNanos()
        : Math.max(Math.max(removedAt, s.lastNanos()), atEnd ? clock : Long.MIN_VALUE); // to the capture's end
    HostPort endpoint = closer == Role.ORIG ? s.id().responder() : new HostPort(s.id().origHost(), s.id().origPort());
    if (kept >= config.maxEntries()) {
      refused++; // bounded: at most max_entries connections, so at most that many sides
      return;
    }
    Side side = sides.get(endpoint);
    if (side == null) {
      side = new Side(endpoint);
      sides.put(endpoint, side);
    }
    side.add(start, end);
    kept++;
    if (atEnd) {
      side.atEnd++;
    }
    long age = end - start;
    side.maxAgeNanos = Math.max(side.maxAgeNanos, age);
    if (other.dataAfterPeerFin()) {
      side.halfClosedSending++; // a half-close used on purpose: it still sends
    } else if (age >= config.minAgeSeconds() * SECOND) {
      side.leaks++;
      if (side.evidence.size() < config.maxEvidence()) {
        side.evidence.add(EvidenceBook.of(s, "peer's FIN acknowledged " + Math.round(age / 1e9) + " s before, no FIN back"));
      }
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (Side side : sides.values()) {
      if (side.leaks < config.minConnections()) {
        continue;
      }
      long[] peak = side.peak();
      String target = side.endpoint.toString();
      Map<String, Object> metrics = new LinkedHashMap<>();
      metrics.put("leaked_connections", side.leaks);
      metrics.put("close_wait_peak", peak[0]);
      metrics.put("close_wait_peak_at", dev.synscope.flow.Timestamps.iso(peak[1]));
      metrics.put("close_wait_at_end", side.atEnd);
      metrics.put("max_age_s", Math.round(side.maxAgeNanos / 1e6) / 1000.0);
      metrics.put("half_closed_still_sending", side.halfClosedSending);
      metrics.put("min_age_s", config.minAgeSeconds());
      Severity severity = side.leaks >= 100 ? Severity.HIGH : side.leaks >= 10 ? Severity.MEDIUM : Severity.LOW;
      String summary = target + " left " + side.leaks + " connection(s) in CLOSE_WAIT for " + config.minAgeSeconds()
          + " s or more after the peer closed (up to " + metrics.get("max_age_s") + " s; " + peak[0]
          + " at once, " + side.atEnd + " still at the end of the capture)";
      String explanation = "The peer sent FIN and this side's kernel acknowledged it, so its socket read EOF and"
          + " entered CLOSE_WAIT; the application never called close(), so no FIN came back. Each such socket holds a"
          + " descriptor and memory until the process exits: an application that forgets to close after EOF leaks"
          + " them until it hits its descriptor limit (accept() then fails with EMFILE). Check on the host:"
          + " ss -tanp state close-wait '( sport = :" + side.endpoint.port() + " )' (which process holds them);"
          + " lsof -p PID | wc -l against ulimit -n; the code path that reads EOF (read() returning 0) must close().";
      out.add(new Finding(ID, severity, target, side.n == 0 ? Long.MIN_VALUE : min(side.starts, side.n),
          side.n == 0 ? Long.MIN_VALUE : max(side.ends, side.n), summary, metrics, side.evidence, explanation));
    }
    return out;
  }

  private static long min(long[] a, int n) {
    long m = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) m = Math.min(m, a[i]);
    return m;
  }

  private static long max(long[] a, int n) {
    long m = Long.MIN_VALUE;
    for (int i = 0; i < n; i++) m = Math.max(m, a[i]);
    return m;
  }
}
