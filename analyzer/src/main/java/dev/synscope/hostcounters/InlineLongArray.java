package dev.synscope.hostcounters;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a {@code long[]} on one line even in the indented JSON report, so a series of 240
 * samples takes one line, not 240 (the report package has the same for its time series; this
 * package may not import it). Compact generators get an ordinary array.
 */
final class InlineLongArray extends StdSerializer<long[]> {
  InlineLongArray() {
    super(long[].class);
  }

  @Override
  public void serialize(long[] a, JsonGenerator g, SerializerProvider provider) throws IOException {
    if (g.getPrettyPrinter() == null) {
      g.writeArray(a, 0, a.length);
      return;
    }
    StringBuilder sb = new StringBuilder(a.length * 3 + 2).append('[');
    for (int i = 0; i < a.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(a[i]);
    }
    g.writeRawValue(sb.append(']').toString());
  }
}
