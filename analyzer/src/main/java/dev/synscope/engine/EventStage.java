package dev.synscope.engine;

import dev.synscope.detect.Detector;
import dev.synscope.flow.ConnectionEvent;
import dev.synscope.flow.ConsumerGroup;
import dev.synscope.flow.EventSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The event stage: the report's aggregates and the detectors, fed the one sequence of the flow
 * stage (events, the clock's ticks, the end of input, progress marks). On one thread, or as G
 * groups: group 0 (the report's aggregates) runs on the caller's thread, the detectors are dealt
 * to groups 1..G-1, each on a thread of its own, and every group sees the whole sequence in
 * order (batches of {@value #BATCH}, recycled, {@value #IN_FLIGHT} at most: a group that falls
 * behind holds up the caller, memory does not grow). A consumer's state is its own and its
 * connection attributes live in its group's columns ({@link ConsumerGroup}), so each consumer
 * computes exactly what it would on one thread. At a progress mark every group stops at the
 * same point of the sequence while the listener reads the findings.
 */
final class EventStage {
  static final int BATCH = 1024;
  private static final int IN_FLIGHT = 4;

  /** One group's consumers. */
  private static final class Group {
    final EventDispatcher dispatcher;
    final Detector[] clocked;

    Group(EventSink report, List<Detector> detectors) {
      dispatcher = new EventDispatcher(report, detectors);
      clocked = detectors.toArray(new Detector[0]);
    }
  }

  private static final class Batch {
    final Object[] items = new Object[BATCH];
    int size;
    boolean last;
    final AtomicInteger pending = new AtomicInteger();
  }

  private final Group[] groups;
  private final Consumer<Handoff.Mark> marks;
  private final StageTimes times;
  private final CyclicBarrier barrier;
  private final List<BlockingQueue<Batch>> queues = new ArrayList<>();
  private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(IN_FLIGHT);
  private final List<Thread> threads = new ArrayList<>();
  private Batch current;
  /** The mark the barrier's action hands to the listener (one at a time: the caller waits there). */
  private volatile Handoff.Mark atMark;
  private volatile Throwable failure;
  private volatile boolean cancelled;
  private boolean over;

  /**
   * @param groupCount groups (1: everything on the caller's thread)
   * @param marks the progress listener, called with every group stopped at the mark (may be null)
   */
  EventStage(EventSink report, List<Detector> detectors, int groupCount, Consumer<Handoff.Mark> marks,
      StageTimes times) {
    int g = Math.max(1, Math.min(groupCount, Math.min(ConsumerGroup.MAX_GROUPS, detectors.size() + 1)));
    this.marks = marks;
    this.times = times;
    groups = new Group[g];
    if (g == 1) {
      groups[0] = new Group(report, detectors);
    } else {
      // The report's aggregates with the merge on the caller's thread; the detectors dealt out.
      List<List<Detector>> dealt = new ArrayList<>();
      for (int i = 1; i < g; i++) {
        dealt.add(new ArrayList<>());
      }
      for (int i = 0; i < detectors.size(); i++) {
        dealt.get(i % (g - 1)).add(detectors.get(i));
      }
      groups[0] = new Group(report, List.of());
      for (int i = 1; i < g; i++) {
        groups[i] = new Group(event -> {}, dealt.get(i - 1));
      }
    }
    barrier = g == 1 ? null : new CyclicBarrier(g, () -> {
      if (marks != null) {
        marks.accept(atMark);
      }
    });
    if (g > 1) {
      for (int i = 0; i < IN_FLIGHT; i++) {
        free.add(new Batch());
      }
      current = new Batch();
    }
  }

  /** Starts the groups' threads (none with one group). */
  void start() {
    for (int i = 1; i < groups.length; i++) {
      BlockingQueue<Batch> q = new ArrayBlockingQueue<>(IN_FLIGHT + 1);
      queues.add(q);
      int group = i;
      Thread t = new ConsumerGroup.Thread(group, () -> runGroup(group, q), "synscope-events-" + group);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Hands the next item of the sequence to every group (group 0 now, on this thread). */
  void handle(Object item) {
    if (failure != null) {
      throw unchecked(failure);
    }
    if (groups.length == 1) {
      dispatch(groups[0], item);
      return;
    }
    Batch b = current;
    b.items[b.size++] = item;
    if (item instanceof Handoff.Mark m) {
      atMark = m;
      send(false); // the other groups must reach the mark too
    } else if (b.size == BATCH) {
      send(false);
    }
    dispatch(groups[0], item);
  }

  /** The sequence ended: the groups finish what they have, then their failure, if any, is thrown. */
  void finish() {
    end();
    if (failure != null) {
      throw unchecked(failure);
    }
  }

  /** The run stops early (a failure): the groups stop without handling the rest. */
  void cancel() {
    cancelled = true;
    if (barrier != null) {
      barrier.reset(); // groups waiting at a mark go on (and stop)
    }
    end();
  }

  private void end() {
    if (over) {
      return;
    }
    over = true;
    if (groups.length > 1) {
      send(true);
      for (Thread t : threads) {
        Analyzer.joinQuietly(t);
      }
    }
  }

  private void send(boolean last) {
    Batch b = current;
    b.last = last;
    b.pending.set(queues.size());
    for (BlockingQueue<Batch> q : queues) {
      Queues.put(q, b, () -> cancelled = true);
    }
    current = last ? null : Queues.take(free, () -> cancelled = true);
  }

  private void runGroup(int group, BlockingQueue<Batch> queue) {
    Group g = groups[group];
    while (true) {
      Batch b = Queues.take(queue, () -> cancelled = true);
      boolean last = b.last;
      for (int i = 0; i < b.size && !cancelled && failure == null; i++) {
        try {
          dispatch(g, b.items[i]);
        } catch (Throwable e) {
          fail(e);
        }
      }
      if (b.pending.decrementAndGet() == 0 && !last) {
        Arrays.fill(b.items, 0, b.size, null);
        b.size = 0;
        Queues.put(free, b, () -> cancelled = true);
      }
      if (last) {
        times.record("events-" + group);
        return;
      }
    }
  }

  private void dispatch(Group g, Object item) {
    if (item instanceof ConnectionEvent event) {
      g.dispatcher.accept(event);
    } else if (item instanceof Handoff.Tick t) {
      for (Detector d : g.clocked) {
        d.onTime(t.nanos());
      }
    } else if (item instanceof Handoff.EndOfInput e) {
      for (Detector d : g.clocked) {
        d.onEndOfInput(e.nanos());
      }
    } else if (item instanceof Handoff.Mark m) {
      if (barrier == null) {
        if (marks != null) {
          marks.accept(m);
        }
        return;
      }
      try {
        barrier.await(); // the last group to arrive calls the listener, the others wait for it
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancelled = true;
      } catch (BrokenBarrierException e) {
        cancelled = true; // a group failed, or the run was cancelled
      }
    }
  }

  private void fail(Throwable e) {
    if (failure == null) {
      failure = e;
    }
    cancelled = true;
    if (barrier != null) {
      barrier.reset();
    }
  }

  private static RuntimeException unchecked(Throwable e) {
    if (e instanceof RuntimeException r) {
      return r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    return new IllegalStateException(e);
  }
}
