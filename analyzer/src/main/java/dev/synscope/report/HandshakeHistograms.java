package dev.synscope.report;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Buckets the handshake half-RTT histograms (recorded in microseconds) into fixed, roughly
 * logarithmic millisecond ranges, the same for every report so two reports compare bucket by bucket.
 */
final class HandshakeHistograms {
  /** Upper bounds in milliseconds; one more bucket holds everything above the last. */
  static final double[] UPPER_BOUNDS_MS = {
    0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000
  };

  private HandshakeHistograms() {}

  static Report.HandshakeHistogram of(Histogram synToSynAckMicros, Histogram synAckToAckMicros) {
    return new Report.HandshakeHistogram(
        UPPER_BOUNDS_MS.clone(), counts(synToSynAckMicros), counts(synAckToAckMicros));
  }

  private static long[] counts(Histogram h) {
    long[] out = new long[UPPER_BOUNDS_MS.length + 1];
    for (HistogramIterationValue v : h.recordedValues()) {
      double ms = h.medianEquivalentValue(v.getValueIteratedTo()) / 1000.0;
      int i = 0;
      while (i < UPPER_BOUNDS_MS.length && ms > UPPER_BOUNDS_MS[i]) {
        i++;
      }
      out[i] += v.getCountAtValueIteratedTo();
    }
    return out;
  }
}
