package dev.synscope.hostcounters;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the kernel's TCP counters and socket states from {@code /proc/net} (of synscope's own
 * network namespace: run synscope in the namespace of the service it watches). Only counters
 * whose nstat name starts with {@code Tcp} are kept ({@code TcpExt*} from netstat, {@code Tcp*}
 * from snmp).
 */
public final class HostCounterSampler {
  private final Path procNet;

  /** Samples {@code /proc/net}. */
  public HostCounterSampler() {
    this(Path.of("/proc/net"));
  }

  /** Samples a directory laid out as {@code /proc/net} (tests). */
  public HostCounterSampler(Path procNet) {
    this.procNet = procNet;
  }

  public Path directory() {
    return procNet;
  }

  /**
   * Checks that the counters can be read here.
   *
   * @return null when they can, else the problem in a few words
   */
  public String problem() {
    for (String name : new String[] {"netstat", "snmp", "tcp"}) {
      Path p = procNet.resolve(name);
      if (!Files.isReadable(p)) {
        return p + " is not readable (host counters need Linux)";
      }
    }
    try {
      HostSample s = sample(System.currentTimeMillis());
      if (s.get("TcpExtListenOverflows") < 0) {
        return procNet.resolve("netstat") + " has no TcpExt ListenOverflows counter";
      }
    } catch (IOException | RuntimeException e) {
      return "cannot read " + procNet + ": " + e.getMessage();
    }
    return null;
  }

  /** One reading, stamped {@code epochMillis}. */
  public HostSample sample(long epochMillis) throws IOException {
    Map<String, Long> counters = new LinkedHashMap<>();
    for (String name : new String[] {"netstat", "snmp"}) {
      try (Reader r = Files.newBufferedReader(procNet.resolve(name), StandardCharsets.US_ASCII)) {
        ProcNet.counters(r).forEach((k, v) -> {
          if (k.startsWith("Tcp")) {
            counters.put(k, v);
          }
        });
      }
    }
    long[] byState = new long[SocketStates.NAMES.length];
    long budget = SocketStates.MAX_LINES;
    boolean truncated = false;
    for (String name : new String[] {"tcp", "tcp6"}) {
      if (budget <= 0) {
        truncated = true;
        break;
      }
      try (Reader r = Files.newBufferedReader(procNet.resolve(name), StandardCharsets.US_ASCII)) {
        ProcNet.Lines lines = ProcNet.countStates(r, byState, budget);
        budget -= lines.read();
        truncated |= lines.truncated();
      } catch (NoSuchFileException e) {
        // tcp6 is absent when IPv6 is disabled
      }
    }
    return new HostSample(epochMillis, counters, SocketStates.of(byState, truncated));
  }
}
