package dev.synscope.flow;

/**
 * The event consumers (the report's aggregates, the detectors) may run as groups, each on a
 * thread of its own over the same event sequence. A group's thread is a {@link ConsumerGroup.Thread};
 * connection attributes a consumer keeps live in its group's columns ({@link ConnectionAttributes}),
 * found by the calling thread: one type test, no thread-local map.
 */
public final class ConsumerGroup {
  /** Groups at most (group 0 is any thread that is not a group's). */
  public static final int MAX_GROUPS = 64;

  private ConsumerGroup() {}

  /** A thread that runs consumer group {@code group} (1 to {@link #MAX_GROUPS} - 1). */
  public static final class Thread extends java.lang.Thread {
    private final int group;

    public Thread(int group, Runnable body, String name) {
      super(body, name);
      if (group < 1 || group >= MAX_GROUPS) {
        throw new IllegalArgumentException("consumer group " + group + " is not 1 to " + (MAX_GROUPS - 1));
      }
      this.group = group;
    }
  }

  /** The calling thread's group: 0 unless it is a group's thread. */
  static int current() {
    return java.lang.Thread.currentThread() instanceof Thread t ? t.group : 0;
  }
}
