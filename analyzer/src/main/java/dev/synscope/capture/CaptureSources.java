package dev.synscope.capture;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Opens offline inputs with the chosen reader. */
public final class CaptureSources {
  private CaptureSources() {}

  /**
   * @param reader "builtin" (pure Java, the default) or "libpcap" (pcap4j)
   */
  public static CaptureSource open(String reader, List<String> paths, InputStream stdin) throws IOException {
    return switch (reader) {
      case "builtin" -> FileCaptureSource.open(paths, stdin);
      case "libpcap" -> LibpcapFileSource.open(paths, stdin);
      default -> throw new IllegalArgumentException("unknown reader " + reader);
    };
  }
}
