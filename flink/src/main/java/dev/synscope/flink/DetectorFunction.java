package dev.synscope.flink;

import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.detect.Finding;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventCodec;
import dev.synscope.flow.RemovalCause;
import dev.synscope.flow.ReplayIds;
import dev.synscope.cli.Version;
import dev.synscope.report.JsonLinesWriter;
import dev.synscope.report.JsonReportWriter;
import dev.synscope.report.ReportBuilder;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import dev.synscope.detect.DetectorState;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * One detector per key (the detector's index in the registry), fed exactly the sequence {@code
 * synscope analyze} feeds it: the events of every flow operator, the clock's ticks and the end of
 * the input, merged by their place ({@link EventRecord}) once the watermark shows nothing can come
 * before it. The moments come from the capture source as a broadcast stream; a removal by expiry
 * is placed at the first expiry pass after its deadline (or, when none ran, drained at the end
 * of the input), with the time and cause the whole table would have given it.
 *
 * <p>Events wait {@link #LAG_NANOS} of the clock behind the watermark: a flow operator's timer
 * reports an idle connection up to two seconds after its pass.
 */
final class DetectorFunction extends KeyedBroadcastProcessFunction<Integer, EventRecord, PacketRecord, FindingRecord>
    implements CheckpointedFunction {
  static final MapStateDescriptor<Long, PacketRecord> MOMENTS =
      new MapStateDescriptor<>("moments", BasicTypeInfo.LONG_TYPE_INFO, TypeInformation.of(PacketRecord.class));
  private static final long MILLIS = 1_000_000L;
  static final long LAG_NANOS = 3_000_000_000L;
  /** Moments older than this behind the newest are no longer needed to place anything. */
  private static final long RETENTION_NANOS = 3_600_000_000_000L;
  private static final long TIMER_STEP_MILLIS = 100;
  private static final long END_MAJOR = Long.MAX_VALUE - 4;
  private static final long DRAIN_MAJOR = Long.MAX_VALUE - 3;

  /** The JSON report's writer, each finding on one line (JSON Lines). */
  static final com.fasterxml.jackson.databind.ObjectWriter ONE_LINE = JsonReportWriter.mapper().writer()
      .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);
  private final JobOptions options;
  private transient Map<Integer, Run> runs;
  private transient ListState<byte[]> saved;
  /** Mirrors of the broadcast moments, by pass clock and by tick ordinal (rebuilt after a restore). */
  /** Each file's passes by clock. */
  private transient Map<Integer, TreeMap<Long, PacketRecord>> passes;
  private transient TreeMap<Place, PacketRecord> ticks;
  /** The latest end of the input of a file (one capture: its end). */
  private transient PacketRecord end;
  private transient boolean mirrored;

  DetectorFunction(JobOptions options) {
    this.options = options;
  }

  /** One detector's run: the detector, its connections' ids, the events waiting for their turn. */
  private static final class Run implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final Detector detector;
    final ReplayIds ids = new ReplayIds();
    final PriorityQueue<Item> pending = new PriorityQueue<>();
    /** Removals by expiry not yet placed, by deadline: the earliest meets a pass first. */
    final PriorityQueue<Item> unplaced = new PriorityQueue<>(new ByDeadline());
    /** The place of the last thing delivered. */
    Place last = new Place(Long.MIN_VALUE, Long.MIN_VALUE);

    Run(Detector detector) {
      this.detector = detector;
    }
  }

  /** An event with its place; a removal by expiry gets its time and cause once placed. */
  private static final class Item implements Comparable<Item>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final EventRecord record;
    long major;
    long release;
    long removedAt = Long.MIN_VALUE;
    RemovalCause cause;

    Item(EventRecord record) {
      this.record = record;
      this.major = record.major;
      this.release = record.releaseNanos;
    }

    Place place() {
      return new Place(release, major);
    }

    /** This item's place against {@code p}, without making a Place. */
    int comparePlace(Place p) {
      return Place.compare(release, major, p.clock(), p.major());
    }

    @Override
    public int compareTo(Item o) {
      int c = Long.compare(release, o.release);
      if (c == 0) {
        c = Long.compare(major, o.major);
      }
      return c != 0 ? c : Long.compare(record.minor, o.record.minor);
    }
  }

  /**
   * A place in the sequence: the clock, then the frame's place in its file. In one capture the
   * clock never goes back as frames go on, so this is the CLI's frame order; across files it
   * merges them by time, the same way whatever the timing of the run.
   */
  record Place(long clock, long major) implements Comparable<Place>, java.io.Serializable {
    @Override
    public int compareTo(Place o) {
      return compare(clock, major, o.clock, o.major);
    }

    static int compare(long clock, long major, long otherClock, long otherMajor) {
      int c = Long.compare(clock, otherClock);
      return c != 0 ? c : Long.compare(major, otherMajor);
    }
  }

  private static final class ByDeadline implements java.util.Comparator<Item>, java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Item a, Item b) {
      return Long.compare(a.record.deadlineNanos, b.record.deadlineNanos);
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    saved = context.getOperatorStateStore().getUnionListState(
        new ListStateDescriptor<>("detector-runs", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    runs = new HashMap<>();
    if (!context.isRestored()) {
      return;
    }
    // Union state: every subtask sees every run and takes those of the keys it now owns.
    int parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
    int maxParallelism = getRuntimeContext().getTaskInfo().getMaxNumberOfParallelSubtasks();
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    for (byte[] bytes : saved.get()) {
      int key = java.nio.ByteBuffer.wrap(bytes).getInt();
      if (KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism, parallelism) == subtask) {
        runs.put(key, DetectorState.load(java.util.Arrays.copyOfRange(bytes, 4, bytes.length), Run.class));
      }
    }
  }

  /** Each detector with the events it holds, as bytes ({@link DetectorState}): taken between two records. */
  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    saved.clear();
    for (Map.Entry<Integer, Run> e : runs.entrySet()) {
      byte[] run = DetectorState.save(e.getValue());
      saved.add(java.nio.ByteBuffer.allocate(4 + run.length).putInt(e.getKey()).put(run).array());
    }
  }

  @Override
  public void open(OpenContext context) {
    passes = new HashMap<>();
    ticks = new TreeMap<>();
  }

  @Override
  public void processBroadcastElement(PacketRecord m, Context ctx, Collector<FindingRecord> out) throws Exception {
    BroadcastState<Long, PacketRecord> state = ctx.getBroadcastState(MOMENTS);
    mirror(state);
    // Passes and ticks by their place; each file's end under a key of its own (negative: no place).
    long key = m.kind == PacketRecord.END ? -1 - fileOf(m.ordinal) : m.ordinal * 4 + (m.kind == PacketRecord.PASS ? 0 : 2);
    state.put(key, m);
    add(m);
    // Forget what no event can be placed by any more (bounded state on an endless stream).
    long horizon = m.clockNanos == Long.MIN_VALUE ? Long.MIN_VALUE : m.clockNanos - RETENTION_NANOS;
    boolean stale = !ticks.isEmpty() && ticks.firstKey().clock() < horizon;
    for (TreeMap<Long, PacketRecord> own : passes.values()) {
      stale |= own.firstKey() < horizon;
    }
    if (stale) {
      Iterator<Map.Entry<Long, PacketRecord>> it = state.iterator();
      while (it.hasNext()) {
        PacketRecord old = it.next().getValue();
        if (old.kind != PacketRecord.END && old.clockNanos < horizon) {
          it.remove();
          if (old.kind == PacketRecord.PASS) {
            passes.get(fileOf(old.ordinal)).remove(old.clockNanos);
          } else {
            ticks.remove(tickPlace(old));
          }
        }
      }
    }
  }

  private void add(PacketRecord m) {
    switch (m.kind) {
      case PacketRecord.PASS -> passes.computeIfAbsent(fileOf(m.ordinal), f -> new TreeMap<>()).put(m.clockNanos, m);
      case PacketRecord.TICK -> ticks.put(tickPlace(m), m);
      default -> {
        if (end == null || m.clockNanos > end.clockNanos) {
          end = m;
        }
      }
    }
  }

  private static Place tickPlace(PacketRecord tick) {
    return new Place(tick.clockNanos, tick.ordinal * 4 + 2);
  }

  /** The capture file a frame ordinal belongs to ({@link CaptureFormat#FILE_SHIFT}). */
  private static int fileOf(long ordinal) {
    return (int) (ordinal >>> CaptureFormat.FILE_SHIFT);
  }

  private void mirror(ReadOnlyBroadcastState<Long, PacketRecord> state) throws Exception {
    if (!mirrored) {
      mirrored = true;
      for (Map.Entry<Long, PacketRecord> e : state.immutableEntries()) {
        add(e.getValue());
      }
    }
  }

  @Override
  public void processElement(EventRecord r, ReadOnlyContext ctx, Collector<FindingRecord> out) throws Exception {
    mirror(ctx.getBroadcastState(MOMENTS));
    Run run = run(ctx.getCurrentKey());
    Item item = new Item(r);
    if (r.major == EventRecord.UNPLACED) {
      run.unplaced.add(item);
    } else {
      run.pending.add(item);
    }
    long at = Math.floorDiv(r.releaseNanos + LAG_NANOS, MILLIS) + 1;
    ctx.timerService().registerEventTimeTimer((Math.floorDiv(at, TIMER_STEP_MILLIS) + 1) * TIMER_STEP_MILLIS);
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  private Run run(int detector) {
    Run run = runs.get(detector);
    if (run == null) {
      String id = Detectors.all().get(detector).id();
      run = new Run(Detectors.create(List.of(id), own(id)).get(0));
      runs.put(detector, run);
    }
    return run;
  }

  private Map<String, String> own(String id) {
    Map<String, String> params = new HashMap<>();
    options.params().forEach((k, v) -> {
      if (k.startsWith(id + ".")) {
        params.put(k, v);
      }
    });
    return params;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<FindingRecord> out) throws Exception {
    mirror(ctx.getBroadcastState(MOMENTS));
    int key = ctx.getCurrentKey();
    Run run = runs.get(key);
    if (run == null) {
      return;
    }
    boolean last = timestamp == Long.MAX_VALUE;
    place(run, last);
    long bound = last ? Long.MAX_VALUE : timestamp * MILLIS - LAG_NANOS;
    long endClock = end == null ? Long.MIN_VALUE : end.clockNanos;
    deliver(run, bound, last ? new Place(endClock, END_MAJOR) : null);
    if (!last) {
      // A removal whose pass has not come yet looks again a second later (the end of the input,
      // which fires every timer at once, places the rest).
      if (!run.unplaced.isEmpty() && ctx.timerService().currentWatermark() < Long.MAX_VALUE - 1000) {
        ctx.timerService().registerEventTimeTimer(timestamp + 1000);
      }
      return;
    }
    long endNanos = end == null ? Long.MIN_VALUE : end.timeNanos;
    run.detector.onEndOfInput(endNanos);
    run.last = new Place(endClock, END_MAJOR);
    deliver(run, Long.MAX_VALUE, null);
    List<Finding> findings = run.detector.findings();
    for (int i = 0; i < findings.size(); i++) {
      Finding f = findings.get(i);
      FindingRecord record = new FindingRecord(key, i, f.detector(), f.severity().ordinal(), f.firstSeenNanos(),
          f.target(), ONE_LINE.writeValueAsString(ReportBuilder.finding(f)));
      if (options.kafka() != null) {
        record.ecs = JsonLinesWriter.findingLine(ReportBuilder.finding(f), Version.get());
      }
      out.collect(record);
    }
    runs.remove(key);
  }

  /**
   * Places removals by expiry: at the first pass after their deadline; at the end of the input
   * ({@code last}), those no pass reached were drained.
   */
  private void place(Run run, boolean last) {
    // The earliest deadline meets a pass first, whatever its file: stop at the first that cannot be placed.
    while (!run.unplaced.isEmpty()) {
      Item item = run.unplaced.peek();
      // The rank's low bits: the ordinal of the frame that last touched the connection, in its file's range.
      TreeMap<Long, PacketRecord> own = passes.get(fileOf(item.record.minor & ((1L << 58) - 1)));
      Map.Entry<Long, PacketRecord> pass = own == null ? null : own.higherEntry(item.record.deadlineNanos);
      if (pass != null) {
        item.major = pass.getValue().ordinal * 4;
        item.release = pass.getKey();
        item.removedAt = pass.getKey();
        item.cause = RemovalCause.IDLE_TIMEOUT;
      } else if (last) {
        item.major = DRAIN_MAJOR;
        item.release = end == null ? Long.MIN_VALUE : end.clockNanos;
        item.removedAt = item.release;
        item.cause = RemovalCause.END_OF_INPUT;
      } else {
        return;
      }
      run.unplaced.poll();
      run.pending.add(item);
    }
  }

  /**
   * Hands the detector, in place order, the events and ticks whose clock is at most {@code bound}
   * and whose place comes before {@code stop} (null: no limit).
   */
  private void deliver(Run run, long bound, Place stop) throws java.io.IOException {
    Map.Entry<Place, PacketRecord> tick = ticks.higherEntry(run.last);
    while (true) {
      Item next = run.pending.peek();
      if (tick != null && tick.getKey().clock() <= bound && (stop == null || tick.getKey().compareTo(stop) < 0)
          && (next == null || next.comparePlace(tick.getKey()) > 0)) {
        run.detector.onTime(tick.getValue().timeNanos);
        run.last = tick.getKey();
        tick = ticks.higherEntry(tick.getKey());
        continue;
      }
      if (next == null || next.release > bound || (stop != null && next.comparePlace(stop) >= 0)) {
        return;
      }
      run.pending.poll();
      ConnectionEvent event = EventCodec.fromBytes(next.record.event, run.ids);
      if (next.cause != null && event instanceof ConnectionEvent.Removed removed) {
        event = EventCodec.withRemoval(removed,
            Math.max(next.removedAt, removed.connection().lastNanos()), next.cause);
      }
      run.detector.onEvent(event);
      if (event instanceof ConnectionEvent.Removed removed) {
        run.ids.release(removed.id());
      }
      if (next.comparePlace(run.last) > 0) {
        run.last = next.place();
      }
    }
  }
}
