package dev.synscope.flink;

import dev.synscope.detect.Detector;
import dev.synscope.detect.Detectors;
import dev.synscope.flow.ByteInput;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventCodec;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowTable;
import dev.synscope.flow.SnapshotCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The analyzer's flow table, keyed by the canonical 4-tuple: a key's connections (one, or two
 * while a port is reused) are its Flink keyed state, as the table's own checkpoint bytes
 * ({@link SnapshotCodec}: no Kryo). Each segment restores the key's table, runs the unchanged
 * state machine on the capture's clock and stores it back.
 *
 * <p>Expiry follows the whole table's: {@code synscope analyze} removes an idle connection in the
 * first expiry pass after its deadline (last touch + timeout). A segment that comes after such a
 * pass ({@link PacketRecord#lastPassNanos}) first removes what fell due; a key that falls silent
 * is expired by an event-time timer once the watermark proves a pass has run (the clock reached
 * deadline + 1 s, and passes run at least once a second of it). Either way the removal leaves
 * unplaced, with its deadline: the detector operator places it at its pass. The end of the input
 * (the final watermark) ends every connection still held.
 *
 * <p>Each event goes to the detectors that take its type ({@link Detector#events()}), one record
 * per detector, keyed by the detector downstream; every connection that leaves also goes to the
 * {@link #CONNECTIONS} side output.
 */
final class FlowFunction extends KeyedProcessFunction<String, PacketRecord, EventRecord> {
  static final OutputTag<ConnectionRecord> CONNECTIONS = new OutputTag<>("connections") {};
  /** A key holds one connection, two while a 4-tuple is reused. */
  private static final FlowConfig CONFIG = FlowConfig.defaults().withMaxFlows(4);
  private static final long MILLIS = 1_000_000L;
  private static final long SECOND_MILLIS = 1000;
  /** Passes run at least once a second of the clock. */
  private static final long PASS_STEP_NANOS = FlowTable.nextExpiryAfter(0);

  private final JobOptions options;
  private transient ValueState<byte[]> state;
  private transient int[] detectorIndex;
  private transient List<Set<Class<? extends ConnectionEvent>>> wants;
  private transient Context context;
  private transient Collector<EventRecord> out;
  /** Where the events being made go: the frame's ordinal, or -1 for removals by expiry. */
  private transient long ordinal;
  private transient long clock;
  private transient int seq;
  private transient FlowTable table;
  /**
   * The tables of the keys seen last, as they are in the keyed state: a connection's packets
   * come in bursts, and restoring its table from bytes for each was most of this operator's
   * time. The state stays the truth (written after every change, read on a miss).
   */
  private transient java.util.LinkedHashMap<String, FlowTable> recent;
  private transient ByteArrayOutputStream buffer;
  /** Whether {@link #table} came from {@link #recent} (then it is there already, just moved up). */
  private transient boolean fromRecent;

  FlowFunction(JobOptions options) {
    this.options = options;
  }

  private static final int RECENT_TABLES = 8192;

  @Override
  public void open(OpenContext context) {
    recent = new java.util.LinkedHashMap<>(RECENT_TABLES * 2, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(java.util.Map.Entry<String, FlowTable> eldest) {
        return size() > RECENT_TABLES;
      }
    };
    buffer = new ByteArrayOutputStream(1024);
    state = getRuntimeContext().getState(
        new ValueStateDescriptor<>("connections", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    List<Detector> detectors = Detectors.create(options.detectors(), options.params());
    List<Detectors.Entry> all = Detectors.all();
    detectorIndex = new int[detectors.size()];
    wants = new java.util.ArrayList<>();
    for (int i = 0; i < detectors.size(); i++) {
      String id = detectors.get(i).id();
      for (int k = 0; k < all.size(); k++) {
        if (all.get(k).id().equals(id)) {
          detectorIndex[i] = k;
        }
      }
      wants.add(detectors.get(i).events());
    }
  }

  @Override
  public void processElement(PacketRecord p, Context ctx, Collector<EventRecord> collector) throws Exception {
    context = ctx;
    out = collector;
    table = load(ctx.getCurrentKey());
    if (table.size() > 0 && p.lastPassNanos > table.nextDeadlineNanos()) {
      // A pass ran since a connection of this key fell due: the whole table removed it then.
      placeRemovals();
      table.expireAt(p.lastPassNanos);
    }
    ordinal = p.ordinal;
    clock = p.clockNanos;
    seq = 0;
    table.onSegment(p.segment, p.clockNanos);
    schedule(ctx);
    store(ctx.getCurrentKey());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EventRecord> collector) throws Exception {
    if (state.value() == null) {
      return; // every connection of the key has left already
    }
    context = ctx;
    out = collector;
    table = load(ctx.getCurrentKey());
    placeRemovals();
    if (timestamp == Long.MAX_VALUE || ctx.timerService().currentWatermark() == Long.MAX_VALUE) {
      table.drain(); // the end of the input; the detector operator tells a drain from a late pass
    } else {
      // The watermark has passed `timestamp`: the clock reached it, so every connection due by
      // a second before it has met a pass.
      long dueBefore = timestamp * MILLIS - PASS_STEP_NANOS + 1;
      if (table.nextDeadlineNanos() < dueBefore) {
        table.expireAt(dueBefore);
      }
    }
    schedule(ctx);
    store(ctx.getCurrentKey());
  }

  /** One timer per key: a whole second, once the clock has passed the earliest deadline by a second. */
  private void schedule(Context ctx) {
    long deadline = table.nextDeadlineNanos();
    if (deadline == Long.MAX_VALUE) {
      return;
    }
    long at = Math.floorDiv(deadline + PASS_STEP_NANOS, MILLIS) + 1;
    ctx.timerService().registerEventTimeTimer((Math.floorDiv(at, SECOND_MILLIS) + 1) * SECOND_MILLIS);
    // The end of the input fires every timer: the last one drains what is left.
    ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
  }

  /** The removals that follow are by expiry (or the drain): their pass is found downstream. */
  private void placeRemovals() {
    ordinal = EventRecord.UNPLACED;
  }

  private FlowTable load(String key) throws IOException {
    FlowTable cached = recent.get(key);
    fromRecent = cached != null;
    if (fromRecent) {
      return cached;
    }
    byte[] bytes = state.value();
    if (bytes == null) {
      return new FlowTable(CONFIG, this::emit);
    }
    return FlowTable.restore(CONFIG, this::emit, SnapshotCodec.read(new ByteInput(bytes)));
  }

  private void store(String key) throws IOException {
    if (table.size() == 0) {
      recent.remove(key);
      state.clear();
      return;
    }
    if (!fromRecent) {
      recent.put(key, table);
    }
    buffer.reset();
    SnapshotCodec.write(table.snapshot(), new DataOutputStream(buffer));
    state.update(buffer.toByteArray());
  }

  private void emit(ConnectionEvent event) {
    boolean unplaced = ordinal == EventRecord.UNPLACED;
    long major = unplaced ? EventRecord.UNPLACED : ordinal * 4 + 1;
    long minor = unplaced ? table.removalRank() : seq++;
    long deadline = unplaced ? table.removalDeadlineNanos() : Long.MIN_VALUE;
    long release = unplaced ? deadline : clock;
    byte[] bytes = null;
    for (int i = 0; i < detectorIndex.length; i++) {
      Set<Class<? extends ConnectionEvent>> types = wants.get(i);
      if (types == null || types.contains(event.getClass())) {
        if (bytes == null) {
          bytes = EventCodec.toBytes(event);
        }
        out.collect(new EventRecord(detectorIndex[i], major, minor, release, deadline, bytes));
      }
    }
    if (event instanceof ConnectionEvent.Removed removed) {
      try {
        context.output(CONNECTIONS, ConnectionRecord.of(removed.connection(), options.kafka() != null));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e); // a string does not fail
      }
    }
  }
}
