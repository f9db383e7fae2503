package dev.synscope.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The tails against exact values computed by hand (or by summing the pmf directly). */
class ChanceTest {

  @Test
  void binomialTailMatchesExactSums() {
    assertEquals(56 / 1024.0, Chance.binomialTail(8, 10, 0.5), 1e-15); // C(10,8)+C(10,9)+C(10,10)
    assertEquals(1 / 4096.0, Chance.binomialTail(2, 2, 1 / 64.0), 1e-15);
    assertEquals(exactBinomialTail(3, 10, 1 / 64.0), Chance.binomialTail(3, 10, 1 / 64.0), 1e-15);
    assertEquals(exactBinomialTail(40, 500, 1 / 64.0), Chance.binomialTail(40, 500, 1 / 64.0), 1e-20);
    assertEquals(1, Chance.binomialTail(0, 10, 0.1));
    assertEquals(0, Chance.binomialTail(11, 10, 0.1));
    assertEquals(1, Chance.binomialTail(1, 100, 0.5), "at or below the expected count: no evidence");
  }

  @Test
  void binomialTailIsFiniteForLargeCounts() {
    double p = Chance.binomialTail(3000, 3000, 1 / 32.0);
    assertEquals(0, p); // underflows to zero, never NaN
    double q = Chance.binomialTail(1000, 1_000_000, 1 / 1024.0);
    assertTrue(q > 0 && q < 0.5, "just above the mean of 977: " + q);
  }

  @Test
  void poissonTailMatchesExactSums() {
    assertEquals(1 - Math.exp(-1) * (1 + 1 + 0.5), Chance.poissonTail(3, 1), 1e-15);
    assertEquals(1 - Math.exp(-0.25), Chance.poissonTail(1, 0.25), 1e-15);
    assertEquals(1, Chance.poissonTail(2, 5));
  }

  @Test
  void poissonBoundsTheBinomialFromAbove() {
    for (int k = 2; k < 8; k++) {
      assertTrue(Chance.poissonTail(k, 50 / 64.0) >= Chance.binomialTail(k, 50, 1 / 64.0), "k = " + k);
    }
  }

  @Test
  void logFactorialIsExactEnoughAcrossTheSwitch() {
    double sum = 0;
    for (int i = 1; i <= 300; i++) {
      sum += Math.log(i);
      assertEquals(sum, Chance.logFactorial(i), 1e-9 * sum, "n = " + i);
    }
  }

  @Test
  void theThresholdSharesTheBudgetAmongTheTests() {
    assertEquals(0.01, Chance.threshold(0.01, 0));
    assertEquals(0.0001, Chance.threshold(0.01, 100), 1e-18);
  }

  private static double exactBinomialTail(int k, int n, double p) {
    double sum = 0;
    for (int i = k; i <= n; i++) {
      double c = 1;
      for (int j = 0; j < i; j++) {
        c = c * (n - j) / (j + 1);
      }
      sum += c * Math.pow(p, i) * Math.pow(1 - p, n - i);
    }
    return sum;
  }
}
