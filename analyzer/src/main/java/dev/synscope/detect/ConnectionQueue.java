package dev.synscope.detect;

import dev.synscope.flow.ConnectionAttribute;
import dev.synscope.flow.FlowId;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * Connections with a time, in insertion order and bounded (the oldest leaves first), like a
 * {@code LinkedHashMap<FlowId, Long>} with {@code removeEldestEntry}: but each entry hangs on its
 * connection's {@link FlowId}, so finding or removing one is a field read instead of a hash
 * lookup, and the time is not boxed.
 *
 * <p>Queues are grouped by an owner (one detector instance): a connection belongs to at most one
 * queue of an owner, found from the connection alone ({@link #removeFrom}). An entry that leaves
 * its queue stays on the connection, so the owner still knows it saw it ({@link #knows}); it goes
 * with the FlowId. Other owners (two instances of one detector on the same events) keep their own
 * entries, chained on the FlowId.
 *
 * <p>A queue serialises its entries in order and links them again when read: following the links
 * would take a stack frame per entry.
 */
final class ConnectionQueue implements Serializable {
  /** Static, so shared: a deserialised entry chain is found again under this key. */
  private static final ConnectionAttribute<Entry> ENTRIES = ConnectionAttribute.shared("connection-queue.entries");

  /** One connection in one queue; also a link in its FlowId's chain of entries. */
  static final class Entry implements Serializable {
    private final ConnectionQueue queue;
    /** The queue's owner, copied: matching it is then one read less per lookup. */
    private final Object owner;
    /** Null once the entry has left its queue: it then only says that the owner saw it. */
    private FlowId id;
    private long time;
    private boolean queued;
    private transient Entry prev;
    private transient Entry next;
    /** The connection's entry in another owner's queue. */
    private Entry sibling;

    private Entry(ConnectionQueue queue, FlowId id, long time) {
      this.queue = queue;
      this.owner = queue.owner;
      this.id = id;
      this.time = time;
    }

    FlowId id() {
      return id;
    }

    long time() {
      return time;
    }

    /** The next entry of the queue, in insertion order, or null. */
    Entry next() {
      return next;
    }
  }

  /** What an owner's queues went through together: the most one held, and those pushed out. */
  static final class Counters implements Serializable {
    long peak;
    long pushedOut;
  }

  private final Object owner;
  private final int capacity;
  private final Counters counters;
  private transient Entry head;
  private transient Entry tail;
  private int size;

  ConnectionQueue(Object owner, int capacity) {
    this(owner, capacity, new Counters());
  }

  ConnectionQueue(Object owner, int capacity, Counters counters) {
    this.owner = owner;
    this.capacity = capacity;
    this.counters = counters;
  }

  /** The entry of {@code id} in one of {@code owner}'s queues, or null. */
  private static Entry owned(FlowId id, Object owner) {
    for (Entry e = id.get(ENTRIES); e != null; e = e.sibling) {
      if (e.owner == owner) return e;
    }
    return null;
  }

  /** Adds {@code id} at the end, or only updates its time if queued (its place is kept). */
  void put(FlowId id, long time) {
    Entry e = owned(id, owner);
    if (e == null) {
      e = new Entry(this, id, time);
      e.sibling = id.get(ENTRIES);
      id.set(ENTRIES, e);
    } else if (e.queue != this) {
      throw new IllegalStateException(id + " belongs to another queue of the same owner");
    }
    e.time = time;
    if (e.queued) {
      return;
    }
    e.id = id;
    e.queued = true;
    e.prev = tail;
    if (tail == null) head = e;
    else tail.next = e;
    tail = e;
    size++;
    if (size > capacity) {
      unlink(head);
      counters.pushedOut++;
    }
    counters.peak = Math.max(counters.peak, size);
  }

  /** The entry of {@code id} in this queue, or null. */
  Entry get(FlowId id) {
    Entry e = owned(id, owner);
    return e != null && e.queue == this && e.queued ? e : null;
  }

  boolean contains(FlowId id) {
    return get(id) != null;
  }

  /**
   * Removes {@code id} from whichever of {@code owner}'s queues holds it.
   *
   * @return whether one of them ever held it ({@link #knows})
   */
  static boolean removeFrom(FlowId id, Object owner) {
    Entry e = owned(id, owner);
    if (e == null) return false;
    if (e.queued) e.queue.unlink(e);
    return true;
  }

  /** Whether {@code id} was ever put in one of {@code owner}'s queues (it may have left). */
  static boolean knows(FlowId id, Object owner) {
    return owned(id, owner) != null;
  }

  /** The oldest entry, or null; walk on with {@link Entry#next()}. */
  Entry first() {
    return head;
  }

  int size() {
    return size;
  }

  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    for (Entry e = head; e != null; e = e.next) {
      out.writeObject(e);
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    for (int k = 0; k < size; k++) {
      Entry e = (Entry) in.readObject();
      e.prev = tail;
      if (tail == null) head = e;
      else tail.next = e;
      tail = e;
    }
  }

  private void unlink(Entry e) {
    if (e.prev == null) head = e.next;
    else e.prev.next = e.next;
    if (e.next == null) tail = e.prev;
    else e.next.prev = e.prev;
    e.prev = null;
    e.next = null;
    e.queued = false;
    e.id = null; // the entry stays on the connection as a mark; its id (and addresses) can go
    size--;
  }
}
