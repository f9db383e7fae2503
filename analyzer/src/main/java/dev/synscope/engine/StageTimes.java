package dev.synscope.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CPU time each thread of an analysis used, printed to stderr at its end when the system
 * property {@code synscope.stageTimes} is true (bench/README.md: what more cores would buy is the
 * longest stage). Off, it costs nothing: each thread asks the clock once, at its end.
 */
final class StageTimes {
  static final boolean ENABLED = Boolean.getBoolean("synscope.stageTimes");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final List<String> lines = new ArrayList<>();
  private final long startWall = System.nanoTime();
  /** The CPU time of the thread that made this (the caller's: the event stage's) before the analysis. */
  private final long callerBefore = ENABLED ? THREADS.getCurrentThreadCpuTime() : 0;
  private final Thread caller = Thread.currentThread();

  /** Records the calling thread's CPU time in this analysis as stage {@code name}'s. */
  void record(String name) {
    if (!ENABLED) {
      return;
    }
    long nanos = THREADS.getCurrentThreadCpuTime() - (Thread.currentThread() == caller ? callerBefore : 0);
    double cpu = nanos / 1e9;
    double wall = (System.nanoTime() - startWall) / 1e9;
    synchronized (lines) {
      lines.add(String.format(Locale.ROOT, "stage %-10s CPU %7.2f s, ended at %7.2f s", name, cpu, wall));
    }
  }

  /** Prints what was recorded, and the whole process's CPU time (the JIT and the collector's too). */
  void print() {
    if (!ENABLED) {
      return;
    }
    double wall = (System.nanoTime() - startWall) / 1e9;
    double process = -1;
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      process = os.getProcessCpuTime() / 1e9;
    }
    synchronized (lines) {
      for (String line : lines) {
        System.err.println("synscope: " + line);
      }
    }
    System.err.printf(Locale.ROOT, "synscope: analysis wall %.2f s; process CPU %.2f s (all threads since start)%n",
        wall, process);
  }
}
