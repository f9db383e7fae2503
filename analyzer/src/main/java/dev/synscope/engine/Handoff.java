package dev.synscope.engine;

import dev.synscope.flow.ConnectionEvent;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Carries the flow stage's output to the event stage on another thread: connection events, the
 * clock's once-a-second ticks and the end of input, in the order they were made, in batches of
 * {@value #BATCH} (one hand-off per batch, not per event; batches are recycled, so nothing is
 * allocated per event but the events themselves). A bounded number of batches in flight makes
 * the flow stage wait when the event stage falls behind: memory does not grow with the lag.
 */
final class Handoff {
  static final int BATCH = 1024;
  /** Batches in flight: 4 × 1024 events at most between the two stages (a few MB of Removed events). */
  private static final int IN_FLIGHT = 4;

  /** Packet time for the detectors, where one thread would have called onTime. */
  record Tick(long nanos) {}

  /** The input ended here: onEndOfInput, then the table's last Removed events follow. */
  record EndOfInput(long nanos) {}

  /**
   * The flow stage's counters where one thread would have called the progress listener: the
   * event stage calls it here, with these and the detectors' findings of that moment.
   */
  record Mark(long frames, long tcpSegments, int activeConnections, long packetTimeNanos) {}

  private static final class Batch {
    final Object[] items = new Object[BATCH];
    int size;
    boolean last;
  }

  private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(IN_FLIGHT);
  private final BlockingQueue<Batch> empty = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
  private Batch current;
  private volatile boolean cancelled;
  private volatile Throwable failure;
  /** The event stage has taken the last batch. */
  private boolean over;

  Handoff() {
    for (int i = 0; i < IN_FLIGHT; i++) {
      empty.add(new Batch());
    }
    current = new Batch();
  }

  // --- the flow stage's side

  void add(ConnectionEvent event) {
    put(event);
  }

  void tick(long packetNanos) {
    put(new Tick(packetNanos));
  }

  void endOfInput(long packetNanos) {
    put(new EndOfInput(packetNanos));
  }

  /**
   * A progress moment: the batch goes now, so that a live capture's listener (status, findings)
   * is not kept waiting for a full batch of a quiet link's events.
   */
  void progress(Mark mark) {
    put(mark);
    if (current.size > 0) {
      send();
      current = take(empty);
    }
  }

  /** The flow stage failed: the event stage rethrows this once it has handled what came before. */
  void fail(Throwable e) {
    failure = e;
  }

  /** The flow stage is over (ended, failed or cancelled): sends what is left. */
  void done() {
    current.last = true;
    send();
  }

  boolean cancelled() {
    return cancelled;
  }

  private void put(Object item) {
    Batch b = current;
    b.items[b.size++] = item;
    if (b.size == BATCH) {
      send();
      current = take(empty);
    }
  }

  private void send() {
    Batch b = current;
    Queues.put(full, b, () -> cancelled = true); // the event stage waits for the last batch
  }

  private Batch take(BlockingQueue<Batch> queue) {
    return Queues.take(queue, () -> cancelled = true);
  }

  // --- the event stage's side

  /** Hands everything the flow stage sends to the event stage, in order, until its last batch. */
  void consume(EventStage events) {
    while (true) {
      Batch b = take(full);
      Object[] items = b.items;
      for (int i = 0; i < b.size; i++) {
        events.handle(items[i]);
      }
      if (b.last) {
        over = true;
        return;
      }
      Arrays.fill(items, 0, b.size, null); // the events may go
      b.size = 0;
      empty.add(b);
    }
  }

  /**
   * The event stage stops (done, or failed): a flow stage still running stops at its next frame,
   * and its batches are taken so that it never waits for room.
   */
  void cancel() {
    cancelled = true;
    while (!over) {
      Batch b = take(full);
      if (b.last) {
        over = true;
        return;
      }
      Arrays.fill(b.items, 0, b.size, null);
      b.size = 0;
      empty.add(b);
    }
  }

  /** Rethrows the flow stage's failure as the one thread would have thrown it. */
  void rethrow() throws IOException {
    rethrow(failure);
  }

  /** Rethrows another thread's failure ({@code e}, or nothing when null) as the caller's own. */
  static void rethrow(Throwable e) throws IOException {
    if (e == null) {
      return;
    }
    if (e instanceof IOException io) {
      throw io;
    }
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(e);
  }
}
