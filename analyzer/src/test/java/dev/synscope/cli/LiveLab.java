package dev.synscope.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Throw-away network namespaces for the live-capture tests, with the samples lab's safety rules:
 * every namespace is named {@code sslive-<pid>-<n>-<role>} and deleted again by {@link #close()}
 * (also when a test fails); processes are started only inside them, and on close the ones this
 * lab started are ended by PID (SIGTERM, then SIGKILL), then whatever is still inside one of its
 * namespaces (started by this lab, through {@code ip netns exec}), by PID. Namespaces have no
 * default route: traffic cannot leave them. Every command and wait is bounded.
 */
final class LiveLab implements AutoCloseable {
  static final String PREFIX = "sslive-";
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  /** A finished command. */
  record Result(int exitCode, String output) {}

  private final String id = PREFIX + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
  private final Path work;
  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  LiveLab(Path work) {
    this.work = work;
  }

  /** Root, and the tools the lab needs; null when all is there, else why the tests must skip. */
  static String missing(String... tools) {
    if (!isRoot()) {
      return "live namespace tests need root (network namespaces, raw sockets): skipped";
    }
    for (String tool : tools) {
      if (!onPath(tool)) {
        return "live namespace tests need '" + tool + "' on the PATH: skipped";
      }
    }
    return null;
  }

  static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[2].equals("0"); // effective uid
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return false;
  }

  static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Creates a namespace ({@code <id>-<role>}) with its loopback up; null if it cannot be made. */
  String namespace(String role) throws IOException, InterruptedException {
    String name = id + "-" + role;
    Result r = run(10, "ip", "netns", "add", name);
    if (r.exitCode() != 0) {
      return null;
    }
    namespaces.add(name);
    must("ip", "-n", name, "link", "set", "lo", "up");
    return name;
  }

  /** Runs a command to its end (at most {@code seconds}); its output and stderr together. */
  Result run(int seconds, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(work, "cmd", ".out");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, String.join(" ", command) + ": timed out after " + seconds + " s");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Runs a command that must succeed. */
  String must(String... command) throws IOException, InterruptedException {
    Result r = run(20, command);
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exitCode() + "): " + r.output());
    }
    return r.output();
  }

  /** Writes a sysctl inside a namespace through /proc/sys (which is per namespace for net.*). */
  void sysctl(String ns, String key, String value) throws IOException, InterruptedException {
    must("ip", "netns", "exec", ns, "sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sysctl", value,
        "/proc/sys/" + key.replace('.', '/'));
  }

  /** Starts a program inside a namespace; its stdout and stderr go to {@code <label>.out/.err}. */
  Process start(String ns, String label, List<String> command) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(command);
    Process p = new ProcessBuilder(full)
        .redirectOutput(work.resolve(label + ".out").toFile())
        .redirectError(work.resolve(label + ".err").toFile())
        .start();
    processes.add(p);
    return p;
  }

  Path stdout(String label) {
    return work.resolve(label + ".out");
  }

  Path stderr(String label) {
    return work.resolve(label + ".err");
  }

  /** Waits (at most {@code seconds}) until a file contains {@code text}. */
  boolean await(Path file, String text, double seconds) throws IOException, InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    while (System.nanoTime() < end) {
      if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).contains(text)) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  /** Waits for a process (at most {@code seconds}); true if it ended. */
  static boolean await(Process p, double seconds) throws InterruptedException {
    return p.waitFor((long) (seconds * 1000), TimeUnit.MILLISECONDS);
  }

  /** What the lab's programs printed, for failure messages. */
  String logs() {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.list(work)) {
      for (Path f : files.sorted().toList()) {
        String name = f.getFileName().toString();
        if (name.endsWith(".out") || name.endsWith(".err")) {
          String text = Files.readString(f, StandardCharsets.UTF_8);
          if (!text.isBlank()) {
            sb.append("\n--- ").append(name).append('\n')
                .append(text.length() > 3000 ? text.substring(0, 3000) + "..." : text);
          }
        }
      }
    } catch (IOException e) {
      sb.append("(logs unreadable: ").append(e.getMessage()).append(')');
    }
    return sb.toString();
  }

  /** With -Dsynscope.live.keep=DIR, copies the work directory there (to read what a run printed). */
  static void keep(Path dir) {
    String keep = System.getProperty("synscope.live.keep");
    if (keep == null || keep.isBlank()) {
      return;
    }
    try (var files = Files.walk(dir)) {
      Path target = Path.of(keep);
      for (Path f : files.toList()) {
        Path t = target.resolve(dir.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      System.err.println("LiveLab: cannot keep " + dir + ": " + e);
    }
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy(); // SIGTERM to the PID this lab started
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(3, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(3, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String ns : namespaces) {
      try {
        // anything still inside was started by this lab (through ip netns exec): end it by PID
        for (String pid : run(10, "ip", "netns", "pids", ns).output().split("\\s+")) {
          if (pid.matches("\\d+")) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        run(10, "ip", "netns", "del", ns);
      } catch (IOException | InterruptedException | RuntimeException e) {
        System.err.println("LiveLab: could not delete namespace " + ns + ": " + e);
      }
    }
  }
}
