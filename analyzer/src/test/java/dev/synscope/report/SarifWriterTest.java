package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.detect.Detectors;
import dev.synscope.detect.Severity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class SarifWriterTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static void assertValidSarif(JsonNode sarif) {
    SarifSchema.assertValid(sarif);
  }

  static JsonNode write(Report r, Verdict v) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new SarifWriter(v).write(r, out);
    return JSON.readTree(out.toByteArray());
  }

  @Test
  void validAgainstTheSchemaWithOneResultPerFinding() throws IOException {
    Report r = SyntheticReports.withFindings();
    JsonNode sarif = write(r, null);
    assertValidSarif(sarif);
    assertEquals("2.1.0", sarif.get("version").asText());
    JsonNode run = sarif.get("runs").get(0);
    JsonNode rules = run.get("tool").get("driver").get("rules");
    for (Detectors.Entry e : Detectors.all()) {
      boolean found = false;
      for (JsonNode rule : rules) {
        found |= rule.get("id").asText().equals(e.id());
      }
      assertTrue(found, "a rule per registered detector: " + e.id());
    }
    JsonNode results = run.get("results");
    assertEquals(2, results.size());
    JsonNode first = results.get(0);
    assertEquals("accept-queue-overflow", first.get("ruleId").asText());
    assertEquals(rules.get(first.get("ruleIndex").asInt()).get("id").asText(), "accept-queue-overflow");
    assertEquals("error", first.get("level").asText());
    assertEquals("note", results.get(1).get("level").asText());
    JsonNode loc = first.get("locations").get(0);
    assertEquals("captures/test%20run.pcap", loc.get("physicalLocation").get("artifactLocation").get("uri").asText());
    assertEquals("10.0.0.1:80", loc.get("logicalLocations").get(0).get("fullyQualifiedName").asText());
    assertEquals("captures/test%20run.pcap", run.get("artifacts").get(0).get("location").get("uri").asText());
    assertFalse(first.has("suppressions"));
  }

  @Test
  void fingerprintsAreStableAcrossRunsAndDistinctPerFinding() throws IOException {
    JsonNode a = write(SyntheticReports.withFindings(), null).get("runs").get(0).get("results");
    JsonNode b = write(SyntheticReports.withFindings(), null).get("runs").get(0).get("results");
    String fa = a.get(0).get("partialFingerprints").get(SarifWriter.FINGERPRINT).asText();
    assertEquals(fa, b.get(0).get("partialFingerprints").get(SarifWriter.FINGERPRINT).asText());
    assertNotEquals(fa, a.get(1).get("partialFingerprints").get(SarifWriter.FINGERPRINT).asText());
  }

  @Test
  void acceptedFindingsAreSuppressed() throws IOException {
    Report r = SyntheticReports.withFindings();
    Verdict v = Verdict.of(r, Severity.LOW, f -> f.detector().equals("syn-cookies") ? "expected in load tests" : null);
    JsonNode sarif = write(r, v);
    assertValidSarif(sarif);
    JsonNode s = sarif.get("runs").get(0).get("results").get(1).get("suppressions").get(0);
    assertEquals("external", s.get("kind").asText());
    assertEquals("accepted", s.get("status").asText());
    assertEquals("expected in load tests", s.get("justification").asText());
  }

  @Test
  void emptyReportIsValidToo() throws IOException {
    JsonNode sarif = write(SyntheticReports.empty(), null);
    assertValidSarif(sarif);
    assertEquals(0, sarif.get("runs").get(0).get("results").size());
  }

  @Test
  void theSchemaCatchesBrokenSarif() throws IOException {
    JsonNode broken = JSON.readTree("{\"version\": \"2.1.0\", \"runs\": [{\"results\": [{\"level\": \"fatal\"}]}]}");
    assertFalse(SarifSchema.validate(broken).isEmpty(), "the validator is not a no-op");
  }
}
