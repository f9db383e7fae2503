package dev.synscope.engine;

import java.util.concurrent.BlockingQueue;

/**
 * Hand-offs between the analysis's threads that an interrupt does not break: the thread on the
 * other side waits for this item, so an interrupt is noted ({@code onInterrupt}: the caller
 * stops early) and the put or take goes on.
 */
final class Queues {
  private Queues() {}

  static <T> void put(BlockingQueue<T> queue, T item, Runnable onInterrupt) {
    while (true) {
      try {
        queue.put(item);
        return;
      } catch (InterruptedException e) {
        onInterrupt.run();
      }
    }
  }

  static <T> T take(BlockingQueue<T> queue, Runnable onInterrupt) {
    while (true) {
      try {
        return queue.take();
      } catch (InterruptedException e) {
        onInterrupt.run();
      }
    }
  }
}
