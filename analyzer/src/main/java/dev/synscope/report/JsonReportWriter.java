package dev.synscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;

/** The JSON report: snake_case, fields in a fixed order, two-space indentation, LF endings. */
public final class JsonReportWriter implements ReportWriter {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .build();

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  @Override
  public String extension() {
    return "json";
  }

  @Override
  public void write(Report report, OutputStream out) throws IOException {
    writeValue(report, out);
  }

  /** Writes any value (a report, or a JSON tree of one) exactly as reports are written. */
  public static void writeValue(Object value, OutputStream out) throws IOException {
    DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
    MAPPER.writer(printer).writeValue(out, value);
    out.write('\n');
  }
}
