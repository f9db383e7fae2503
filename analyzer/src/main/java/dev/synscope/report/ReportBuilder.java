package dev.synscope.report;

import dev.synscope.capture.InputSummary;
import dev.synscope.decode.DecodeCounters;
import dev.synscope.detect.Evidence;
import dev.synscope.detect.Finding;
import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.EndpointSummary;
import dev.synscope.flow.ConnectionSummary;
import dev.synscope.flow.EventSink;
import dev.synscope.flow.FlowStats;
import dev.synscope.flow.Timestamps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Aggregates the events of a run into the report's summary (constant memory unless per-connection
 * records are asked for) and assembles the final {@link Report}.
 */
public final class ReportBuilder implements EventSink {
  /** Zeek's conn_state codes, in the order the report lists them. */
  private static final List<String> STATE_ORDER =
      List.of("S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH", "SH", "SHR", "OTH");
  /** Handshake times are recorded in microseconds, 3 significant digits, up to an hour. */
  private static final long MAX_MICROS = 3_600_000_000L;

  private final boolean keepConnections;
  private final Histogram synToSynAck = new Histogram(MAX_MICROS, 3);
  private final Histogram synAckToAck = new Histogram(MAX_MICROS, 3);
  private final Map<String, long[]> states = new TreeMap<>();
  private final List<ConnectionSummary> connections = new ArrayList<>();
  private long maxSynToSynAckNanos = -1;
  private long maxSynAckToAckNanos = -1;
  private long connectionCount;
  private long handshakes;
  private long rejected;
  /** Connections whose client ACKed a SYN-ACK the capture does not hold (one-sided capture). */
  private long answeredUnseen;
  /** A capture of only SYNs smaller than this is a test file, not a sign of a capture filter. */
  private static final long SYN_ONLY_WARNING_MIN = 10;

  /** Connections of which the capture holds one side's packets only, and more than its SYNs. */
  private long oneDirection;

  /**
   * One side sent packets, the other none, and the sender sent more than a SYN and its
   * retransmissions: an unanswered attempt is a fact of the network, this is one of the capture.
   */
  private static boolean oneDirection(ConnectionSummary s) {
    long o = s.orig().packets();
    long r = s.resp().packets();
    if ((o == 0) == (r == 0)) {
      return false;
    }
    EndpointSummary sender = o > 0 ? s.orig() : s.resp();
    long synOnly = sender.syn() != null ? 1 + sender.synRetransmissions() : 0;
    return sender.packets() > synOnly;
  }
  private long synRetransmissions;
  private long synAckRetransmissions;
  private long selfConnections;
  private long simultaneousOpens;
  // Aggregates the HTML report draws (issue 5): time series, top listeners.
  private final TimelineBuilder timeline;
  private final SocketCensus census;
  private final ListenerTable listeners;

  public ReportBuilder(boolean keepConnections) {
    this(keepConnections, ReportLimits.DEFAULT);
  }

  public ReportBuilder(boolean keepConnections, ReportLimits limits) {
    this.keepConnections = keepConnections;
    this.timeline = new TimelineBuilder(limits.maxTimelineHosts());
    this.census = new SocketCensus(limits.maxCensusHosts());
    this.listeners = new ListenerTable(limits.maxListeners());
  }

  @Override
  public void accept(ConnectionEvent event) {
    timeline.accept(event);
    census.accept(event);
    if (event instanceof ConnectionEvent.AnsweredUnseen) {
      answeredUnseen++;
    } else if (event instanceof ConnectionEvent.Rejected) {
      rejected++;
    } else if (event instanceof ConnectionEvent.Removed removed) {
      ConnectionSummary s = removed.connection();
      String connState = s.connState();
      listeners.accept(s, connState);
      connectionCount++;
      states.computeIfAbsent(connState, k -> new long[1])[0]++;
      if (s.handshakeCompleted()) {
        handshakes++;
      }
      if (oneDirection(s)) {
        oneDirection++;
      }
      synRetransmissions += s.orig().synRetransmissions();
      synAckRetransmissions += s.resp().synRetransmissions();
      if (s.selfConnect()) selfConnections++;
      if (s.simultaneousOpen()) simultaneousOpens++;
      record(synToSynAck, s.synToSynAckNanos());
      record(synAckToAck, s.synAckToAckNanos());
      maxSynToSynAckNanos = Math.max(maxSynToSynAckNanos, s.synToSynAckNanos());
      maxSynAckToAckNanos = Math.max(maxSynAckToAckNanos, s.synAckToAckNanos());
      if (keepConnections) {
        connections.add(s);
      }
    }
  }

  private static void record(Histogram h, long nanos) {
    if (nanos >= 0) {
      h.recordValue(Math.min(MAX_MICROS, nanos / 1_000));
    }
  }

  /** Everything the run produced, as one report; {@code tables} are the detectors' ({@code stats.state}). */
  public Report build(
      String toolVersion,
      String generatedAt,
      List<InputSummary> inputs,
      DecodeCounters decode,
      FlowStats flows,
      List<StateTableStats> tables,
      List<Finding> findings,
      List<String> runWarnings) {
    List<Report.Input> in = new ArrayList<>();
    List<String> warnings = new ArrayList<>(runWarnings);
    for (InputSummary i : inputs) {
      in.add(new Report.Input(
          i.path(), i.format(), i.linkTypes(), i.packets(), i.bytes(),
          Timestamps.iso(i.firstTimestampNanos()), Timestamps.iso(i.lastTimestampNanos()), i.warnings()));
      for (String w : i.warnings()) {
        warnings.add(i.path() + ": " + w);
      }
      if (i.packets() == 0) {
        warnings.add(i.path() + ": holds no packets");
      }
    }
    if (flows.evicted() > 0) {
      warnings.add("the flow table was full (" + flows.maxFlows() + " connections; raise --memory or --max-flows): "
          + flows.evicted() + " connection(s) were evicted before they ended; their figures are partial");
    }
    for (FlowStats.Emergency e : flows.emergencies()) {
      warnings.add("the flow table ran in emergency mode (shorter idle timeouts, half-open connections first) from "
          + Timestamps.iso(e.startNanos()) + (e.open() ? " to the end of the input" : " to " + Timestamps.iso(e.endNanos()))
          + ": " + e.evicted() + " evicted, " + e.expiredEarly() + " expired early");
    }
    Map<String, Object> state = new LinkedHashMap<>();
    List<Report.Emergency> emergencies = new ArrayList<>();
    for (FlowStats.Emergency e : flows.emergencies()) {
      emergencies.add(new Report.Emergency(
          Timestamps.iso(e.startNanos()), Timestamps.iso(e.endNanos()), e.open(), e.evicted(), e.expiredEarly()));
    }
    state.put("flows", new Report.FlowState(flows.maxFlows(), flows.peakFlows(), flows.evicted(), emergencies));
    List<StateTableStats> all = new ArrayList<>(tables);
    all.add(listeners.stats());
    all.add(timeline.stats());
    all.add(census.stats());
    for (StateTableStats t : all) {
      state.put(t.name(), new Report.TableState(t.cap(), t.peak(), t.evicted(), t.evictedBusy(), t.refused()));
      if (t.name().endsWith(".episodes") && t.refused() > 0) {
        String detector = t.name().substring(0, t.name().length() - ".episodes".length());
        warnings.add(detector + " found " + t.refused() + " more episode(s) than it keeps (" + t.cap()
            + "; raise --param " + detector + ".max_episodes): they are counted in stats.state." + t.name()
            + ".refused, not reported");
      }
      if (t.evictedBusy() > 0) {
        warnings.add("the table " + t.name() + " was full (" + t.cap() + " entries; raise --memory or --param "
            + t.name().replace(".", ".max_") + "): " + t.evictedBusy() + " target(s) in an open episode were evicted,"
            + " so their findings may be split or missing");
      }
    }
    if (oneDirection > 0 || answeredUnseen > 0) {
      long share = connectionCount == 0 ? 0 : Math.round(100.0 * oneDirection / connectionCount);
      warnings.add("the capture holds one direction only of " + oneDirection + " connection(s) (" + share
          + " % of all; summary.one_direction): a span port or tap that sees one direction, asymmetric routing,"
          + " or a capture filter; their silence is not the peer's"
          + (answeredUnseen > 0 ? ". " + answeredUnseen + " client(s) ACKed SYN-ACKs the capture does not hold:"
              + " those SYNs were answered, and the detectors count their handshakes as completed"
              + " (summary.answered_unseen), not as unanswered" : ""));
    }
    if (decode.tcpSegments() >= SYN_ONLY_WARNING_MIN && decode.synSegments() == decode.tcpSegments()) {
      warnings.add("every TCP segment in the capture is a SYN (" + decode.tcpSegments() + "): if it was taken with a"
          + " filter such as 'tcp[tcpflags] & tcp-syn != 0', the answers were filtered out and its unanswered SYNs"
          + " prove nothing; if not, nothing ever answered them");
    }
    if (!decode.unsupportedLinkTypes().isEmpty()) {
      warnings.add("frames of link types synscope cannot decode were skipped: " + decode.unsupportedLinkTypes());
    }
    long nonTcp = decode.frames() - decode.tcpSegments();
    Report.Stats stats = new Report.Stats(
        decode.frames(), decode.tcpSegments(), nonTcp,
        new Report.TcpFlagCounts(decode.synSegments(), decode.synAckSegments(), decode.rstSegments(), decode.finSegments()),
        decode.skipCounts(), decode.unsupportedLinkTypes(),
        decode.anomalyCounts(),
        new Report.Flows(flows.created(), flows.expired(), flows.evicted(), flows.endOfInput(), flows.peakFlows(), flows.maxFlows()),
        flows.portReuses(), state);
    Map<String, Long> stateCounts = new LinkedHashMap<>();
    for (String code : STATE_ORDER) {
      long[] n = states.get(code);
      if (n != null) {
        stateCounts.put(code, n[0]);
      }
    }
    Report.Summary summary = new Report.Summary(
        connectionCount, handshakes, rejected, stateCounts,
        new Report.HandshakeRtt(
            percentiles(synToSynAck, maxSynToSynAckNanos), percentiles(synAckToAck, maxSynAckToAckNanos)),
        synRetransmissions, synAckRetransmissions, selfConnections, simultaneousOpens, answeredUnseen > 0 ? answeredUnseen : null, oneDirection > 0 ? oneDirection : null);
    List<Report.ReportFinding> out = findings.stream()
        .sorted(Comparator.comparing((Finding f) -> f.severity()).reversed()
            .thenComparingLong(Finding::firstSeenNanos)
            .thenComparing(Finding::detector)
            .thenComparing(Finding::target))
        .map(ReportBuilder::finding)
        .toList();
    List<Report.ConnectionRecord> records = null;
    if (keepConnections) {
      records = connections.stream()
          .sorted(Comparator.comparingLong(ConnectionSummary::startNanos).thenComparing(s -> s.id().uid()))
          .map(ReportBuilder::connection)
          .toList();
    }
    long end = Long.MIN_VALUE;
    for (InputSummary i : inputs) {
      end = Math.max(end, i.lastTimestampNanos());
    }
    SocketCensus.Result hosts = census.build(end);
    return new Report(
        Report.SCHEMA_VERSION, new Report.Tool("synscope", toolVersion), generatedAt, in, stats, summary,
        warnings, out, records, listeners.build(),
        HandshakeHistograms.of(synToSynAck, synAckToAck), timeline.build(), null, null,
        hosts == null ? null : hosts.hosts(), hosts == null ? null : hosts.notListed());
  }

  /** Percentiles to within 0.1 % (the histogram's 3 significant digits); the maximum is exact. */
  private static Report.Percentiles percentiles(Histogram h, long maxNanos) {
    long n = h.getTotalCount();
    if (n == 0) {
      return new Report.Percentiles(0, null, null, null, null);
    }
    return new Report.Percentiles(
        n, ms(h, 50), ms(h, 90), ms(h, 99), Timestamps.millis(maxNanos));
  }

  private static Double ms(Histogram h, double percentile) {
    long micros = h.medianEquivalentValue(h.getValueAtPercentile(percentile));
    return micros / 1000.0;
  }

  /** One finding as the report shows it (public: live capture streams findings mid-run). */
  public static Report.ReportFinding finding(Finding f) {
    List<Report.ReportEvidence> evidence = new ArrayList<>();
    for (Evidence e : f.evidence()) {
      Map<String, String> ts = new LinkedHashMap<>();
      e.timestampsNanos().forEach((k, v) -> {
        String iso = Timestamps.iso(v);
        if (iso != null) ts.put(k, iso);
      });
      evidence.add(new Report.ReportEvidence(
          e.uid(), e.orig(), e.resp(), e.history(), e.connState(), ts, e.input(), e.frames(), e.framesInLaterInputs(), e.note()));
    }
    return new Report.ReportFinding(
        f.detector(), f.severity().label(), f.target(), Timestamps.iso(f.firstSeenNanos()),
        Timestamps.iso(f.lastSeenNanos()), f.summary(), f.metrics(), evidence, f.explanation());
  }

  /** One connection as the report lists it (public: the Flink job streams them). */
  public static Report.ConnectionRecord connection(ConnectionSummary s) {
    return new Report.ConnectionRecord(
        s.id().uid(), Timestamps.iso(s.startNanos()), s.id().origHost().toString(), s.id().origPort(),
        s.id().respHost().toString(), s.id().respPort(), Timestamps.seconds(s.durationNanos()), s.connState(),
        s.history(), s.orig().packets(), s.resp().packets(), s.orig().bytes(), s.resp().bytes(),
        s.orig().synRetransmissions(), s.resp().synRetransmissions(),
        new Report.Rtt(Timestamps.millis(s.synToSynAckNanos()), Timestamps.millis(s.synAckToAckNanos())));
  }
}
