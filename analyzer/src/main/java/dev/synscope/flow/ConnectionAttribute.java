package dev.synscope.flow;

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
 */
public final class ConnectionAttribute<T> {
  private final String name;
  /**
   * The analysis this key was last used in and its slot there: one read and one comparison on
   * the common path. Replaced as a whole (its fields are final), so a thread that reads it sees
   * a consistent pair.
   */
  private Binding binding;

  private record Binding(ConnectionAttributes attributes, int index) {}

  private ConnectionAttribute(String name) {
    this.name = name;
  }

  public static <T> ConnectionAttribute<T> create(String name) {
    return new ConnectionAttribute<>(name);
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
