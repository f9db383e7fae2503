package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/synscope's JVM options: the throughput collector for offline analysis (with transparent
 * huge pages for inputs of 256 MB or more, where the kernel offers them), the default for live
 * capture, and SYNSCOPE_JAVA_OPTS instead of either. Stub java and mvn commands record what
 * the launcher runs, so nothing is built or started.
 */
class LauncherTest {
  @TempDir Path stubs;

  private String javaArgs(String extraOpts, String... args) throws IOException, InterruptedException {
    Path log = stubs.resolve("java.args");
    Files.deleteIfExists(log);
    writeStub("java", "printf '%s\\n' \"$@\" > '" + log + "'");
    writeStub("mvn", "exit 0");
    List<String> cmd = new ArrayList<>(List.of("bash", CheckCommandTest.ROOT.resolve("bin/synscope").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
    if (extraOpts == null) {
      pb.environment().remove("SYNSCOPE_JAVA_OPTS");
    } else {
      pb.environment().put("SYNSCOPE_JAVA_OPTS", extraOpts);
    }
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    String line = String.join(" ", Files.readAllLines(log)).replaceAll("\\S*synscope\\.jar", "JAR");
    // The test's streams are pipes: the launcher says so, and the jar then writes JSON.
    String tty = "-Dsynscope.stdout.tty=false -Dsynscope.stderr.tty=false ";
    assertTrue(line.contains(tty + "-jar"), line);
    return line.replace(tty, "");
  }

  @Test
  void aTerminalIsToldToTheJar() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "script (util-linux) is not installed");
    Path log = stubs.resolve("java.args");
    writeStub("java", "printf '%s\\n' \"$@\" > '" + log + "'");
    writeStub("mvn", "exit 0");
    String launcher = CheckCommandTest.ROOT.resolve("bin/synscope").toString();
    // script(1) runs the launcher on a pseudo-terminal; stderr stays a terminal, stdout too.
    ProcessBuilder pb = new ProcessBuilder("script", "-qec", "bash " + launcher + " --version", "/dev/null")
        .redirectErrorStream(true);
    pb.environment().put("PATH", stubs + ":" + System.getenv("PATH"));
    Process p = pb.start();
    p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    String line = String.join(" ", Files.readAllLines(log));
    assertTrue(line.contains("-Dsynscope.stdout.tty=true -Dsynscope.stderr.tty=true"), line);
  }

  private void writeStub(String name, String body) throws IOException {
    Path f = stubs.resolve(name);
    Files.writeString(f, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void offlineCommandsUseTheThroughputCollector() throws Exception {
    assertEquals("-XX:+UseParallelGC -jar JAR analyze x.pcap", javaArgs(null, "analyze", "x.pcap"));
    assertEquals("-XX:+UseParallelGC -jar JAR check x.pcap", javaArgs(null, "check", "x.pcap"));
  }

  @Test
  void liveAndOtherCommandsKeepTheDefault() throws Exception {
    assertEquals("-jar JAR live -i lo", javaArgs(null, "live", "-i", "lo"));
    assertEquals("-jar JAR --version", javaArgs(null, "--version"));
  }

  @Test
  void synscopeJavaOptsReplacesTheChoice() throws Exception {
    assertEquals("-Xmx2g -jar JAR analyze x.pcap", javaArgs("-Xmx2g", "analyze", "x.pcap"));
  }

  @Test
  void largeInputsAlsoGetTransparentHugePagesWhereTheKernelOffersThem() throws Exception {
    Path big = stubs.resolve("big.pcap");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(300L << 20); // sparse: du -b counts its apparent size
    }
    Path small = Files.writeString(stubs.resolve("small.pcap"), "x");
    Path thp = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    boolean offered = Files.isReadable(thp) && !Files.readString(thp).contains("[never]");
    String huge = offered ? " -XX:+UseTransparentHugePages" : "";
    assertEquals("-XX:+UseParallelGC" + huge + " -jar JAR analyze " + big, javaArgs(null, "analyze", big.toString()));
    assertEquals("-XX:+UseParallelGC" + huge + " -jar JAR check -r " + big + " --fail-on high",
        javaArgs(null, "check", "-r", big.toString(), "--fail-on", "high"));
    assertEquals("-XX:+UseParallelGC" + huge + " -jar JAR analyze " + stubs,
        javaArgs(null, "analyze", stubs.toString()), "a directory counts by what it holds");
    assertEquals("-XX:+UseParallelGC -jar JAR analyze " + small, javaArgs(null, "analyze", small.toString()));
    assertEquals("-jar JAR live -r " + big, javaArgs(null, "live", "-r", big.toString()), "live keeps the default");
  }
}
