package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synscope.detect.Detectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.cli.Option;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The man page and the bash completion say what --help says, and work in man(1) and bash. */
class ManualPagesTest {
  @TempDir Path tmp;

  @Test
  void theManPageListsEveryCommandOptionAndDetector() {
    String page = ManualPages.manPage();
    for (Command c : new Main().commands()) {
      assertTrue(page.contains(".SS " + c.name() + "\n"), c.name());
      for (Option o : c.optionDefinitions().getOptions()) {
        if (o.getLongOpt() != null) {
          assertTrue(page.contains("\\fB\\-\\-" + o.getLongOpt().replace("-", "\\-") + "\\fR"), c.name() + " --" + o.getLongOpt());
        }
      }
    }
    for (Detectors.Entry e : Detectors.all()) {
      assertTrue(page.contains(".B " + e.id().replace("-", "\\-") + "\n"), e.id());
    }
  }

  @Test
  void manRendersItWithoutWarnings() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/man")), "man (man-db) is not installed");
    ManualPages.main(new String[] {tmp.toString()});
    Path page = tmp.resolve("synscope.1.gz");
    try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(page))) {
      assertEquals(ManualPages.manPage(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    ProcessBuilder pb = new ProcessBuilder("man", "--warnings", "-l", page.toString());
    pb.environment().put("MANPAGER", "cat");
    pb.environment().put("MANWIDTH", "100");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), err);
    assertEquals("", err, "roff warnings");
    assertTrue(out.contains("--fail-on SEVERITY"), out);
    assertTrue(out.contains("listener-saturation"), out);
  }

  /** Runs the completion in bash for a command line whose last word is being completed. */
  private String complete(String... words) throws IOException, InterruptedException {
    Path script = tmp.resolve("synscope.bash");
    Files.writeString(script, ManualPages.bashCompletion());
    StringBuilder array = new StringBuilder();
    for (String w : words) {
      array.append(" '").append(w).append('\'');
    }
    String cmd = "source '" + script + "'; COMP_WORDS=(" + array + "); COMP_CWORD=" + (words.length - 1)
        + "; _synscope; printf '%s\\n' \"${COMPREPLY[@]}\"";
    Process p = new ProcessBuilder("bash", "-c", cmd).directory(tmp.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), err);
    assertEquals("", err);
    return out.strip();
  }

  @Test
  void bashCompletesCommandsOptionsFormatsAndDetectors() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash");
    assertEquals("check", complete("synscope", "ch"));
    assertEquals("--fail-on", complete("synscope", "check", "--fail"));
    assertEquals(List.of("--format"), complete("synscope", "analyze", "--fo").lines().toList());
    assertEquals("json,html", complete("synscope", "analyze", "-F", "json,ht"));
    assertEquals("listener-saturation", complete("synscope", "analyze", "--detectors", "liste"));
    assertEquals("syn-cookies.", complete("synscope", "check", "--param", "syn-c"));
    assertEquals("critical", complete("synscope", "check", "--fail-on", "cr"));
    Files.writeString(tmp.resolve("trace.pcap"), "");
    assertEquals("trace.pcap", complete("synscope", "analyze", "tr"));
    assertEquals("trace.pcap", complete("synscope", "analyze", "-o", "tr"), "an option's file argument");
  }
}
