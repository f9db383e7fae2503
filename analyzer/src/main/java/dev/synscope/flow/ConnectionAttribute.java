package dev.synscope.flow;

import java.io.Serializable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A key for state a consumer keeps per connection between its events, reached through the
 * connection's {@link FlowId} and stored by the connection's row number in a column per key in
 * use, on the consumers' side ({@link ConnectionAttributes}): reading it is a few array reads, not
 * a hash lookup, and it is freed once the connection's Removed event has been handled (Zeek keeps
 * such state in the connection record).
 *
 * <p>A key has no slot of its own: it takes one in each analysis that uses it ({@link
 * ConnectionAttributes}, one per flow table), numbered from 0 in the order the analysis first
 * meets its keys. So slots belong to one analysis: a process that runs many analyses (live
 * sessions, tests, an embedding application) does not see its connections grow with every
 * detector instance it ever made. A consumer that may exist twice on one event stream (a
 * detector listed twice, a test feeding two instances) either creates its keys per instance,
 * or uses a static key whose value names its owner, as the report's timeline does.
 *
 * <p>A key is found by identity, and it serialises with the values kept under it (a detector's
 * checkpoint: its keys, the ids and their slot maps, in one graph). A key made by {@link #create}
 * is one object of that graph, as a detector's instance field is: the copy is that detector's key.
 * A key in a static field is not in the graph, so a copy would be a second key that the static
 * one cannot read: such a key is made by {@link #shared}, and a copy resolves to the process's
 * instance of its name.
 */
public final class ConnectionAttribute<T> implements Serializable {
  /** The keys made by {@link #shared}, by name: one instance per name and class loader. */
  private static final ConcurrentHashMap<String, ConnectionAttribute<?>> SHARED = new ConcurrentHashMap<>();

  private final String name;
  private final boolean shared;
  /**
   * The analysis this key was last used in and its slot there: one read and one comparison on
   * the common path. Replaced as a whole (its fields are final), so a thread that reads it sees
   * a consistent pair. A cache: not serialised (it would also make a cycle through the slot map,
   * which {@link #readResolve} must not meet).
   */
  private transient Binding binding;

  private record Binding(ConnectionAttributes attributes, int index) {}

  private ConnectionAttribute(String name, boolean shared) {
    this.name = name;
    this.shared = shared;
  }

  /** A key of its own (for an instance field: two consumers' keys stay apart). */
  public static <T> ConnectionAttribute<T> create(String name) {
    return new ConnectionAttribute<>(name, false);
  }

  /**
   * The process's key named {@code name}, for a static field: every call with that name, and
   * every deserialised copy of it, is the same key. Name it by its owner ("owner.purpose"), as
   * keys of one name are one key whatever their value type.
   */
  @SuppressWarnings("unchecked")
  public static <T> ConnectionAttribute<T> shared(String name) {
    return (ConnectionAttribute<T>) SHARED.computeIfAbsent(name, n -> new ConnectionAttribute<>(n, true));
  }

  /** A shared key's copy is the process's instance (made here if its owner has not run yet). */
  private Object readResolve() {
    return shared ? shared(name) : this;
  }

  /** This key's slot in {@code attributes}, given there on first use. */
  int index(ConnectionAttributes attributes) {
    Binding b = binding;
    if (b != null && b.attributes == attributes) {
      return b.index;
    }
    int index = attributes.slotOf(this);
    binding = new Binding(attributes, index);
    return index;
  }

  @Override
  public String toString() {
    return name;
  }
}
