package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** The SARIF 2.1.0 JSON schema, vendored under src/test/resources/sarif (see its README). */
public final class SarifSchema {
  private static final JsonSchema SCHEMA = load();

  private SarifSchema() {}

  private static JsonSchema load() {
    try (InputStream in = SarifSchema.class.getResourceAsStream("/sarif/sarif-2.1.0-rtm.5.json")) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Set<ValidationMessage> validate(JsonNode sarif) {
    return SCHEMA.validate(sarif);
  }

  public static void assertValid(JsonNode sarif) {
    Set<ValidationMessage> errors = validate(sarif);
    assertTrue(errors.isEmpty(), "SARIF schema violations: " + errors);
  }
}
