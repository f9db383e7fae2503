package dev.synscope.engine;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Items in increasing key order from one producer thread to one consumer, in recycled chunks of
 * {@value #CHUNK} (one hand-off per chunk, nothing allocated per item), at most
 * {@value #IN_FLIGHT} + 1 chunks at once: a producer that runs ahead waits, memory does not grow.
 * A key is two longs (major, minor), compared in that order. Each chunk carries a watermark: no
 * later item of the stream has a major key below it, so a consumer merging several streams
 * knows when an exhausted stream cannot hold anything smaller.
 */
final class KeyedStream {
  static final int CHUNK = 512;
  private static final int IN_FLIGHT = 3;

  static final class Chunk {
    final long[] majors = new long[CHUNK];
    final long[] minors = new long[CHUNK];
    final Object[] items = new Object[CHUNK];
    int size;
    long watermark;
    boolean last;
  }

  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
  private final BlockingQueue<Chunk> empty = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
  /** The producer's chunk being filled. */
  private Chunk filling = new Chunk();
  /** Told when a blocking call is interrupted (the stream keeps going; its owner decides). */
  private final Runnable onInterrupt;

  // The consumer's side.
  private Chunk reading;
  private int at;
  private boolean ended;

  KeyedStream(Runnable onInterrupt) {
    this.onInterrupt = onInterrupt;
    for (int i = 0; i < IN_FLIGHT; i++) {
      empty.add(new Chunk());
    }
  }

  // --- the producer's side

  void add(long major, long minor, Object item) {
    Chunk c = filling;
    int n = c.size;
    c.majors[n] = major;
    c.minors[n] = minor;
    c.items[n] = item;
    c.size = n + 1;
    if (n + 1 == CHUNK) {
      publish(major, false); // a later item's major is at least this one's
    }
  }

  /** Items in the chunk being filled. */
  int filled() {
    return filling.size;
  }

  /**
   * Sends the chunk being filled (possibly empty) with {@code watermark}: every later item's
   * major key is at least that. The {@code last} chunk ends the stream.
   */
  void publish(long watermark, boolean last) {
    Chunk c = filling;
    c.watermark = watermark;
    c.last = last;
    put(c);
    filling = last ? null : take(empty);
  }

  // --- the consumer's side

  /** An item is at hand ({@link #major()}, {@link #minor()}, {@link #next()} read it). */
  boolean hasItem() {
    return reading != null && at < reading.size;
  }

  /** The stream sent its last chunk and every item of it has been read. */
  boolean ended() {
    return ended;
  }

  /** With no item at hand: no later item has a major key below this (Long.MIN_VALUE before the first chunk). */
  long watermark() {
    return reading == null ? Long.MIN_VALUE : reading.watermark;
  }

  long major() {
    return reading.majors[at];
  }

  long minor() {
    return reading.minors[at];
  }

  Object next() {
    Object item = reading.items[at];
    reading.items[at++] = null; // the event may go once handled
    return item;
  }

  /**
   * With no item at hand, takes the chunks already sent until one has an item; with {@code wait},
   * waits for one chunk first if none is there. A chunk may carry no item, only a later
   * watermark, so a caller that waited must look again: waiting on until an item comes would
   * wait for a producer that may itself be waiting for the caller. Returns whether an item or
   * the end is now at hand.
   */
  boolean refill(boolean wait) {
    boolean mayWait = wait;
    while (!hasItem() && !ended) {
      if (reading != null && reading.last) {
        ended = true;
        break;
      }
      Chunk next = mayWait ? take(full) : full.poll();
      mayWait = false;
      if (next == null) {
        return false;
      }
      if (reading != null) {
        recycle(reading);
      }
      reading = next;
      at = 0;
    }
    return true;
  }

  private void recycle(Chunk c) {
    Arrays.fill(c.items, 0, c.size, null);
    c.size = 0;
    c.last = false;
    put(empty, c);
  }

  private void put(Chunk c) {
    put(full, c);
  }

  private void put(BlockingQueue<Chunk> queue, Chunk c) {
    Queues.put(queue, c, onInterrupt);
  }

  private Chunk take(BlockingQueue<Chunk> queue) {
    return Queues.take(queue, onInterrupt);
  }
}
