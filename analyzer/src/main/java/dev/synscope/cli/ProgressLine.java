package dev.synscope.cli;

import static dev.synscope.report.Formats.bytes;

import dev.synscope.capture.CaptureSource;
import dev.synscope.capture.ReadPosition;
import dev.synscope.engine.Analyzer;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * One line on a terminal's stderr, redrawn in place while a long input is read: the file and its
 * share read, the whole run's share when there are several, packets per second, connections
 * tracked, elapsed time and the time left. It appears only once reading has taken a second (a
 * small capture prints nothing) and is wiped when reading ends. Called on the analysis thread
 * every {@value Analyzer#FRAMES_PER_CALL} frames, it reads the wall clock and draws at most
 * every 200 ms.
 */
final class ProgressLine implements Analyzer.ProgressListener {
  private static final long SHOW_AFTER_NANOS = 1_000_000_000L;
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final int WIDTH = 132;

  private final CaptureSource source;
  private final PrintStream err;
  private final LongSupplier clock;
  private final long start;
  private long lastDraw;
  private long lastDrawFrames;
  private double framesPerSecond = -1;
  private boolean shown;

  ProgressLine(CaptureSource source, PrintStream err) {
    this(source, err, System::nanoTime);
  }

  ProgressLine(CaptureSource source, PrintStream err, LongSupplier clock) {
    this.source = source;
    this.err = err;
    this.clock = clock;
    this.start = clock.getAsLong();
    this.lastDraw = start;
  }

  @Override
  public void onProgress(Analyzer.Progress progress) {
    long now = clock.getAsLong();
    if (now - start < SHOW_AFTER_NANOS || now - lastDraw < REDRAW_NANOS) {
      return;
    }
    long frames = progress.frames();
    double rate = (frames - lastDrawFrames) * 1e9 / Math.max(1, now - lastDraw);
    framesPerSecond = framesPerSecond < 0 ? rate : 0.7 * framesPerSecond + 0.3 * rate;
    lastDraw = now;
    lastDrawFrames = frames;
    String line = line(source.position(), frames, framesPerSecond, progress.activeConnections(), now - start);
    err.print("\r" + line + "\u001b[K");
    err.flush();
    shown = true;
  }

  /** Wipes the line, if one was drawn, so that what follows starts on a clean line. */
  void clear() {
    if (shown) {
      err.print("\r\u001b[K");
      err.flush();
      shown = false;
    }
  }

  static String line(ReadPosition p, long frames, double framesPerSecond, int connections, long elapsedNanos) {
    StringBuilder sb = new StringBuilder();
    double share = -1;
    if (p != null) {
      sb.append(fileName(p.path()));
      if (p.inputs() > 1) {
        sb.append(" (").append(p.input() + 1).append('/').append(p.inputs()).append(')');
      }
      sb.append(' ').append(bytes(p.read()));
      if (p.size() > 0) {
        sb.append('/').append(bytes(p.size())).append(String.format(Locale.ROOT, " %d %%", percent(p.read(), p.size())));
      }
      if (p.inputs() > 1 && p.sizeAll() > 0) {
        sb.append(" · all ").append(bytes(p.readAll())).append('/').append(bytes(p.sizeAll()))
            .append(String.format(Locale.ROOT, " %d %%", percent(p.readAll(), p.sizeAll())));
      }
      if (p.sizeAll() > 0) {
        share = Math.min(1.0, (double) p.readAll() / p.sizeAll());
      }
    } else {
      sb.append("reading");
    }
    sb.append(" · ").append(count(frames)).append(" packets ").append(count(Math.round(framesPerSecond)))
        .append("/s · ").append(count(connections)).append(" connections · ").append(duration(elapsedNanos));
    if (share > 0.01) {
      long left = Math.round(elapsedNanos * (1 - share) / share);
      sb.append(", ").append(duration(left)).append(" left");
    }
    return sb.length() > WIDTH ? sb.substring(0, WIDTH) : sb.toString();
  }

  private static int percent(long part, long whole) {
    return (int) Math.min(100, part * 100 / Math.max(1, whole));
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash >= 0 ? path.substring(slash + 1) : path;
  }

  static String count(long n) {
    if (n < 10_000) {
      return Long.toString(n);
    }
    if (n < 10_000_000) {
      return String.format(Locale.ROOT, "%.0f k", n / 1e3);
    }
    return String.format(Locale.ROOT, "%.1f M", n / 1e6);
  }

  static String duration(long nanos) {
    long s = Math.max(0, nanos / 1_000_000_000L);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
