package dev.synscope.detect;

import static dev.synscope.detect.DetectorScript.MS;
import static dev.synscope.detect.DetectorScript.SECOND;
import static dev.synscope.detect.DetectorScript.T0;
import static dev.synscope.detect.DetectorScript.at;
import static dev.synscope.detect.DetectorScript.ip;
import static dev.synscope.detect.DetectorScript.ipN;
import static dev.synscope.detect.DetectorScript.ms;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.synscope.detect.DetectorScript.Conn;
import dev.synscope.detect.DetectorScript.Options;
import dev.synscope.flow.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * syn-cookies: window_s 5, alpha 0.01 over the tests made in the run (T1 chance 1/64, T3 1/32,
 * T4 1/8, T2 the residues seen), min_t5 10 (at least 5x the unprovoked SYN-ACK retransmissions), t5_wait_ms 3500,
 * min_profile 3, min_freebsd_samples 5 (90% decodable).
 */
class SynCookiesDetectorTest {
  private static final String LISTENER = "10.0.0.1:443";
  /** The server's TCP timestamp clock at T0, ticking once per millisecond. */
  private static final long SERVER_CLOCK_AT_T0 = 2_000_000_000L;

  private int clients;

  private static List<Finding> run(DetectorScript s) {
    return s.run(new SynCookiesDetector(SynCookiesDetector.Config.from(DetectorParams.none(SynCookiesDetector.ID))));
  }

  private static long clock(long nanos) {
    return SERVER_CLOCK_AT_T0 + (nanos - T0) / MS;
  }

  /** The options Linux hides in a cookie's TSval: wscale (0xF when none), SACK 0x10, ECN 0x20. */
  private static int cookieOptions(Options client, boolean ecn) {
    return (client.windowScale() >= 0 ? Math.min(client.windowScale(), 14) : 0xF)
        | (client.sack() ? 0x10 : 0) | (ecn ? 0x20 : 0);
  }

  /** Linux's cookie TSval (tcp_timestamps=2 / SYNPROXY: no offset): clock rounded down to carry the options. */
  private static long cookieTsVal(long clockMs, int options) {
    long ts = (clockMs & ~63L) | options;
    return ts > clockMs ? ts - 64 : ts;
  }

  /** A normal TSval: the clock, moved by 1 ms when its low bits happen to equal the options. */
  private static long normalTsVal(long clockMs, int options) {
    return (clockMs & 63) == options ? clockMs + 1 : clockMs;
  }

  private Conn client(DetectorScript s, long t, Options o) {
    clients++;
    return s.conn(ipN("198.51", clients), 40000 + clients, ip("10.0.0.1"), 443).syn(t, o);
  }

  /** A connection whose SYN-ACK (0.2 ms after the SYN) is a T1 cookie or not; the client completes it. */
  private Conn t1(DetectorScript s, long t, Options client, boolean ecn, boolean cookie) {
    Conn c = client(s, t, client);
    long sa = t + ms(0.2);
    int opts = cookieOptions(client, ecn);
    long ts = cookie ? cookieTsVal(clock(sa), opts) : normalTsVal(clock(sa), opts);
    return c.synAck(sa, client.reply(ts).withEcn(ecn)).ack(t + ms(0.4));
  }

  private Conn t1(DetectorScript s, long t, boolean cookie) {
    return t1(s, t, Options.linux().withTsVal(clock(t) / 3), false, cookie);
  }

  private static Finding only(List<Finding> findings) {
    assertEquals(1, findings.size(), () -> "findings: " + findings);
    return findings.get(0);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> significance(Finding f) {
    return (Map<String, Object>) f.metrics().get("significance");
  }

  @SuppressWarnings("unchecked")
  private static long byTest(Finding f, String test) {
    return ((Map<String, Long>) f.metrics().get("by_test")).get(test);
  }

  @Test
  void tsvalLowBitsCarryingTheClientOptionsAreCookies() {
    DetectorScript s = new DetectorScript();
    Options linux = Options.linux().withTsVal(123456);
    t1(s, at(10.0), linux, false, true); // wscale 7 | SACK
    t1(s, at(10.1), linux.withWindowScale(-1), false, true); // no wscale: 0xF
    t1(s, at(10.2), linux.withWindowScale(14).withSack(false), false, true);
    t1(s, at(10.3), linux.withEcn(true), true, true); // ECN agreed: 0x20
    t1(s, at(10.4), linux.withWindowScale(9), false, true);
    t1(s, at(10.5), linux.withWindowScale(2), false, true);
    Finding f = only(run(s));
    assertEquals(SynCookiesDetector.ID, f.detector());
    assertEquals(LISTENER, f.target());
    assertEquals(at(10), f.firstSeenNanos());
    assertEquals(at(11) - 1, f.lastSeenNanos());
    assertEquals(6L, f.metrics().get("synacks"));
    assertEquals(6L, f.metrics().get("judged_cookies"));
    assertEquals(6L, f.metrics().get("tested"));
    assertEquals(6L, byTest(f, "t1_tsval_low_bits"));
    assertEquals(0L, byTest(f, "t3_tsval_lag"));
    assertEquals(0L, byTest(f, "t5_never_retransmitted"));
    assertEquals(0L, f.metrics().get("counter_evidence"));
    // Every SYN-ACK of the listener is a cookie and none was retransmitted: cookies always (or SYNPROXY).
    assertEquals(true, f.metrics().get("whole_capture"));
    assertEquals(Severity.LOW, f.severity());
    assertEquals(5, f.evidence().size());
    assertEquals(s.conns().get(0).id.uid(), f.evidence().get(0).uid());
  }

  @Test
  void oneCookieIsWithinChance() {
    DetectorScript s = new DetectorScript();
    t1(s, at(10), true); // 1 of 1 at 1/64: p = 0.016 > alpha 0.01
    assertEquals(List.of(), run(s));
  }

  @Test
  void twoCookiesOfTwoAreBeyondChanceOnTheOnlyListener() {
    DetectorScript s = new DetectorScript();
    t1(s, at(10), true);
    t1(s, at(10.5), true);
    Finding f = only(run(s));
    assertEquals(2L, byTest(f, "t1_tsval_low_bits"));
    Map<String, Object> sig = significance(f);
    assertEquals("t1_tsval_low_bits", sig.get("test"));
    assertEquals(1 / 4096.0, (double) sig.get("p_value"), 1e-12);
    assertEquals(1L, sig.get("tests_in_run"));
  }

  /** n = 10 T1 trials, one test in the run: 2 passes have p = 0.0101 (chance), 3 have p = 0.00044. */
  @Test
  void theBoundaryOfSignificanceForTenTrials() {
    DetectorScript two = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      t1(two, at(10) + i * ms(80), i < 2);
    }
    assertEquals(List.of(), run(two));
    DetectorScript three = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      t1(three, at(10) + i * ms(80), i < 3);
    }
    Finding f = only(run(three));
    assertEquals(4.4e-4, (double) significance(f).get("p_value"), 0.2e-4);
    assertEquals(3L, significance(f).get("passed"));
    assertEquals(10L, significance(f).get("trials"));
  }

  @Test
  void manyListenersWithAFewChanceMatchesEachGiveNoFinding() {
    // 200 listeners, 2 of 2 SYN-ACKs passing T1 on each (p = 1/4096 each): with 200 tests the
    // budget per test is 0.01 / 200 = 5e-5, so none stands; a listener with 5 of 5 does.
    DetectorScript s = new DetectorScript();
    for (int l = 0; l < 200; l++) {
      for (int i = 0; i < 2; i++) {
        clients++;
        long t = at(10) + l * ms(2) + i * ms(500);
        long sa = t + ms(0.2);
        Options o = Options.linux().withTsVal(123456);
        s.conn(ipN("198.51", clients), 40000 + clients, ipN("10.1", l), 443).syn(t, o)
            .synAck(sa, o.reply(cookieTsVal(clock(sa), cookieOptions(o, false)))).ack(t + ms(0.4));
      }
    }
    for (int i = 0; i < 5; i++) {
      t1(s, at(12) + i * ms(80), true);
    }
    Finding f = only(run(s));
    assertEquals(LISTENER, f.target());
    assertEquals(201L, significance(f).get("tests_in_run"));
  }

  @Test
  void synAcksWithTheSameTsValAreOneTrial() {
    // Loopback: one clock, no offset, nine SYN-ACKs in one millisecond share a TSval that happens
    // to carry the client's options. That is one draw of the clock (p = 1/64), not nine.
    DetectorScript s = new DetectorScript();
    Options o = Options.linux().withTsVal(123456);
    int opts = cookieOptions(o, false);
    long ts = (clock(at(10)) & ~63L) | opts;
    for (int i = 0; i < 9; i++) {
      long t = at(10) + i * ms(0.05);
      client(s, t, o).synAck(t + ms(0.01), o.reply(ts)).ack(t + ms(0.02));
    }
    assertEquals(List.of(), run(s));
  }

  @Test
  void cookiesAtMinStrongShareOfTheTestedSynAcksAreAWindow() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      t1(s, at(10) + i * ms(80), i < 5); // 5 of 10
    }
    Finding f = only(run(s));
    assertEquals(10L, f.metrics().get("synacks"));
    assertEquals(5L, f.metrics().get("judged_cookies"));
    assertEquals(10L, f.metrics().get("tested"));
    assertEquals(5L, byTest(f, "t1_tsval_low_bits"));
  }

  @Test
  void halfTheSynAcksBeingCookiesIsNotWholeCapture() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 10; i++) {
      t1(s, at(10) + i * ms(80), i < 5);
    }
    Finding f = only(run(s));
    assertEquals(false, f.metrics().get("whole_capture"));
    assertEquals(Severity.MEDIUM, f.severity());
  }

  @Test
  void cookieWindowAfterNormalTrafficIsMedium() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 5; i++) {
      t1(s, at(1) + i * ms(100), false);
    }
    for (int i = 0; i < 5; i++) {
      t1(s, at(20) + i * ms(100), true);
    }
    Finding f = only(run(s));
    assertEquals(at(20), f.firstSeenNanos());
    assertEquals(5L, f.metrics().get("synacks"));
    assertEquals(5L, byTest(f, "t1_tsval_low_bits"));
    assertEquals(false, f.metrics().get("whole_capture"));
    assertEquals(Severity.MEDIUM, f.severity());
  }

  /**
   * T3: the SYN-ACK's TSval lags the server clock by {@code lagMs}; Linux's default per-pair
   * offset hides the options from T1. The server's response 50 ms later shows the lag.
   */
  private Conn t3(DetectorScript s, long t, long lagMs) {
    Options o = Options.linux().withTsVal(777_000 + clients);
    long sa = t + ms(0.2);
    long offset = 7_777;
    long ts = clock(sa) - lagMs + offset;
    assertNotEquals((long) cookieOptions(o, false), ts & 63, "T1 must not match by chance");
    Conn c = client(s, t, o);
    c.synAck(sa, o.reply(ts)).ack(t + ms(0.4)).data(t + ms(0.5), Role.ORIG, 300);
    long response = sa + ms(50);
    return c.data(response, Role.RESP, 1200).timestampAfterSyn(response, Role.RESP, clock(response) + offset);
  }

  @Test
  void tsvalLaggingTheServerClockIsACookie() {
    DetectorScript s = new DetectorScript();
    t3(s, at(10), 10);
    t3(s, at(10.3), 63);
    t3(s, at(10.6), 4);
    Finding f = only(run(s));
    assertEquals(3L, byTest(f, "t3_tsval_lag"));
    assertEquals(0L, byTest(f, "t1_tsval_low_bits"));
    assertEquals(3L, f.metrics().get("judged_cookies"));
  }

  @Test
  void tsvalInStepWithTheServerClockIsNotACookie() {
    DetectorScript s = new DetectorScript();
    t3(s, at(10), 0);
    t3(s, at(10.3), 0);
    t3(s, at(10.6), 1);
    assertEquals(List.of(), run(s));
  }

  @Test
  void lagBelowFourMillisecondsCannotBeTold() {
    DetectorScript s = new DetectorScript();
    t3(s, at(10), 3);
    t3(s, at(10.3), 3);
    t3(s, at(10.6), 3);
    assertEquals(List.of(), run(s));
  }

  private static final Options NO_TIMESTAMPS = new Options(1460, 8, true, false, 0, false, 128);
  private static final Options ONLY_MSS = new Options(1460, -1, false, false, 0, false, 64);

  /** A client that offers SACK and wscale without timestamps; the SYN-ACK returns {@code reply}. */
  private Conn t4(DetectorScript s, long t, Options reply) {
    return client(s, t, NO_TIMESTAMPS).synAck(t + ms(0.2), reply).ack(t + ms(0.4));
  }

  @Test
  void optionsStrippedToMssAfterTheListenerReturnedThemAreCookies() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 3; i++) {
      t4(s, at(1) + i * ms(100), NO_TIMESTAMPS.reply(0)); // profile: MSS, wscale, SACK returned
    }
    t4(s, at(20), ONLY_MSS);
    t4(s, at(20.5), ONLY_MSS);
    t4(s, at(20.7), ONLY_MSS); // 3 of 3 at 1/8: p = 0.002 (2 of 2 would be 0.016, chance)
    Finding f = only(run(s));
    assertEquals(at(20), f.firstSeenNanos());
    assertEquals(3L, byTest(f, "t4_options_stripped"));
    assertEquals(3L, f.metrics().get("synacks"));
    assertEquals(false, f.metrics().get("whole_capture"));
  }

  @Test
  void aSteadyShareOfStrippedSynAcksIsTheListenersOwnChanceRate() {
    // A load balancer whose nodes differ: 3 of every 10 SYN-ACKs carry only MSS, for 60 s. Against
    // 1/8 that is far beyond chance; against the share this listener showed before, it is not.
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 600; i++) {
      t4(s, at(1) + i * ms(100), i % 10 < 3 ? ONLY_MSS : NO_TIMESTAMPS.reply(0));
    }
    assertEquals(List.of(), run(s));
    // The same listener switching to all stripped (cookies) for 2 s after that history: a change.
    for (int i = 0; i < 20; i++) {
      t4(s, at(70) + i * ms(100), ONLY_MSS);
    }
    Finding f = only(run(s));
    assertEquals(at(70), f.firstSeenNanos());
    assertEquals(0.3, (double) significance(f).get("chance_rate"), 0.01);
  }

  @Test
  void strippedOptionsNeedMinProfileNormalSynAcksFirst() {
    DetectorScript s = new DetectorScript();
    for (int i = 0; i < 2; i++) {
      t4(s, at(1) + i * ms(100), NO_TIMESTAMPS.reply(0));
    }
    t4(s, at(20), ONLY_MSS);
    t4(s, at(20.5), ONLY_MSS);
    t4(s, at(21), ONLY_MSS);
    assertEquals(List.of(), run(s));
  }

  /** A normal connection early on whose SYN-ACK the server resends on its own timer (1 s). */
  private void listenerRetransmits(DetectorScript s) {
    long t = at(1);
    client(s, t, Options.linux().withTsVal(5)).synAck(t + ms(0.2)).synAckRetransmit(t + SECOND + ms(0.2))
        .ack(t + SECOND + ms(0.4));
  }

  /** {@code n} spoofed SYNs (no options) in [20 s, 21 s) answered by SYN-ACKs never resent nor ACKed. */
  private void unanswered(DetectorScript s, int n) {
    for (int i = 0; i < n; i++) {
      long t = at(20) + i * ms(90);
      client(s, t, Options.bare()).synAck(t + ms(0.1), ONLY_MSS);
    }
  }

  @Test
  void unansweredSynAcksNeverRetransmittedAreCookies() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unanswered(s, 10);
    s.endAt(at(25));
    Finding f = only(run(s));
    assertEquals(at(20), f.firstSeenNanos());
    assertEquals(10L, byTest(f, "t5_never_retransmitted"));
    assertEquals(10L, f.metrics().get("judged_cookies"));
    assertEquals(10L, f.metrics().get("synacks"));
    assertEquals(0L, f.metrics().get("counter_evidence"));
    assertEquals(false, f.metrics().get("whole_capture"));
    assertEquals(Severity.MEDIUM, f.severity());
  }

  /**
   * A second first SYN-ACK (new ISN) replaces the connection's open verdict, and the first one's
   * verdict closing closes it too: the ACK that comes after is not credited to it.
   */
  @Test
  void theFirstVerdictClosingClosesTheConnectionsLaterSynAck() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unanswered(s, 10);
    client(s, at(20), Options.bare()).synAck(at(20) + ms(0.1), ONLY_MSS).synAck(at(21), ONLY_MSS)
        .ack(at(23.8)); // after the first verdict (3.5 s), before the second's
    client(s, at(23.6), Options.bare()); // an event between: the first verdict closes at it
    s.endAt(at(26));
    Finding f = only(run(s));
    // Both SYN-ACKs of that connection count: the ACK reached neither verdict.
    assertEquals(12L, byTest(f, "t5_never_retransmitted"));
  }

  /** Pending verdicts live on the connection but belong to one instance (T5 needs their flags). */
  @Test
  void twoInstancesFedTheSameEventsKeepTheirOwnState() {
    SideBySide.assertInstancesIndependent(() -> {
      clients = 0;
      DetectorScript s = new DetectorScript();
      listenerRetransmits(s);
      t1(s, at(10), true);
      t1(s, at(10.5), true);
      unanswered(s, 10);
      s.endAt(at(25));
      return s;
    }, () -> new SynCookiesDetector(SynCookiesDetector.Config.from(DetectorParams.none(SynCookiesDetector.ID))));
  }

  @Test
  void fewerThanMinT5UnansweredSynAcksAreNotAWindow() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unanswered(s, 9);
    s.endAt(at(25));
    assertEquals(List.of(), run(s));
  }

  @Test
  void unansweredSynAcksProveNothingWhenTheCaptureEndsBeforeTheRetransmissionTimer() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unanswered(s, 10);
    s.endAt(at(23)); // 2.1-3 s after the SYN-ACKs: a 3 s retransmission could still come
    assertEquals(List.of(), run(s));
  }

  @Test
  void unansweredSynAcksProveNothingOnAListenerThatNeverRetransmits() {
    DetectorScript s = new DetectorScript();
    unanswered(s, 10);
    s.endAt(at(25));
    assertEquals(List.of(), run(s));
  }

  /** {@code k} SYN-ACKs at 18 s that the server resends at 19 s on its own timer, never ACKed. */
  private void unprovokedRetransmissions(DetectorScript s, int k) {
    for (int i = 0; i < k; i++) {
      long t = at(18) + i * ms(100);
      client(s, t, Options.bare()).synAck(t + ms(0.1), ONLY_MSS).synAckRetransmit(t + SECOND + ms(0.1));
    }
  }

  @Test
  void counterEvidenceAtOneFifthStillAllowsT5() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unprovokedRetransmissions(s, 2);
    unanswered(s, 10);
    s.endAt(at(25));
    Finding f = only(run(s));
    assertEquals(10L, byTest(f, "t5_never_retransmitted"));
    assertEquals(0L, f.metrics().get("counter_evidence")); // the 19 s retransmissions precede the window
  }

  @Test
  void counterEvidenceAboveOneFifthSuppressesT5() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    unprovokedRetransmissions(s, 3);
    unanswered(s, 10);
    s.endAt(at(25));
    assertEquals(List.of(), run(s));
  }

  @Test
  void synAckResentRightAfterTheClientsSynRetransmissionIsNotCounterEvidence() {
    DetectorScript s = new DetectorScript();
    listenerRetransmits(s);
    for (int i = 0; i < 3; i++) {
      long t = at(18) + i * ms(100);
      client(s, t, Options.bare()).synAck(t + ms(0.1), ONLY_MSS)
          .synRetransmit(t + SECOND).synAckRetransmit(t + SECOND + ms(0.1)).ack(t + SECOND + ms(0.3));
    }
    unanswered(s, 10);
    s.endAt(at(25));
    Finding f = only(run(s));
    assertEquals(10L, byTest(f, "t5_never_retransmitted"));
  }

  /** FreeBSD's ISN: low byte = cookie XOR the hash's top byte (which the ISN keeps). */
  private static long freeBsdIsn(long hash, int mssIdx, int wscaleIdx, boolean sack, int oddEven) {
    int cookie = (mssIdx << 5) | (wscaleIdx << 2) | ((sack ? 1 : 0) << 1) | oddEven;
    return (hash & 0xffffff00L) | ((cookie ^ (hash >>> 24)) & 0xff);
  }

  /** A FreeBSD server's SYN-ACK to {@code client}; {@code decodes}: its ISN is a cookie of these indexes. */
  private void freeBsd(DetectorScript s, long t, Options client, int mssIdx, int wscaleIdx, boolean decodes) {
    long hash = (0x9E3779B1L * (clients + 17)) & 0xffffffffL;
    long isn = freeBsdIsn(hash, mssIdx, wscaleIdx, client.sack(), clients & 1);
    if (!decodes) {
      isn ^= 0x20; // another MSS index
    }
    Conn c = client(s, t, client);
    c.withIsns(c.origIsn, isn);
    c.synAck(t + ms(0.2), client.reply(0)).ack(t + ms(0.4));
  }

  /** Clients with the FreeBSD table indexes of their MSS (216 536 1200 1360 1400 1440 1452 1460) and wscale. */
  private void freeBsdClients(DetectorScript s, int n, int notDecoding) {
    Options windows = new Options(1460, 8, true, false, 0, false, 128); // mss idx 7, wscale 8 -> idx 7
    Options linux = new Options(1400, 6, true, false, 0, false, 64); // mss idx 4, wscale 6 -> idx 5
    Options old = new Options(536, 0, false, false, 0, false, 64); // mss idx 1, wscale 0 -> idx 1
    Options bare = new Options(1380, -1, false, false, 0, false, 64); // mss idx 3, no wscale -> idx 0
    for (int i = 0; i < n; i++) {
      long t = at(10) + i * ms(200);
      boolean decodes = i >= notDecoding;
      switch (i % 4) {
        case 0 -> freeBsd(s, t, windows, 7, 7, decodes);
        case 1 -> freeBsd(s, t, linux, 4, 5, decodes);
        case 2 -> freeBsd(s, t, old, 1, 1, decodes);
        default -> freeBsd(s, t, bare, 3, 0, decodes);
      }
    }
  }

  @Test
  void freeBsdCookiesAreAnInfoFingerprint() {
    DetectorScript s = new DetectorScript();
    freeBsdClients(s, 5, 0);
    Finding f = only(run(s));
    assertEquals(Severity.INFO, f.severity());
    assertEquals(LISTENER, f.target());
    assertEquals(5L, f.metrics().get("synacks_tested"));
    assertEquals(5L, f.metrics().get("decodable_cookies"));
  }

  @Test
  void fewerThanMinFreeBsdSamplesAreNoFingerprint() {
    DetectorScript s = new DetectorScript();
    freeBsdClients(s, 4, 0);
    assertEquals(List.of(), run(s));
  }

  @Test
  void ninetyPercentDecodableIsAFingerprintAndLessIsNot() {
    DetectorScript s = new DetectorScript();
    freeBsdClients(s, 10, 1);
    assertEquals(9L, only(run(s)).metrics().get("decodable_cookies"));

    DetectorScript fewer = new DetectorScript();
    freeBsdClients(fewer, 10, 2);
    assertEquals(List.of(), run(fewer));
  }

  /** T2's per-pair residue counts: bounded by halving, their sum always the sum of the counts. */
  @Test
  void residueCountsHalveAt100AndKeepTheirSum() {
    SynCookiesDetector.Residues r = new SynCookiesDetector.Residues();
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 20_000; i++) {
      r.add(random.nextInt(4) == 0 ? random.nextInt(64) : 5);
      int sum = 0;
      for (int k = 0; k < 64; k++) {
        sum += r.count(k);
        org.junit.jupiter.api.Assertions.assertTrue(r.count(k) <= 100, "bounded");
      }
      assertEquals(sum, r.total(), "after " + (i + 1) + " additions");
    }
    SynCookiesDetector.Residues halved = new SynCookiesDetector.Residues();
    for (int i = 0; i < 100; i++) halved.add(9);
    halved.add(3);
    halved.add(9); // 9 is at 100: everything halves first (100 -> 50, 1 -> 0), then it counts
    assertEquals(51, halved.count(9));
    assertEquals(0, halved.count(3));
    assertEquals(51, halved.total());
  }
}
