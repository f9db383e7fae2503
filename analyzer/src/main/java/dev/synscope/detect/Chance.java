package dev.synscope.detect;

/**
 * One-sided tests against chance: how likely it is that benign traffic, whose every trial passes a
 * signal with a known chance rate, passes it {@code k} or more times. A detector raises a finding
 * only when this p-value is below its false-alarm budget divided by the tests it has made in the
 * run (Bonferroni), so the expected number of chance findings per capture stays below the budget
 * whatever the capture's size.
 */
public final class Chance {
  private Chance() {}

  /** P(X >= k) for X ~ Binomial(n, p): k of n trials passing when each passes with probability p. */
  public static double binomialTail(long k, long n, double p) {
    if (k <= 0) {
      return 1;
    }
    if (k > n || p <= 0) {
      return 0;
    }
    if (p >= 1) {
      return 1;
    }
    if (k <= n * p) {
      return 1; // at or below the expected count: no evidence (a bound, not the exact tail)
    }
    double logP = Math.log(p);
    double logQ = Math.log1p(-p);
    double logFirst = logChoose(n, k) + k * logP + (n - k) * logQ;
    // The terms fall from k on (k is above the mode): add them until they no longer count.
    double sum = 0;
    double term = 1; // relative to the first
    for (long i = k; i <= n; i++) {
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
      term *= (double) (n - i) / (i + 1) * p / (1 - p);
    }
    return Math.min(1, Math.exp(logFirst + Math.log(sum)));
  }

  /**
   * P(X >= k) for X ~ Poisson(lambda): trials of differing chance rates whose sum is lambda. It
   * bounds the exact (Poisson-binomial) tail from above when the rates are small: conservative.
   */
  public static double poissonTail(long k, double lambda) {
    if (k <= 0) {
      return 1;
    }
    if (lambda <= 0) {
      return 0;
    }
    if (k <= lambda) {
      return 1;
    }
    double logFirst = k * Math.log(lambda) - lambda - logFactorial(k);
    double sum = 0;
    double term = 1;
    for (long i = k; ; i++) {
      sum += term;
      if (term < sum * 1e-17) {
        break;
      }
      term *= lambda / (i + 1);
    }
    return Math.min(1, Math.exp(logFirst + Math.log(sum)));
  }

  /** The largest p-value that still counts after {@code tests} tests at a budget of {@code alpha}. */
  public static double threshold(double alpha, long tests) {
    return alpha / Math.max(1, tests);
  }

  static double logChoose(long n, long k) {
    return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
  }

  private static final double[] SMALL_LOG_FACTORIALS = new double[256];

  static {
    for (int i = 1; i < SMALL_LOG_FACTORIALS.length; i++) {
      SMALL_LOG_FACTORIALS[i] = SMALL_LOG_FACTORIALS[i - 1] + Math.log(i);
    }
  }

  /** ln(n!): exact sums below 256, Stirling's series above (error below 1e-12 there). */
  static double logFactorial(long n) {
    if (n < SMALL_LOG_FACTORIALS.length) {
      return SMALL_LOG_FACTORIALS[(int) n];
    }
    double x = n;
    return x * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI * x) + 1 / (12 * x) - 1 / (360 * x * x * x);
  }
}
