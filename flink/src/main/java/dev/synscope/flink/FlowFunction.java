package dev.synscope.flink;

import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowTable;
import dev.synscope.flow.SnapshotCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The analyzer's flow table, keyed by the canonical 4-tuple: a key's connections (one, or two
 * while a port is reused) are its Flink keyed state, as the table's own checkpoint bytes
 * ({@link SnapshotCodec}: no Kryo). Each segment restores the key's table, runs the unchanged
 * state machine on it and stores it back; an event-time timer expires a key that goes silent.
 */
final class FlowFunction extends KeyedProcessFunction<String, PacketRecord, ConnectionRecord> {
  /** A key holds one connection, two while a 4-tuple is reused. */
  private static final FlowConfig CONFIG = FlowConfig.defaults().withMaxFlows(4);
  private static final long MILLIS = 1_000_000L;
  /** The longest idle timeout: after it, every connection of a silent key has left. */
  private static final long IDLE_NANOS = Math.max(CONFIG.establishedTimeoutNanos(),
      Math.max(CONFIG.halfOpenTimeoutNanos(), CONFIG.closedTimeoutNanos()));
  private static final long TIMER_STEP_MILLIS = 10_000;

  private transient ValueState<byte[]> state;
  private transient Collector<ConnectionRecord> out;

  @Override
  public void open(OpenContext context) {
    state = getRuntimeContext().getState(
        new ValueStateDescriptor<>("connections", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
  }

  @Override
  public void processElement(PacketRecord p, Context ctx, Collector<ConnectionRecord> collector) throws Exception {
    out = collector;
    FlowTable table = load();
    table.onSegment(p.segment);
    store(table);
    // Silent from now on: idle for the longest timeout, the key's table is asked to expire. The
    // time is rounded up to TIMER_STEP, so a busy key holds one timer per step, not one per
    // packet (Flink keeps one timer per key and time); a packet that comes before a timer fires
    // meets the table's own expiry first, so the rounding changes no result.
    long at = (p.segment.timestampNanos + IDLE_NANOS) / MILLIS + 1;
    ctx.timerService().registerEventTimeTimer((at / TIMER_STEP_MILLIS + 1) * TIMER_STEP_MILLIS);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ConnectionRecord> collector) throws Exception {
    // Fired as the watermark passes, the final one (the end of the input) included: the key's
    // latest timer lies beyond every timeout of its connections, so by then all have left.
    if (state.value() == null) {
      return; // every connection of the key has left already
    }
    out = collector;
    FlowTable table = load();
    table.expireAt(timestamp * MILLIS);
    store(table);
  }

  private FlowTable load() throws IOException {
    byte[] bytes = state.value();
    if (bytes == null) {
      return new FlowTable(CONFIG, this::emit);
    }
    return FlowTable.restore(CONFIG, this::emit,
        SnapshotCodec.read(new DataInputStream(new ByteArrayInputStream(bytes))));
  }

  private void store(FlowTable table) throws IOException {
    if (table.size() == 0) {
      state.clear();
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    SnapshotCodec.write(table.snapshot(), new DataOutputStream(bytes));
    state.update(bytes.toByteArray());
  }

  private void emit(ConnectionEvent event) {
    if (event instanceof ConnectionEvent.Removed removed) {
      out.collect(ConnectionRecord.of(removed.connection()));
    }
  }
}
