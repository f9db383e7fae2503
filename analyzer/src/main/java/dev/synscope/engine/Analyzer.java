package dev.synscope.engine;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.RawFrame;
import dev.synscope.decode.FrameDecoder;
import dev.synscope.decode.Segment;
import dev.synscope.detect.Detector;
import dev.synscope.detect.Finding;
import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.FlowStats;
import dev.synscope.flow.FlowTable;
import dev.synscope.report.Report;
import dev.synscope.report.ReportBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The one pass: source -> decode -> flow table -> events -> detectors -> findings -> report.
 * The loop reuses one frame and one segment, so reading and tracking allocate nothing per packet.
 */
public final class Analyzer {
  private static final long SECOND_NANOS = 1_000_000_000L;
  private final AnalysisOptions options;
  private final List<Detector> detectors;

  public Analyzer(AnalysisOptions options, List<Detector> detectors) {
    this.options = options;
    this.detectors = List.copyOf(detectors);
  }

  /** Reads the source to its end (or until {@code stop} says so) and builds the report. */
  public Report run(CaptureSource source, BooleanSupplier stop, List<String> runWarnings) throws IOException {
    return run(source, stop, runWarnings, 0, null);
  }

  /**
   * What a progress listener sees: the run so far, read on the analysis thread between two
   * packets. Valid only during the call.
   */
  public interface Progress {
    /** Frames read so far. */
    long frames();

    long tcpSegments();

    /** Connections in the flow table now. */
    int activeConnections();

    /** Packet time of the frame after which this call is made. */
    long packetTimeNanos();

    /** Every detector's findings so far (detectors' findings() has no side effects). */
    List<Finding> findings();
  }

  /** Called on the analysis thread (live capture streams findings and status from it). */
  @FunctionalInterface
  public interface ProgressListener {
    void onProgress(Progress progress);
  }

  /**
   * As {@link #run(CaptureSource, BooleanSupplier, List)}, and calls {@code listener} whenever
   * packet time has advanced by {@code intervalNanos} since the last call (or the first frame):
   * the check is one comparison per packet, and nothing is allocated per packet.
   */
  public Report run(
      CaptureSource source, BooleanSupplier stop, List<String> runWarnings, long intervalNanos,
      ProgressListener listener) throws IOException {
    return run(source, stop, runWarnings, intervalNanos, listener, null);
  }

  /** Frames between two calls of a frame listener: one test of a counter per packet. */
  public static final int FRAMES_PER_CALL = 1 << 16;

  /**
   * As above, and also calls {@code everyFrames} after every {@value #FRAMES_PER_CALL} frames
   * read, whatever their packet time (a progress line runs on the wall clock).
   */
  public Report run(
      CaptureSource source, BooleanSupplier stop, List<String> runWarnings, long intervalNanos,
      ProgressListener listener, ProgressListener everyFrames) throws IOException {
    StageTimes times = new StageTimes();
    ReportBuilder builder = new ReportBuilder(options.keepConnections(), options.reportLimits());
    EventDispatcher dispatcher = new EventDispatcher(builder, detectors);
    int threads = options.threads();
    Handoff handoff = threads == 2 ? new Handoff() : null;
    // Past two: a reader, then about half the rest as flow shards, half as event groups.
    int shards = threads > 2 ? shardsFor(threads) : 0;
    ShardedFlow sharded = threads > 2 ? new ShardedFlow(options.flows(), shards, times) : null;
    ProgressListener caller = listener;
    EventStage events = threads < 2 ? null : new EventStage(builder, detectors,
        threads > 2 ? threads - 1 - shards : 1,
        listener == null ? null : mark -> caller.onProgress(new MarkedProgress(mark, detectors)), times);
    FlowTable table = sharded != null ? null
        : new FlowTable(options.flows(), handoff != null ? handoff::add : dispatcher);
    FlowStage stage = sharded != null ? sharded : FlowStage.of(table);
    FrameDecoder decoder = new FrameDecoder();
    long[] progressTime = new long[1];
    Progress progress = listener == null && everyFrames == null ? null : new Progress() {
      @Override
      public long frames() {
        return decoder.counters().frames();
      }

      @Override
      public long tcpSegments() {
        return decoder.counters().tcpSegments();
      }

      @Override
      public int activeConnections() {
        return stage.size();
      }

      @Override
      public long packetTimeNanos() {
        return progressTime[0];
      }

      @Override
      public List<Finding> findings() {
        return findingsOf(detectors);
      }
    };
    Detector[] clocked = detectors.toArray(new Detector[0]);
    FlowStats flowStats;
    if (handoff == null && sharded == null) {
      Clock clock = (ordinal, nanos) -> {
        for (Detector d : clocked) {
          d.onTime(nanos);
        }
      };
      long frames = readAll(source, stop, decoder, stage, clock, intervalNanos, listener, everyFrames, progress,
          progressTime);
      long end = endOfInput(source, stage, clock, frames + 1);
      for (Detector d : detectors) {
        d.onEndOfInput(end);
      }
      table.drain();
      flowStats = table.stats();
      times.record("all");
    } else if (handoff != null) {
      // The flow stage runs ahead on its own thread and hands the events over in batches, with
      // the clock's ticks and the end of input in their places: the detectors and the report see
      // exactly what one thread would have shown them.
      Thread flow = new Thread(() -> {
        try {
          // A progress listener reads the detectors' findings: the flow stage marks the moment
          // in the sequence, with its own counters, and the event stage calls the listener there.
          ProgressListener marker = listener == null ? null : p -> handoff.progress(
              new Handoff.Mark(p.frames(), p.tcpSegments(), p.activeConnections(), p.packetTimeNanos()));
          Clock clock = (ordinal, nanos) -> handoff.tick(nanos);
          long frames = readAll(source, () -> stop.getAsBoolean() || handoff.cancelled(), decoder, stage, clock,
              intervalNanos, marker, everyFrames, progress, progressTime);
          if (!handoff.cancelled()) {
            handoff.endOfInput(endOfInput(source, stage, clock, frames + 1));
            table.drain();
          }
        } catch (Throwable e) {
          handoff.fail(e);
        } finally {
          handoff.done();
          times.record("flow");
        }
      }, "synscope-flow");
      flow.setDaemon(true);
      flow.start();
      events.start();
      try {
        handoff.consume(events);
        events.finish();
      } finally {
        events.cancel();
        handoff.cancel();
        joinQuietly(flow);
      }
      handoff.rethrow();
      flowStats = table.stats();
      times.record("events");
    } else {
      // The reader decodes and routes each segment to its connection's shard; the shards' events
      // are merged back into one table's order before the event stage (ShardedFlow).
      Thread reader = new Thread(() -> {
        try {
          ProgressListener marker = listener == null ? null : p -> sharded.progress(
              new Handoff.Mark(p.frames(), p.tcpSegments(), -1, p.packetTimeNanos()));
          long frames = readAll(source, () -> stop.getAsBoolean() || sharded.cancelled(), decoder, stage,
              sharded::tick, intervalNanos, marker, everyFrames, progress, progressTime);
          if (!sharded.cancelled()) {
            sharded.endOfInput(frames + 1, endOfInput(source, stage, sharded::tick, frames + 1));
            sharded.drain(frames + 2);
          }
        } catch (Throwable e) {
          sharded.fail(e);
        } finally {
          sharded.done();
          times.record("read");
        }
      }, "synscope-read");
      reader.setDaemon(true);
      sharded.start();
      reader.start();
      events.start();
      try {
        sharded.consume(events);
        events.finish();
      } finally {
        events.cancel();
        sharded.cancel();
        joinQuietly(reader);
        sharded.join();
      }
      sharded.rethrow();
      flowStats = sharded.stats();
      times.record("events");
    }
    times.print();
    List<Finding> findings = findingsOf(detectors);
    List<String> warnings = new ArrayList<>(source.warnings());
    warnings.addAll(runWarnings);
    List<StateTableStats> tables = new ArrayList<>();
    for (Detector d : detectors) {
      tables.addAll(d.stateTables());
    }
    return builder.build(
        options.toolVersion(), options.generatedAt(), source.inputs(), decoder.counters(), flowStats,
        tables, findings, warnings);
  }

  /**
   * Flow shards for {@code threads} (3 or more): one thread reads, and the rest is split between
   * the shards and the event stage's groups, the shards taking the larger half (the two stages
   * did about equal work on the benchmark capture).
   */
  static int shardsFor(int threads) {
    return threads / 2;
  }

  private static List<Finding> findingsOf(List<Detector> detectors) {
    List<Finding> out = new ArrayList<>();
    for (Detector d : detectors) {
      out.addAll(d.findings());
    }
    return out;
  }

  /** The run at a moment the flow stage marked: its counters then, the detectors' findings now. */
  private record MarkedProgress(Handoff.Mark mark, List<Detector> detectors) implements Progress {
    @Override
    public long frames() {
      return mark.frames();
    }

    @Override
    public long tcpSegments() {
      return mark.tcpSegments();
    }

    @Override
    public int activeConnections() {
      return mark.activeConnections();
    }

    @Override
    public long packetTimeNanos() {
      return mark.packetTimeNanos();
    }

    @Override
    public List<Finding> findings() {
      return findingsOf(detectors);
    }
  }

  /**
   * The packet time the input ended at: its last packet's, or later when the source watched
   * beyond it (a live capture listened until it stopped): then the clock ticks on to it, so
   * windows and waits that the silence completes are judged as time passing would have.
   */
  private static long endOfInput(CaptureSource source, FlowStage stage, Clock clock, long ordinal) {
    long last = stage.packetTimeNanos();
    long watched = source.observedUntilNanos();
    if (watched == Long.MIN_VALUE || last == Long.MIN_VALUE || watched <= last) {
      return last;
    }
    long second = (Math.floorDiv(last, SECOND_NANOS) + 1) * SECOND_NANOS;
    // A day of silence is as good as any longer one; the clock need not tick through it.
    long until = Math.min(watched, last + 86_400 * SECOND_NANOS);
    for (; second <= until; second += SECOND_NANOS) {
      clock.tick(ordinal, second);
    }
    if (until < watched) {
      clock.tick(ordinal, watched);
    }
    return watched;
  }

  /** Packet time reaches the detectors: directly, or through the hand-off, after frame {@code ordinal}. */
  interface Clock {
    void tick(long ordinal, long packetNanos);
  }

  /**
   * The read loop: every frame decoded and tracked, the clock ticked once a second of packet
   * time; returns the frames read (the last frame's ordinal).
   */
  private static long readAll(
      CaptureSource source, BooleanSupplier stop, FrameDecoder decoder, FlowStage stage, Clock clock,
      long intervalNanos, ProgressListener listener, ProgressListener everyFrames, Progress progress,
      long[] progressTime) throws IOException {
    RawFrame frame = new RawFrame();
    Segment segment = new Segment();
    long step = Math.max(1, intervalNanos);
    long nextProgressNanos = Long.MIN_VALUE;
    long nextTickNanos = Long.MIN_VALUE;
    int untilCall = FRAMES_PER_CALL;
    long ordinal = 0;
    while (!stop.getAsBoolean() && source.next(frame)) {
      ordinal++;
      if (everyFrames != null && --untilCall == 0) {
        untilCall = FRAMES_PER_CALL;
        progressTime[0] = frame.timestampNanos;
        everyFrames.onProgress(progress);
      }
      if (frame.decode(decoder, ordinal, segment)) {
        stage.onSegment(segment);
      }
      if (frame.timestampNanos >= nextTickNanos) {
        // Packet time for every detector, once a second: the watermark that lets a detector
        // whose targets see no traffic still close its episodes.
        clock.tick(ordinal, frame.timestampNanos);
        nextTickNanos = (Math.floorDiv(frame.timestampNanos, SECOND_NANOS) + 1) * SECOND_NANOS;
      }
      if (listener != null && frame.timestampNanos >= nextProgressNanos) {
        if (nextProgressNanos != Long.MIN_VALUE) {
          progressTime[0] = frame.timestampNanos;
          listener.onProgress(progress);
        }
        nextProgressNanos = frame.timestampNanos + step;
      }
    }
    return ordinal;
  }

  static void joinQuietly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
