package dev.synscope.detect;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A detector's per-target state (per listener, host or address pair) with a cap: when a new
 * target finds it full, the least recently used target that is not {@code busy} (not in an open
 * episode) leaves; only when the first {@value #SEARCH} in LRU order are all busy does a busy one
 * go, counted apart because its verdict may have changed. A scan of millions of addresses thus
 * costs a bounded table of the recent ones, and a flood's target stays while others come and go.
 *
 * <p>Iteration is in insertion order of the entries present (the order the detector first met
 * its targets), as findings list them, however often they are used.
 */
public final class BoundedTable<K, V> {
  /** LRU entries examined for one that may go. */
  static final int SEARCH = 64;

  private final String name;
  private final int cap;
  private final Predicate<V> busy;
  /** Access order: the eldest is the least recently used. */
  private final LinkedHashMap<K, V> byUse = new LinkedHashMap<>(16, 0.75f, true);
  /** First-seen order, for iteration. */
  private final LinkedHashMap<K, V> byArrival = new LinkedHashMap<>();
  private long peak;
  private long evicted;
  private long evictedBusy;

  /**
   * @param name the table's name in the report ({@code stats.state.<name>})
   * @param busy entries that should stay while others can go
   */
  public BoundedTable(String name, int cap, Predicate<V> busy) {
    if (cap < 1) {
      throw new IllegalArgumentException(name + ": a cap below 1");
    }
    this.name = name;
    this.cap = cap;
    this.busy = busy;
  }

  /** The entry of {@code key}, or null; marks it used. */
  public V get(K key) {
    return byUse.get(key);
  }

  /** Adds an entry for a new key, making room first if the table is full. */
  public void put(K key, V value) {
    if (!byUse.containsKey(key) && byUse.size() >= cap) {
      evictOne();
    }
    byUse.put(key, value);
    byArrival.put(key, value);
    peak = Math.max(peak, byUse.size());
  }

  /** Entries evicted so far: a consumer that caches an entry checks this has not moved. */
  public long evictions() {
    return evicted;
  }

  public int size() {
    return byUse.size();
  }

  /** The entries, in the order their keys were first put (of those still present). */
  public Iterable<V> values() {
    return byArrival.values();
  }

  private void evictOne() {
    Iterator<Map.Entry<K, V>> it = byUse.entrySet().iterator();
    Map.Entry<K, V> victim = null;
    for (int n = 0; n < SEARCH && it.hasNext(); n++) {
      Map.Entry<K, V> e = it.next();
      if (victim == null) {
        victim = e; // the eldest, should all be busy
      }
      if (!busy.test(e.getValue())) {
        victim = e;
        break;
      }
    }
    if (busy.test(victim.getValue())) {
      evictedBusy++;
    }
    evicted++;
    K key = victim.getKey();
    byUse.remove(key);
    byArrival.remove(key);
  }

  public StateTableStats stats() {
    return new StateTableStats(name, cap, peak, evicted, evictedBusy);
  }
}
