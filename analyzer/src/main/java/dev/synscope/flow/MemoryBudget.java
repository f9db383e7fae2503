package dev.synscope.flow;

/**
 * The heap an analysis may fill with state ({@code --memory}), divided among the flow table and
 * the bounded tables of the detectors and the report. The flow table gets
 * {@value #FLOW_SHARE_PERCENT} % at {@value #FLOW_BYTES} bytes a connection (the measured cost of a
 * held connection, index included: bench/HeapPerConnection.java); each other table gets
 * {@value #TABLE_SHARE_PERCENT} % of the budget at its own cost per entry. What is left is for the
 * report, the reader and the collector's headroom.
 *
 * <p>Without {@code --memory} the budget is derived from the JVM's maximum heap
 * ({@value #DEFAULT_HEAP_PERCENT} % of it: the throughput collector keeps long-lived objects in
 * an old generation of about two thirds of the heap, and the state must fit there with room), and the flow capacity is at most {@link
 * FlowConfig#DEFAULT_MAX_FLOWS}, as before budgets existed, so a large heap changes no report;
 * a small heap lowers it so that a flood fills the table, not the heap. With {@code --memory}
 * the capacity is what the budget holds.
 *
 * @param bytes the budget
 * @param explicit given with {@code --memory} (no default cap on the flow capacity)
 */
public record MemoryBudget(long bytes, boolean explicit) {
  /**
   * Heap per held connection in the flow table, index included: an established connection's
   * (measured 414 B; a half-open one, 291 B, leaves room for more).
   */
  public static final int FLOW_BYTES = 416;
  static final int FLOW_SHARE_PERCENT = 60;
  static final int TABLE_SHARE_PERCENT = 2;
  public static final int DEFAULT_HEAP_PERCENT = 50;
  /** The smallest budget accepted: enough for a few thousand connections and every table's floor. */
  public static final long MIN_BYTES = 16L << 20;
  private static final int MIN_CAP = 1024;

  public MemoryBudget {
    if (bytes < MIN_BYTES) {
      throw new IllegalArgumentException("a memory budget below " + (MIN_BYTES >> 20) + " MB");
    }
  }

  /** The default: a share of the JVM's maximum heap. */
  public static MemoryBudget fromHeap() {
    long max = Runtime.getRuntime().maxMemory();
    return new MemoryBudget(Math.max(MIN_BYTES, max / 100 * DEFAULT_HEAP_PERCENT), false);
  }

  /** Parses "512m", "2g", "300000k" or a byte count. */
  public static MemoryBudget parse(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    long unit = 1;
    if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
    if (t.endsWith("k")) unit = 1L << 10;
    else if (t.endsWith("m")) unit = 1L << 20;
    else if (t.endsWith("g")) unit = 1L << 30;
    if (unit > 1) t = t.substring(0, t.length() - 1);
    long n;
    try {
      n = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: '" + text + "' (use for example 256m or 2g)");
    }
    if (n <= 0 || n > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException("not a size: '" + text + "'");
    }
    return new MemoryBudget(n * unit, true);
  }

  /** Connections the flow table holds at once. */
  public int flowCapacity() {
    long n = bytes / 100 * FLOW_SHARE_PERCENT / FLOW_BYTES;
    if (!explicit) {
      n = Math.min(n, FlowConfig.DEFAULT_MAX_FLOWS);
    }
    return (int) Math.max(MIN_CAP, Math.min(n, 1 << 28));
  }

  /** Entries a bounded table whose entries cost about {@code bytesPerEntry} may hold. */
  public int tableCap(int bytesPerEntry) {
    long n = bytes / 100 * TABLE_SHARE_PERCENT / Math.max(1, bytesPerEntry);
    return (int) Math.max(MIN_CAP, Math.min(n, 1 << 24));
  }

  @Override
  public String toString() {
    return (bytes >> 20) + " MB";
  }
}
