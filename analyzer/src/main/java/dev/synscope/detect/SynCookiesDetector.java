package dev.synscope.detect;

import dev.synscope.decode.TcpFlags;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.SynInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SYN cookies: time windows in which a listener answered SYNs with stateless cookie SYN-ACKs.
 *
 * <p>Signal: the ISN alone proves nothing on Linux (it is a keyed hash). What does, per SYN-ACK:
 * T1, the TSval's low 6 bits equal the options the client offered (window scale, SACK, ECN), as
 * Linux hides them there when the offset is zero (tcp_timestamps=2, SYNPROXY); T2, across
 * SYN-ACKs between the same two addresses, (TSval - options) mod 64 repeats (default Linux adds a
 * per-address-pair offset); T4, the client offered SACK or window scale without timestamps and
 * the SYN-ACK carries only MSS while this listener's normal SYN-ACKs return them; T5, an
 * unanswered SYN-ACK is never retransmitted although this listener retransmits otherwise. A
 * SYN-ACK repeated without a new client SYN counts against cookie mode. FreeBSD's decodable
 * cookies (T7) are recognised separately: there they are normal operation.
 *
 * <p>Thresholds: a second belongs to cookie mode when, over the {@code window_s} (5) seconds
 * ending with it, at least {@code min_strong} (2) SYN-ACKs pass one of T1-T4 and they are at
 * least {@code min_strong_share} (0.5) of the SYN-ACKs that test could judge, or at least {@code min_t5} (10) pass T5
 * at least 5 times as often as a SYN-ACK is retransmitted unprovoked (counter-evidence). Windows closer than {@code merge_gap_s} (2) seconds merge.
 *
 * <p>False positives: SYNPROXY (netfilter) in front of the server makes every SYN-ACK look like a
 * cookie; T5 also fires when SYN-ACK retransmissions are filtered or the capture ends early; T1
 * and T2 each match a normal SYN-ACK by chance 1 time in 64; usec-resolution TCP timestamps defeat
 * T1/T2.
 *
 * <p>On the host: {@code nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed
 * TcpExtTCPReqQFullDoCookies}, {@code net.ipv4.tcp_syncookies}, the listen() backlog and {@code
 * net.core.somaxconn}, dmesg "Possible SYN flooding on port ... Sending cookies".
 */
public final class SynCookiesDetector implements Detector {
  public static final String ID = "syn-cookies";

  public record Config(
      int windowSeconds, int minStrong, double minStrongShare, int minT5, int mergeGapSeconds,
      long t5WaitMillis, int minProfile, int minFreeBsdSamples, int maxEvidence) {
    public static Config from(DetectorParams p) {
      return new Config(
          p.getInt("window_s", 5), p.getInt("min_strong", 2), p.getDouble("min_strong_share", 0.5),
          p.getInt("min_t5", 10), p.getInt("merge_gap_s", 2), p.getLong("t5_wait_ms", 3_500),
          p.getInt("min_profile", 3), p.getInt("min_freebsd_samples", 5), p.getInt("max_evidence", 5));
    }
  }

  // Per-second counters.
  private static final int TESTABLE = 0;
  private static final int STRONG = 1;
  private static final int T5 = 2;
  private static final int COUNTER = 3;
  private static final int SYNACKS = 4;
  private static final int T1 = 5;
  private static final int T2 = 6;
  private static final int T4 = 7;
  private static final int T3 = 8;
  private static final int JUDGED = 9;
  // How many SYN-ACKs each test could judge: each test has its own chance rate.
  private static final int T1_TESTED = 10;
  private static final int T2_TESTED = 11;
  private static final int T3_TESTED = 12;
  private static final int T4_TESTED = 13;
  private static final int KINDS = 14;
  // Per-SYN-ACK verdict bits, kept until the connection is removed.
  private static final int V_TESTABLE = 1;
  private static final int V_STRONG = 2;
  /** T3 lag window in milliseconds: a cookie TSval lags the clock by 0-63 ms. */
  private static final double T3_MIN_LAG_MS = 4;
  private static final double T3_MAX_LAG_MS = 70;
  private static final int T5_OVER_COUNTER = 5;
  private static final int MAX_PAIRS = 200_000;

  private static final int[] FREEBSD_MSS = {216, 536, 1200, 1360, 1400, 1440, 1452, 1460};
  private static final int[] FREEBSD_WSCALE = {0, 0, 1, 2, 4, 6, 7, 8};

  private final Config config;
  private final Map<String, SynInfo> clientSyns = new HashMap<>();
  private final Map<String, Long> lastSynRetransmit = new HashMap<>();
  private final Map<String, Boolean> unprovokedRepeat = new HashMap<>();
  private final Map<String, Integer> verdicts = new HashMap<>();
  private final Map<String, Listener> listeners = new LinkedHashMap<>();
  /** Per (server ip, client ip): how often each (TSval - options) mod 64 residue was seen. */
  private final Map<String, byte[]> pairResidues = new HashMap<>();
  /** Packet time of the Removed event being handled. */
  private long removedAt;

  public SynCookiesDetector(Config config) {
    this.config = config;
  }

  @Override
  public String id() {
    return ID;
  }

  private final class Listener {
    final String target;
    final TreeMap<Long, long[]> seconds = new TreeMap<>();
    /** Normal SYN-ACKs answering SACK/WS offers that returned them (T4's profile). */
    long profileReturnsOptions;
    /** SYN-ACK retransmissions not provoked by a client SYN: this listener keeps request state. */
    long retransmitsOwnSynAcks;
    long freeBsdTestable;
    long freeBsdMatches;
    final TreeMap<Long, List<String>> evidenceBySecond = new TreeMap<>();
    final Map<String, Evidence> evidence = new HashMap<>();
    int evidenceWanted;

    Listener(String target) {
      this.target = target;
    }

    long[] at(long second) {
      return seconds.computeIfAbsent(second, k -> new long[KINDS]);
    }
  }

  private Listener listener(String target) {
    return listeners.computeIfAbsent(target, Listener::new);
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Attempted a) {
      clientSyns.put(a.id().uid(), a.syn());
    } else if (event instanceof ConnectionEvent.SynRetransmitted r) {
      lastSynRetransmit.put(r.id().uid(), r.timestampNanos());
    } else if (event instanceof ConnectionEvent.SynAckSent s) {
      onSynAck(s);
    } else if (event instanceof ConnectionEvent.Removed r) {
      removedAt = r.timestampNanos();
      onRemoved(r.summary());
    }
  }

  private void onSynAck(ConnectionEvent.SynAckSent s) {
    String uid = s.id().uid();
    Listener l = listener(s.id().respEndpoint());
    long second = Math.floorDiv(s.timestampNanos(), 1_000_000_000L);
    if (s.count() > 0) {
      Long synAt = lastSynRetransmit.get(uid);
      boolean provoked = synAt != null && s.timestampNanos() - synAt < 200_000_000L;
      if (!provoked) {
        // The server resent its SYN-ACK on its own timer: it kept a request socket, so no cookie.
        unprovokedRepeat.put(uid, true);
        l.retransmitsOwnSynAcks++;
        l.at(second)[COUNTER]++;
      }
      return;
    }
    SynInfo syn = clientSyns.get(uid);
    SynInfo sa = s.synAck();
    long[] bucket = l.at(second);
    bucket[SYNACKS]++;
    if (syn == null) {
      return;
    }
    freeBsd(l, syn, sa);
    boolean strong = false;
    boolean testable = false;
    if (syn.hasTimestamps() && sa.hasTimestamps()) {
      testable = true;
      bucket[T1_TESTED]++;
      int opts = (syn.windowScale() >= 0 ? Math.min(syn.windowScale(), 14) : 0xF)
          | (syn.sackPermitted() ? 0x10 : 0)
          | ((sa.flags() & TcpFlags.ECE) != 0 ? 0x20 : 0);
      if ((sa.tsVal() & 63) == opts) {
        bucket[T1]++;
        strong = true;
      }
      int residue = (int) ((sa.tsVal() - opts) & 63);
      String pair = s.id().respHost() + " " + s.id().origHost();
      byte[] seen = pairResidues.get(pair);
      if (seen == null && pairResidues.size() < MAX_PAIRS) {
        seen = new byte[64];
        pairResidues.put(pair, seen);
      }
      if (seen != null) {
        // Cookies between one address pair share a residue; normal SYN-ACKs spread over all 64.
        int total = 0;
        for (byte n : seen) total += n;
        if (total > 0) bucket[T2_TESTED]++;
        if (!strong && seen[residue] >= Math.max(1, 4 * total / 64)) {
          bucket[T2]++;
          strong = true;
        }
        if (seen[residue] >= 100) {
          for (int i = 0; i < 64; i++) seen[i] /= 2; // bounded counts, proportions kept
        }
        seen[residue]++;
      }
    } else if (!syn.hasTimestamps() && (syn.sackPermitted() || syn.windowScale() >= 0)) {
      boolean onlyMss = sa.optionCount() == 1 && sa.mss() >= 0;
      if (l.profileReturnsOptions >= config.minProfile()) {
        bucket[T4_TESTED]++;
      }
      if (onlyMss && l.profileReturnsOptions >= config.minProfile()) {
        testable = true;
        bucket[T4]++;
        strong = true;
      } else if (!onlyMss && (sa.sackPermitted() || sa.windowScale() >= 0)) {
        l.profileReturnsOptions++;
        testable = true;
      }
    }
    verdicts.put(uid, (testable ? V_TESTABLE : 0) | (strong ? V_STRONG : 0));
  }

  private void freeBsd(Listener l, SynInfo syn, SynInfo sa) {
    if (syn.mss() < 0) {
      return;
    }
    long iss = sa.seq();
    int flags = (int) ((iss & 0xff) ^ ((iss >>> 24) & 0xff));
    int sackOk = (flags >> 1) & 1;
    int wscaleIdx = (flags >> 2) & 7;
    int mssIdx = (flags >> 5) & 7;
    int expectedMss = 0;
    for (int i = 0; i < FREEBSD_MSS.length; i++) {
      if (FREEBSD_MSS[i] <= syn.mss()) expectedMss = i;
    }
    int expectedWs = 0;
    if (syn.windowScale() >= 0) {
      expectedWs = 1;
      for (int i = 1; i < FREEBSD_WSCALE.length; i++) {
        if (FREEBSD_WSCALE[i] <= syn.windowScale()) expectedWs = i;
      }
    }
    l.freeBsdTestable++;
    if (mssIdx == expectedMss && wscaleIdx == expectedWs && sackOk == (syn.sackPermitted() ? 1 : 0)) {
      l.freeBsdMatches++;
    }
  }

  private void onRemoved(ConnectionSummary s) {
    String uid = s.id().uid();
    clientSyns.remove(uid);
    lastSynRetransmit.remove(uid);
    boolean repeated = unprovokedRepeat.remove(uid) != null;
    Integer verdict = verdicts.remove(uid);
    Listener l = listeners.get(s.id().respEndpoint());
    if (l == null || s.resp().syn() == null || verdict == null) {
      return;
    }
    SynInfo synAck = s.resp().syn();
    long synAckNanos = synAck.timestampNanos();
    long second = Math.floorDiv(synAckNanos, 1_000_000_000L);
    long[] bucket = l.at(second);
    boolean testable = (verdict & V_TESTABLE) != 0;
    boolean strong = (verdict & V_STRONG) != 0;
    // T3: the server's next TSval shows how far the SYN-ACK's TSval lagged its clock.
    if (synAck.hasTimestamps() && s.resp().tsValAfterSynNanos() > synAckNanos) {
      testable = true;
      bucket[T3_TESTED]++;
      double elapsedMs = (s.resp().tsValAfterSynNanos() - synAckNanos) / 1e6;
      int advance = (int) (s.resp().tsValAfterSyn() - synAck.tsVal());
      double lag = advance - elapsedMs;
      if (lag >= T3_MIN_LAG_MS && lag <= T3_MAX_LAG_MS) {
        bucket[T3]++;
        strong = true;
      }
    }
    // T5: unanswered and never retransmitted, although the capture ran past +1 s and +3 s.
    boolean waited = removedAt - synAckNanos >= config.t5WaitMillis() * 1_000_000L;
    boolean t5 = !s.handshakeCompleted() && !repeated && waited && s.orig().firstRst() == null;
    if (t5) bucket[T5]++;
    if (testable) bucket[TESTABLE]++;
    if (strong) bucket[STRONG]++;
    if (strong || t5) {
      bucket[JUDGED]++;
      if (l.evidenceWanted < config.maxEvidence() * 4) {
        l.evidenceWanted++;
        l.evidenceBySecond.computeIfAbsent(second, k -> new ArrayList<>()).add(uid);
        l.evidence.put(uid, EvidenceBook.of(s, strong ? "SYN-ACK options or timestamp match a SYN cookie"
            : "SYN-ACK never retransmitted although unanswered"));
      }
    }
  }

  @Override
  public List<Finding> findings() {
    List<Finding> out = new ArrayList<>();
    for (Listener l : listeners.values()) {
      windows(l, out);
      if (l.freeBsdTestable >= config.minFreeBsdSamples() && l.freeBsdMatches >= 0.9 * l.freeBsdTestable) {
        out.add(freeBsdFinding(l));
      }
    }
    return out;
  }

  private void windows(Listener l, List<Finding> out) {
    if (l.seconds.isEmpty()) {
      return;
    }
    long totalSynAcks = 0;
    for (long[] b : l.seconds.values()) totalSynAcks += b[SYNACKS];
    long start = Long.MIN_VALUE;
    long end = Long.MIN_VALUE;
    for (long second : l.seconds.keySet()) {
      if (!cookieSecond(l, second)) {
        continue;
      }
      if (start != Long.MIN_VALUE && second - end <= config.mergeGapSeconds()) {
        end = second;
        continue;
      }
      if (start != Long.MIN_VALUE) {
        out.add(windowFinding(l, start, end, totalSynAcks));
      }
      start = second;
      end = second;
    }
    if (start != Long.MIN_VALUE) {
      out.add(windowFinding(l, start, end, totalSynAcks));
    }
  }

  private boolean cookieSecond(Listener l, long second) {
    long[] sum = new long[KINDS];
    for (long[] b : l.seconds.subMap(second - config.windowSeconds() + 1, true, second, true).values()) {
      for (int k = 0; k < KINDS; k++) sum[k] += b[k];
    }
    long[] own = l.seconds.get(second);
    if (own[JUDGED] == 0) {
      return false; // a window is made of seconds that have evidence themselves
    }
    boolean strong = passes(sum, T1, T1_TESTED) || passes(sum, T2, T2_TESTED) || passes(sum, T3, T3_TESTED)
        || passes(sum, T4, T4_TESTED);
    // Half-open requests queued before cookie mode keep retransmitting: some counter-evidence is
    // normal at the start of a flood, so T5 must outweigh it.
    boolean t5 = sum[T5] >= config.minT5() && sum[T5] >= T5_OVER_COUNTER * sum[COUNTER] && l.retransmitsOwnSynAcks > 0;
    return strong || t5;
  }

  /** A test passes a window when enough of the SYN-ACKs it could judge look like cookies. */
  private boolean passes(long[] sum, int positive, int tested) {
    return sum[positive] >= config.minStrong() && sum[positive] >= config.minStrongShare() * sum[tested];
  }

  private Finding windowFinding(Listener l, long startSecond, long endSecond, long totalSynAcks) {
    long[] sum = new long[KINDS];
    for (long[] b : l.seconds.subMap(startSecond, true, endSecond, true).values()) {
      for (int k = 0; k < KINDS; k++) sum[k] += b[k];
    }
    long judged = sum[JUDGED];
    boolean always = sum[SYNACKS] >= totalSynAcks && l.retransmitsOwnSynAcks == 0;
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("synacks", sum[SYNACKS]);
    metrics.put("judged_cookies", judged);
    metrics.put("tested", sum[TESTABLE]);
    Map<String, Long> byTest = new LinkedHashMap<>();
    byTest.put("t1_tsval_low_bits", sum[T1]);
    byTest.put("t2_pair_consistency", sum[T2]);
    byTest.put("t3_tsval_lag", sum[T3]);
    byTest.put("t4_options_stripped", sum[T4]);
    byTest.put("t5_never_retransmitted", sum[T5]);
    metrics.put("by_test", byTest);
    metrics.put("counter_evidence", sum[COUNTER]);
    metrics.put("whole_capture", always);
    List<Evidence> ev = new ArrayList<>();
    l.evidenceBySecond.subMap(startSecond, true, endSecond, true).values().forEach(uids -> {
      for (String uid : uids) {
        Evidence e = l.evidence.get(uid);
        if (e != null && ev.size() < config.maxEvidence()) ev.add(e);
      }
    });
    String summary = l.target + " answered with SYN cookies"
        + (always ? " for every SYN-ACK in the capture" : " for " + (endSecond - startSecond + 1) + " s")
        + ": " + judged + " of " + sum[SYNACKS] + " SYN-ACKs judged cookies";
    String explanation = (always
        ? "Every SYN-ACK of this listener looks like a cookie and it never retransmitted one: the host likely runs"
            + " net.ipv4.tcp_syncookies=2 (cookies always), or a SYNPROXY (netfilter or XDP) in front of it answers"
            + " the handshake, which produces the same signature on every SYN-ACK."
        : "The listener's SYN queue was full, so Linux (net.ipv4.tcp_syncookies=1) stopped keeping state for new"
            + " SYNs and encoded it in the SYN-ACK instead (ISN, and TSval's low 6 bits when the client offered"
            + " timestamps). Cookie SYN-ACKs are never retransmitted; clients that offered no timestamps lose window"
            + " scaling and SACK; the server's MSS is rounded down to a table value. This normally means a SYN flood"
            + " or a backlog too small for the connection rate (see syn-flood and accept-queue-overflow findings).")
        + " Tests: T1 TSval low bits equal the client's options; T2 (TSval - options) mod 64 repeats for the same"
        + " address pair; T3 the SYN-ACK's TSval lags the server's timestamp clock by 4-63 ms; T4 options"
        + " stripped to MSS; T5 an unanswered SYN-ACK never retransmitted."
        + " Check on the host: nstat -az TcpExtSyncookiesSent TcpExtSyncookiesRecv TcpExtSyncookiesFailed"
        + " TcpExtTCPReqQFullDoCookies; sysctl net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog"
        + " net.core.somaxconn; the application's listen() backlog; dmesg 'Possible SYN flooding on port'.";
    Severity severity = always ? Severity.LOW : Severity.MEDIUM;
    long first = startSecond * 1_000_000_000L;
    long last = endSecond * 1_000_000_000L + 999_999_999L;
    return new Finding(ID, severity, l.target, first, last, summary, metrics, ev, explanation);
  }

  private Finding freeBsdFinding(Listener l) {
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("synacks_tested", l.freeBsdTestable);
    metrics.put("decodable_cookies", l.freeBsdMatches);
    return new Finding(ID, Severity.INFO, l.target, Long.MIN_VALUE, Long.MIN_VALUE,
        l.target + " sends FreeBSD-style SYN cookies (" + l.freeBsdMatches + " of " + l.freeBsdTestable
            + " ISNs decode to the client's options): normal operation, not an attack",
        metrics, List.of(),
        "FreeBSD with net.inet.tcp.syncookies=1 (its default) uses a cookie as the ISN of every SYN-ACK, even while"
            + " it also keeps a syncache entry; the low bits decode to the client's MSS, window scale and SACK."
            + " This fingerprints the host's stack and settings; it does not mean its queue overflowed.");
  }
}
