package dev.synscope.report;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonGeneratorImpl;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a {@code long[]} or {@code double[]} on one line even in the indented JSON report, so a
 * 900-bucket time series takes one line, not 900. Other generators (trees, compact output) get an
 * ordinary array.
 */
final class InlineArraySerializer extends StdSerializer<Object> {
  InlineArraySerializer() {
    super(Object.class);
  }

  @Override
  public void serialize(Object value, JsonGenerator g, SerializerProvider provider) throws IOException {
    boolean inline = g instanceof JsonGeneratorImpl && g.getPrettyPrinter() != null;
    if (value instanceof long[] a) {
      if (!inline) {
        g.writeArray(a, 0, a.length);
        return;
      }
      StringBuilder sb = new StringBuilder(a.length * 3 + 2).append('[');
      for (int i = 0; i < a.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(a[i]);
      }
      g.writeRawValue(sb.append(']').toString());
    } else if (value instanceof double[] a) {
      if (!inline) {
        g.writeArray(a, 0, a.length);
        return;
      }
      StringBuilder sb = new StringBuilder(a.length * 5 + 2).append('[');
      for (int i = 0; i < a.length; i++) {
        sb.append(i == 0 ? "" : ", ").append(a[i]);
      }
      g.writeRawValue(sb.append(']').toString());
    } else {
      provider.defaultSerializeValue(value, g);
    }
  }
}
