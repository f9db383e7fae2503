package dev.synscope.report;

import dev.synscope.detect.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What a CI gate ({@code synscope check}) makes of a report's findings: each one fails the gate,
 * is accepted by the policy, or is below {@code --fail-on}. Computed once, outside the writers, so
 * the exit code, SARIF, JUnit and HTML all say the same.
 *
 * @param judgements one per report finding, in the report's order
 */
public record Verdict(Severity failOn, List<Judgement> judgements) {

  /** The default gate of {@code synscope check}. */
  public static final Severity DEFAULT_FAIL_ON = Severity.MEDIUM;

  public enum Outcome {
    /** At or above --fail-on and not accepted. */
    FAILS,
    /** At or above --fail-on, but accepted by the policy. */
    ACCEPTED,
    /** Below --fail-on. */
    BELOW_THRESHOLD
  }

  /** @param reason the policy's reason for an accepted finding, else null */
  public record Judgement(Report.ReportFinding finding, Outcome outcome, String reason) {}

  /**
   * Judges every finding.
   *
   * @param acceptance the policy's reason for accepting a finding, or null when it does not
   */
  public static Verdict of(Report report, Severity failOn, Function<Report.ReportFinding, String> acceptance) {
    List<Judgement> out = new ArrayList<>();
    for (Report.ReportFinding f : report.findings()) {
      Severity s = Severity.parse(f.severity());
      String reason = acceptance.apply(f);
      Outcome o;
      if (s.compareTo(failOn) < 0) {
        o = Outcome.BELOW_THRESHOLD;
      } else if (reason != null) {
        o = Outcome.ACCEPTED;
      } else {
        o = Outcome.FAILS;
      }
      out.add(new Judgement(f, o, o == Outcome.ACCEPTED || o == Outcome.BELOW_THRESHOLD ? reason : null));
    }
    return new Verdict(failOn, List.copyOf(out));
  }

  /** The default gate with no policy: what {@code synscope check CAPTURE} would say. */
  public static Verdict defaults(Report report) {
    return of(report, DEFAULT_FAIL_ON, f -> null);
  }

  public boolean failed() {
    return count(Outcome.FAILS) > 0;
  }

  public long count(Outcome outcome) {
    return judgements.stream().filter(j -> j.outcome() == outcome).count();
  }
}
