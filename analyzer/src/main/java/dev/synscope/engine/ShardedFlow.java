package dev.synscope.engine;

import dev.synscope.decode.Segment;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.EventSink;
import dev.synscope.flow.FlowConfig;
import dev.synscope.flow.FlowStats;
import dev.synscope.flow.FlowTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The flow stage on several threads: the reader hands each decoded segment to one of N shards by
 * a hash of its connection's canonical 4-tuple, and each shard runs its own flow table and state
 * machine. Their events come back together, before the event stage, in exactly the order one
 * table would have made them:
 *
 * <ul>
 *   <li>The reader keeps the clock (the latest packet time of the whole capture) and decides,
 *       as one table would, when expiry runs; it tells every shard, in its place in the frame
 *       sequence (a watermark: an idle shard still expires), and gives each segment the clock of
 *       its moment. Connections are numbered by the frame that starts them, not by a counter.
 *   <li>Every event carries a key: the ordinal of the frame it was made for, a section (expiry
 *       before the frame's segment, the segment's own events, the clock's tick after it, a
 *       progress mark), and within an expiry pass its {@link FlowTable#removalRank rank}. One
 *       frame goes to one shard, and an idle list is in touch order, so merging the shards'
 *       streams by key restores the single table's sequence.
 *   <li>Segments go to the shards in rounds of at most {@value #ROUND} (copied into the round's
 *       own recycled segments: nothing allocated per packet), {@value #ROUNDS} rounds at most;
 *       events come back in {@link KeyedStream}s, one per shard and one for the reader's ticks
 *       and marks, each bounded: whoever runs ahead waits, nothing is dropped, and memory does
 *       not grow with the lag, not even when a mass expiry removes a whole flood at once.
 * </ul>
 *
 * <p>The flow-table budget is shared: shard i holds {@code maxFlows / N} connections (the
 * remainder to the first shards). A shard that fills up enters emergency mode and evicts on its
 * own, among its own connections: under memory pressure, which connection goes depends on the
 * number of shards (the report counts it as always). Otherwise the report is byte-identical to
 * one thread's.
 */
final class ShardedFlow implements FlowStage {
  /** Segments a round carries at most. */
  static final int ROUND = 2048;
  /** Rounds between the reader and the shards. */
  private static final int ROUNDS = 4;
  private static final byte SEGMENT = 0;
  private static final byte EXPIRE = 1;
  private static final byte DRAIN = 2;
  // Sections of a frame's key: major = ordinal * 4 + section.
  private static final int S_EXPIRY = 0;
  private static final int S_SEGMENT = 1;
  private static final int S_TICK = 2;
  private static final int S_MARK = 3;
  /** A shard's table took a new connection (the event stage counts the connections held). */
  private static final Object INSERTED = new Object();

  /** What one shard is given in one round, in frame order. */
  private static final class Input {
    byte[] kinds = new byte[256];
    long[] ordinals = new long[256];
    long[] clocks = new long[256];
    Segment[] segments = new Segment[256];
    int size;

    void add(byte kind, long ordinal, long clock, Segment s) {
      if (size == kinds.length) {
        int n = size * 2;
        kinds = Arrays.copyOf(kinds, n);
        ordinals = Arrays.copyOf(ordinals, n);
        clocks = Arrays.copyOf(clocks, n);
        segments = Arrays.copyOf(segments, n);
      }
      kinds[size] = kind;
      ordinals[size] = ordinal;
      clocks[size] = clock;
      if (s != null) {
        Segment copy = segments[size];
        if (copy == null) {
          copy = new Segment(); // once per slot; slots are recycled with their round
          segments[size] = copy;
        }
        copy.copyFrom(s);
      }
      size++;
    }
  }

  private static final class Round {
    final Input[] inputs;
    int segments;
    /** Every frame of the round is at or before this ordinal. */
    long lastOrdinal;
    boolean last;
    /** Shards yet to process the round; the last one recycles it. */
    final AtomicInteger pending = new AtomicInteger();

    Round(int shards) {
      inputs = new Input[shards];
      for (int i = 0; i < shards; i++) {
        inputs[i] = new Input();
      }
    }

    void reset() {
      for (Input in : inputs) {
        in.size = 0;
      }
      segments = 0;
      last = false;
    }
  }

  /** A shard's table writes its events here, each with the key of the moment it is made at. */
  private static final class ShardSink implements EventSink {
    FlowTable table;
    KeyedStream out;
    long major;
    long seq;
    boolean ranked;

    @Override
    public void accept(ConnectionEvent event) {
      out.add(major, ranked ? table.removalRank() : seq++, event);
    }
  }

  private final int shards;
  private final FlowTable[] tables;
  private final ShardSink[] sinks;
  private final List<BlockingQueue<Round>> toShards = new ArrayList<>();
  private final BlockingQueue<Round> free = new ArrayBlockingQueue<>(ROUNDS);
  /** One per shard, then the reader's control stream (ticks, marks, the end of input). */
  private final KeyedStream[] streams;
  private final KeyedStream control;
  private final Thread[] threads;
  private final StageTimes times;
  private Round current;
  private volatile boolean cancelled;
  private volatile Throwable failure;

  // The reader's clock: as one table's, over every segment.
  private long clock = Long.MIN_VALUE;
  private long nextExpiry = Long.MIN_VALUE;
  private long lastOrdinal;
  private long controlSeq;

  // The event stage's count of the connections held (all shards), for marks and the peak.
  private int held;
  private int peak;

  ShardedFlow(FlowConfig config, int shards, StageTimes times) {
    this.times = times;
    if (shards < 1) {
      throw new IllegalArgumentException("at least one shard");
    }
    this.shards = shards;
    tables = new FlowTable[shards];
    sinks = new ShardSink[shards];
    streams = new KeyedStream[shards + 1];
    threads = new Thread[shards];
    int total = config.maxFlows();
    for (int i = 0; i < shards; i++) {
      // The budget is shared, not multiplied: the shards' capacities add up to the table's.
      int max = Math.max(1, total / shards + (i < total % shards ? 1 : 0));
      streams[i] = new KeyedStream(this::cancelOnInterrupt);
      sinks[i] = new ShardSink();
      sinks[i].out = streams[i];
      tables[i] = new FlowTable(config.withMaxFlows(max), sinks[i]);
      sinks[i].table = tables[i];
      toShards.add(new ArrayBlockingQueue<>(ROUNDS + 1));
    }
    control = new KeyedStream(this::cancelOnInterrupt);
    streams[shards] = control;
    for (int i = 0; i < ROUNDS - 1; i++) {
      free.add(new Round(shards));
    }
    current = new Round(shards);
  }

  /** Starts the shards' threads. */
  void start() {
    for (int i = 0; i < shards; i++) {
      int shard = i;
      Thread t = new Thread(() -> runShard(shard), "synscope-shard-" + i);
      t.setDaemon(true);
      threads[i] = t;
      t.start();
    }
  }

  // --- the reader's side

  /** Which shard tracks a segment's connection: the high bits of its key hash (the table uses the low). */
  int shardOf(Segment s) {
    return (int) (((FlowTable.keyHash(s) & 0xffffffffL) * shards) >>> 32);
  }

  @Override
  public void onSegment(Segment s) {
    if (s.timestampNanos > clock) {
      clock = s.timestampNanos;
    }
    lastOrdinal = s.ordinal;
    Round r = current;
    if (clock >= nextExpiry) {
      for (Input in : r.inputs) {
        in.add(EXPIRE, s.ordinal, clock, null);
      }
      nextExpiry = FlowTable.nextExpiryAfter(clock);
    }
    r.inputs[shardOf(s)].add(SEGMENT, s.ordinal, clock, s);
    if (++r.segments == ROUND) {
      send(false);
    }
  }

  @Override
  public long packetTimeNanos() {
    return clock;
  }

  @Override
  public int size() {
    int n = 0;
    for (FlowTable t : tables) {
      n += t.size(); // another thread's counter: good enough for a progress line
    }
    return n;
  }

  /** The detectors' clock after frame {@code ordinal}, where one thread would tick it. */
  void tick(long ordinal, long packetNanos) {
    lastOrdinal = ordinal;
    control(ordinal * 4 + S_TICK, new Handoff.Tick(packetNanos));
  }

  /**
   * A progress moment after frame {@code mark.frames()}: the event stage calls its listener
   * there, with the connections held at that point. The round goes now, so that a live
   * capture's listener is not kept waiting for a full round of a quiet link.
   */
  void progress(Handoff.Mark mark) {
    lastOrdinal = mark.frames();
    control(mark.frames() * 4 + S_MARK, mark);
    send(false);
  }

  /** The input ended; {@code ordinal} is one past the last frame. */
  void endOfInput(long ordinal, long packetNanos) {
    lastOrdinal = ordinal;
    control(ordinal * 4 + S_MARK, new Handoff.EndOfInput(packetNanos));
  }

  /** Every shard reports what it still holds, after everything before {@code ordinal}. */
  void drain(long ordinal) {
    lastOrdinal = ordinal;
    for (Input in : current.inputs) {
      in.add(DRAIN, ordinal, clock, null);
    }
  }

  /** The reader is over (ended, failed or cancelled): sends what is left and ends the streams. */
  void done() {
    send(true);
  }

  void fail(Throwable e) {
    if (failure == null) {
      failure = e;
    }
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  /**
   * Adds to the control stream. Its chunks go only with a round (never alone when full): an item
   * the event stage could see before the shards have the round of its frame would make it wait
   * for them while the reader waits for room.
   */
  private void control(long major, Object item) {
    control.add(major, controlSeq++, item);
    if (control.filled() == KeyedStream.CHUNK - 1) {
      send(false);
    }
  }

  private void send(boolean last) {
    Round r = current;
    r.last = last;
    r.lastOrdinal = lastOrdinal;
    r.pending.set(shards); // published to the shards by their queues
    for (BlockingQueue<Round> q : toShards) {
      put(q, r);
    }
    // The reader's next control items come after this frame's tick: major >= lastOrdinal * 4 + 2.
    control.publish(lastOrdinal * 4 + S_TICK, last);
    if (!last) {
      current = take(free);
    }
  }

  // --- the shards' side

  private void runShard(int i) {
    FlowTable table = tables[i];
    ShardSink sink = sinks[i];
    BlockingQueue<Round> queue = toShards.get(i);
    while (true) {
      Round r = take(queue);
      boolean last = r.last;
      long end = r.lastOrdinal;
      if (!cancelled) {
        try {
          process(table, sink, r.inputs[i]);
        } catch (Throwable e) {
          fail(e);
        }
      }
      if (r.pending.decrementAndGet() == 0 && !last) {
        r.reset();
        put(free, r);
      }
      // Everything this shard makes from now on is for a later frame.
      sink.out.publish((end + 1) * 4, last);
      if (last) {
        times.record("shard-" + i);
        return;
      }
    }
  }

  private static void process(FlowTable table, ShardSink sink, Input in) {
    byte[] kinds = in.kinds;
    for (int k = 0; k < in.size; k++) {
      long major = in.ordinals[k] * 4;
      switch (kinds[k]) {
        case SEGMENT -> {
          sink.major = major + S_SEGMENT;
          sink.ranked = false;
          long created = table.connectionsCreated();
          table.onSegment(in.segments[k], in.clocks[k]);
          if (table.connectionsCreated() != created) {
            sink.out.add(sink.major, sink.seq++, INSERTED);
          }
        }
        case EXPIRE -> {
          sink.major = major + S_EXPIRY;
          sink.ranked = true;
          table.expireAt(in.clocks[k]);
        }
        default -> {
          sink.major = major + S_EXPIRY;
          sink.ranked = true;
          table.drain();
        }
      }
    }
  }

  // --- the event stage's side

  /**
   * Merges the streams by key and handles each item, until every stream has ended. An exhausted
   * stream is waited for only when its watermark leaves room for an item before the smallest
   * one at hand: a shard with nothing to say never holds up the others.
   */
  void consume(EventStage events) {
    KeyedStream[] in = streams;
    while (failure == null) {
      int best = -1;
      long bestMajor = 0;
      long bestMinor = 0;
      for (int s = 0; s < in.length; s++) {
        KeyedStream st = in[s];
        if (!st.hasItem()) {
          st.refill(false);
        }
        if (st.hasItem()) {
          long major = st.major();
          if (best < 0 || major < bestMajor || (major == bestMajor && st.minor() < bestMinor)) {
            best = s;
            bestMajor = major;
            bestMinor = st.minor();
          }
        }
      }
      KeyedStream behind = null;
      for (KeyedStream st : in) {
        if (!st.hasItem() && !st.ended() && (best < 0 || st.watermark() <= bestMajor)) {
          behind = st;
          break;
        }
      }
      if (behind != null) {
        behind.refill(true); // it may still send something smaller: wait for it
        continue;
      }
      if (best < 0) {
        return; // every stream ended
      }
      handle(in[best].next(), events);
    }
  }

  private void handle(Object item, EventStage events) {
    if (item == INSERTED) {
      if (++held > peak) {
        peak = held;
      }
      return;
    }
    if (item instanceof ConnectionEvent.Removed) {
      held--;
    } else if (item instanceof Handoff.Mark m) {
      item = new Handoff.Mark(m.frames(), m.tcpSegments(), held, m.packetTimeNanos()); // held here, in the sequence
    }
    events.handle(item);
  }

  /**
   * The event stage stops (done, failed, or a shard failed): the reader stops at its next frame,
   * and every stream is read to its end so that nobody waits for room.
   */
  void cancel() {
    cancelled = true;
    boolean open = true;
    while (open) {
      // Round-robin, never waiting on one stream: a shard waiting for room holds up the reader,
      // and with it every other shard.
      open = false;
      boolean moved = false;
      for (KeyedStream st : streams) {
        while (st.hasItem()) {
          st.next();
          moved = true;
        }
        st.refill(false);
        if (!st.ended()) {
          open = true;
          moved |= st.hasItem();
        }
      }
      if (open && !moved) {
        Thread.onSpinWait();
        Thread.yield();
      }
    }
  }

  /** Waits for the shards' threads (after their last round). */
  void join() {
    for (Thread t : threads) {
      if (t != null) {
        Analyzer.joinQuietly(t);
      }
    }
  }

  /** Rethrows a shard's or the reader's failure as one thread would have thrown it. */
  void rethrow() throws IOException {
    Handoff.rethrow(failure);
  }

  /** The shards' counters as one table's (after {@link #join}). */
  FlowStats stats() {
    long created = 0;
    long expired = 0;
    long evicted = 0;
    long reuses = 0;
    long endOfInput = 0;
    int max = 0;
    List<FlowStats.Emergency> emergencies = new ArrayList<>();
    for (FlowTable t : tables) {
      FlowStats s = t.stats();
      created += s.created();
      expired += s.expired();
      evicted += s.evicted();
      reuses += s.portReuses();
      endOfInput += s.endOfInput();
      max += s.maxFlows();
      emergencies.addAll(s.emergencies());
    }
    return new FlowStats(created, expired, evicted, reuses, endOfInput, peak, max, union(emergencies));
  }

  /** The shards' emergency spans as the table's: overlapping spans are one, with their counts added. */
  static List<FlowStats.Emergency> union(List<FlowStats.Emergency> spans) {
    List<FlowStats.Emergency> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingLong(FlowStats.Emergency::startNanos));
    List<FlowStats.Emergency> out = new ArrayList<>();
    for (FlowStats.Emergency e : sorted) {
      int n = out.size();
      FlowStats.Emergency prev = n == 0 ? null : out.get(n - 1);
      if (prev != null && e.startNanos() <= prev.endNanos()) {
        out.set(n - 1, new FlowStats.Emergency(prev.startNanos(), Math.max(prev.endNanos(), e.endNanos()),
            prev.open() || e.open(), prev.evicted() + e.evicted(), prev.expiredEarly() + e.expiredEarly()));
      } else {
        out.add(e);
      }
    }
    return List.copyOf(out);
  }

  private void put(BlockingQueue<Round> queue, Round r) {
    Queues.put(queue, r, this::cancelOnInterrupt);
  }

  private Round take(BlockingQueue<Round> queue) {
    return Queues.take(queue, this::cancelOnInterrupt);
  }

  private void cancelOnInterrupt() {
    cancelled = true;
  }
}
