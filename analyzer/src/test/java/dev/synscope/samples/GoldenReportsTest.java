package dev.synscope.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synscope.report.JsonReportWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every capture in samples/ has its report in reports/NAME.json, which synscope must reproduce
 * exactly, less the volatile fields (generation time, tool version). Run with
 * {@code -Dsynscope.updateGolden=true} to rewrite them, then review the diff like code.
 */
class GoldenReportsTest {
  private static final boolean UPDATE = Boolean.getBoolean("synscope.updateGolden");

  @TestFactory
  List<DynamicTest> everySampleMatchesItsReport() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path capture : SampleCaptures.captures()) {
      String name = SampleCaptures.baseName(capture);
      tests.add(DynamicTest.dynamicTest(capture.getFileName().toString(), () -> {
        JsonNode report = SampleCaptures.analyze(capture);
        JsonNode actual = stable(report, capture);
        Path golden = SampleCaptures.reports().resolve(name + ".json");
        Path html = SampleCaptures.reports().resolve(name + ".html");
        if (UPDATE) {
          Files.createDirectories(golden.getParent());
          try (var out = Files.newOutputStream(golden)) {
            JsonReportWriter.writeValue(relativePaths(report, capture), out);
          }
          SampleCaptures.analyze(capture, "--format", "html", "-o", html.toString());
          Files.writeString(html, Files.readString(html)
              .replace(capture.toAbsolutePath().toString(), "samples/" + capture.getFileName()));
        }
        // Every sample's report is also committed as HTML, for people to open.
        assertTrue(Files.exists(html), "no HTML report " + html + " (run with -Dsynscope.updateGolden=true)");
        assertTrue(Files.readString(html).contains("synscope-data"), html + " is not a synscope HTML report");
        assertTrue(Files.exists(golden), "no golden report " + golden + " (run with -Dsynscope.updateGolden=true)");
        JsonNode expected = stable(SampleCaptures.JSON.readTree(golden.toFile()), capture);
        assertEquals(expected.toPrettyString(), actual.toPrettyString(), "report of " + capture + " differs from " + golden);
        // And as a person at a terminal reads it.
        Path text = SampleCaptures.reports().resolve(name + ".txt");
        String summary = SampleCaptures.text(capture);
        if (UPDATE) {
          Files.writeString(text, summary);
        }
        assertTrue(Files.exists(text), "no golden text report " + text + " (run with -Dsynscope.updateGolden=true)");
        assertEquals(Files.readString(text), summary, "text summary of " + capture + " differs from " + text);
      }));
    }
    assertFalse(tests.isEmpty(), "samples/ holds no capture");
    return tests;
  }

  /** The libpcap reader must give the very same report as the built-in one, on every sample. */
  @TestFactory
  List<DynamicTest> libpcapReaderGivesTheSameReports() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (Path capture : SampleCaptures.captures()) {
      tests.add(DynamicTest.dynamicTest(capture.getFileName().toString(), () -> {
        Assumptions.assumeTrue(libpcapAvailable(), "libpcap (libpcap0.8) is not installed");
        JsonNode builtin = stable(SampleCaptures.analyze(capture), capture);
        JsonNode libpcap = stable(SampleCaptures.analyze(capture, "--reader", "libpcap"), capture);
        assertEquals(builtin.toPrettyString(), libpcap.toPrettyString(), "readers disagree on " + capture);
      }));
    }
    return tests;
  }

  private static boolean libpcapAvailable() {
    try {
      org.pcap4j.core.Pcaps.libVersion();
      return true;
    } catch (Throwable e) {
      return false;
    }
  }

  /** A report in reports/ without its capture is stale, and fails. */
  @Test
  void everyReportHasItsCapture() throws IOException {
    Set<String> captures = new TreeSet<>();
    for (Path c : SampleCaptures.captures()) {
      captures.add(SampleCaptures.baseName(c));
    }
    try (Stream<Path> files = Files.list(SampleCaptures.reports())) {
      for (Path r : files.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".html")).toList()) {
        String name = r.getFileName().toString().replaceFirst("\\.(json|html)$", "");
        assertTrue(captures.contains(name), "reports/" + r.getFileName() + " has no capture in samples/");
      }
    }
  }

  /** The report as a user running from the repository root would get it (samples/NAME). */
  static JsonNode relativePaths(JsonNode report, Path capture) throws IOException {
    String text = report.toString().replace(capture.toAbsolutePath().toString(), "samples/" + capture.getFileName());
    return SampleCaptures.JSON.readTree(text);
  }

  /** Removes what changes from run to run: the generation time and the tool version. */
  static JsonNode stable(JsonNode report, Path capture) throws IOException {
    ObjectNode r = (ObjectNode) relativePaths(report, capture);
    r.put("generated_at", "(volatile)");
    ((ObjectNode) r.get("tool")).put("version", "(volatile)");
    return r;
  }
}
