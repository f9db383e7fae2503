package dev.synscope.engine;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/ab, the A/B tool every speed claim in bench/README.md ("Speed notebook") rests on: its round-by-round
 * pairing, its means of the collector's pauses and its refusal of a build whose report differs.
 * A stub {@code java} on the PATH plays the jars (one answers 0.3 s later than the other, one
 * writes a different report), so the arithmetic is checked against known times in seconds.
 */
class BenchAbTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;
  private Path capture;

  @BeforeEach
  void stubs() throws IOException {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/time")),
        "bench/ab needs GNU time (/usr/bin/time; .ci/run installs it)");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    // Records one young pause of 2 ms in the GC log bench/ab asks for, sleeps by jar, and writes
    // a report whose generated_at changes every run (bench/ab must ignore that line).
    Path java = bin.resolve("java");
    Files.writeString(java, """
        #!/bin/sh
        for a; do case $a in -Xlog:gc:file=*) log=${a#-Xlog:gc:file=} ;; esac; done
        while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift ;; -jar) jar=$2; shift ;; esac; shift; done
        echo '[0.100s][info][gc] GC(0) Pause Young (Allocation Failure) 10M->5M(20M) 2.000ms' > "$log"
        x=1
        case $jar in *slow*) sleep 0.35 ;; *differs*) x=2; sleep 0.05 ;; *) sleep 0.05 ;; esac
        printf '{\\n  "generated_at" : "%s",\\n  "x" : %s\\n}\\n' "$(date +%s%N)" "$x" > "$out"
        """);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String jar : List.of("fast.jar", "slow.jar", "differs.jar")) {
      Files.writeString(dir.resolve(jar), "stub");
    }
    capture = Files.writeString(dir.resolve("c.pcap"), "stub");
  }

  @Test
  void pairsEachRoundAndAveragesPauses() throws Exception {
    Result r = ab("--rounds", "3", "--capture", capture.toString(), jar("fast"), jar("slow"));
    assertEquals(0, r.exit, r.out);
    Matcher m = Pattern.compile(Pattern.quote(jar("slow")) + " against " + Pattern.quote(jar("fast"))
        + ", round by round: faster in (\\d+) of 3, less CPU in \\d+ of 3; median difference ([+-][0-9.]+) s wall")
        .matcher(r.out);
    assertTrue(m.find(), r.out);
    assertEquals("0", m.group(1), "the slow jar is never faster: " + r.out);
    double difference = Double.parseDouble(m.group(2));
    assertTrue(difference >= 0.2 && difference <= 0.6, "0.3 s slower in each round: " + r.out);
    // One pause of 2 ms per run, none full: the table shows the means per run.
    assertTrue(Pattern.compile(Pattern.quote(jar("fast")) + " +\\S+ +\\S+ +\\S+ +\\S+ +1\\.0 +0\\.0 +2\\n").matcher(r.out).find(), r.out);
    assertTrue(r.out.contains("reports identical across jars"), r.out);
  }

  @Test
  void refusesABuildWhoseReportDiffers() throws Exception {
    Result r = ab("--rounds", "2", "--capture", capture.toString(), jar("fast"), jar("differs"));
    assertEquals(1, r.exit, r.out);
    assertTrue(r.out.contains("bench/ab: " + jar("differs") + ": report differs from " + jar("fast") + "'s (round 1)"), r.out);
  }

  @Test
  void badArgumentsAreAUsageError() throws Exception {
    assertEquals(2, ab("--rounds", "0", "--capture", capture.toString(), jar("fast"), jar("slow")).exit);
    assertEquals(2, ab("--capture", capture.toString(), jar("fast")).exit, "two jars at least");
    Result missing = ab("--capture", dir.resolve("none.pcap").toString(), jar("fast"), jar("slow"));
    assertEquals(2, missing.exit);
    assertTrue(missing.out.contains("none.pcap: not readable"), missing.out);
  }

  private String jar(String name) {
    return dir.resolve(name + ".jar").toString();
  }

  private record Result(int exit, String out) {}

  private Result ab(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("bench/ab").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.environment().put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }
}
