package dev.synscope.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.synscope.decode.FrameDecoder;
import dev.synscope.detect.StateTableStats;
import dev.synscope.flow.FlowStats;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a detector could not keep reaches the reader as a warning, with the parameter to raise. */
class ReportWarningsTest {
  private static Report build(List<StateTableStats> tables) {
    return new ReportBuilder(false).build("test", "t", List.of(), new FrameDecoder().counters(),
        new FlowStats(0, 0, 0, 0, 0, 0, 10, List.of()), tables, List.of(), List.of());
  }

  @Test
  void episodesPastTheCapAreAWarning() {
    Report r = build(List.of(StateTableStats.refusing("syn-flood.episodes", 2, 2, 3)));
    List<String> w = r.warnings().stream().filter(s -> s.startsWith("syn-flood")).toList();
    assertEquals(1, w.size(), r.warnings().toString());
    assertTrue(w.get(0).contains("3 more episode(s) than it keeps (2; raise --param syn-flood.max_episodes)"), w.get(0));
    assertTrue(build(List.of(StateTableStats.refusing("syn-flood.episodes", 2, 2, 0))).warnings().stream()
        .noneMatch(s -> s.startsWith("syn-flood")), "nothing refused, nothing said");
  }
}
