package dev.synscope.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.flow.MemoryBudget;
import dev.synscope.testing.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code --memory} sets the flow capacity and every table's cap; bad sizes are usage errors. */
class MemoryOptionTest {
  private static final Path ROOT = Path.of(System.getProperty("synscope.root", "..")).toAbsolutePath().normalize();
  private static final String MIXED = ROOT.resolve("samples").resolve("mixed.pcap").toString();

  private static JsonNode analyze(String... options) throws Exception {
    String[] args = new String[options.length + 2];
    args[0] = "analyze";
    System.arraycopy(options, 0, args, 1, options.length);
    args[args.length - 1] = MIXED;
    Cli.Result r = Cli.run(args);
    assertEquals(0, r.exitCode(), r.stderr());
    return new ObjectMapper().readTree(r.stdout());
  }

  @Test
  void theBudgetSetsTheFlowCapacityAndTheTableCaps() throws Exception {
    JsonNode state = analyze("--memory", "64m").at("/stats/state");
    long bytes = 64L << 20;
    assertEquals(bytes / 100 * 60 / MemoryBudget.FLOW_BYTES, state.at("/flows/cap").asLong());
    // syn-flood targets: 2 % of the budget at 512 bytes each.
    assertEquals(bytes / 100 * 2 / 512, state.at("/syn-flood.listeners/cap").asLong());
    assertEquals(4, state.at("/syn-flood.listeners/peak").asLong(), "the mixed sample's four listeners");
    assertEquals(0, state.at("/flows/evicted").asLong());
  }

  @Test
  void maxFlowsAndParamsOverrideTheBudget() throws Exception {
    JsonNode r = analyze("--memory", "64m", "--max-flows", "5000", "--param", "syn-flood.max_listeners=2");
    assertEquals(5000, r.at("/stats/state/flows/cap").asLong());
    assertEquals(5000, r.at("/stats/flows/max_flows").asLong());
    JsonNode listeners = r.at("/stats/state/syn-flood.listeners");
    assertEquals(2, listeners.get("cap").asLong());
    assertEquals(2, listeners.get("peak").asLong());
    assertTrue(listeners.get("evicted").asLong() > 0, listeners.toString());
    assertEquals(1538, r.at("/summary/connections").asLong(), "every connection still counted");
    JsonNode full = analyze("--max-flows", "500");
    assertEquals(500, full.at("/stats/state/flows/peak").asLong());
    assertTrue(full.at("/stats/state/flows/evicted").asLong() > 0);
    assertEquals(1, full.at("/stats/state/flows/emergencies").size());
    assertTrue(full.get("warnings").toString().contains("emergency mode"), full.get("warnings").toString());
  }

  @Test
  void aBadSizeIsAUsageError() {
    for (String bad : new String[] {"abc", "1k", "-5m", "12x"}) {
      Cli.Result r = Cli.run("analyze", "--memory", bad, MIXED);
      assertEquals(ExitCode.USAGE, r.exitCode(), bad);
      assertTrue(r.stderr().startsWith("synscope analyze: --memory: "), r.stderr());
      assertEquals(1, r.stderr().strip().lines().count(), "one line: " + r.stderr());
      assertFalse(r.stderr().contains("Exception"), r.stderr());
    }
  }

  @Test
  void theReportsOwnTablesAreCappedAndCountWhatTheyRefuse() throws Exception {
    JsonNode whole = analyze();
    assertEquals(4, whole.at("/stats/state/report.listeners/peak").asLong());
    assertEquals(0, whole.at("/stats/state/report.listeners/refused").asLong());
    assertEquals(10_000, whole.at("/stats/state/report.listeners/cap").asLong());
    JsonNode r = analyze("--param", "report.max_listeners=2", "--param", "report.max_timeline_hosts=1");
    JsonNode listeners = r.at("/stats/state/report.listeners");
    assertEquals(2, listeners.get("cap").asLong());
    assertEquals(2, listeners.get("peak").asLong());
    long untracked = r.at("/listeners/untracked_connections").asLong();
    assertTrue(untracked > 0, r.get("listeners").toString());
    assertEquals(untracked, listeners.get("refused").asLong(), "refused counts the untracked connections");
    assertEquals(2, r.at("/listeners/tracked").asLong());
    JsonNode hosts = r.at("/stats/state/report.timeline_hosts");
    assertEquals(1, hosts.get("peak").asLong());
    assertEquals(hosts.get("refused").asLong(), r.at("/timeline/time_wait_other_hosts").asLong());
    assertEquals(whole.at("/findings"), r.at("/findings"), "the report's caps never change a verdict");
    for (String bad : new String[] {"report.max_rows=5", "report.max_listeners=0", "report.max_listeners=x",
        "report.max_census_hosts=0", "syn-flood.max_episodes=0", "syn-cookies.max_episodes=x"}) {
      Cli.Result e = Cli.run("analyze", "--param", bad, MIXED);
      assertEquals(ExitCode.USAGE, e.exitCode(), bad);
      assertEquals(1, e.stderr().strip().lines().count(), "one line: " + e.stderr());
    }
  }

  @Test
  void theFixedCeilingsAreTablesToo() throws Exception {
    JsonNode state = analyze("--param", "syn-flood.max_sources=3", "--param", "syn-cookies.max_pairs=2").at("/stats/state");
    assertEquals(3, state.at("/syn-flood.sources/cap").asLong());
    assertTrue(state.at("/syn-flood.sources/peak").asLong() <= 3);
    assertEquals(2, state.at("/syn-cookies.pairs/cap").asLong());
    assertEquals(2, state.at("/syn-cookies.pairs/peak").asLong());
    assertTrue(state.at("/syn-cookies.pairs/refused").asLong() > 0, state.toString());
  }

  /** --threads takes a whole number from 1 to 64; anything else is one line and exit 2. */
  @Test
  void aBadThreadCountIsAUsageError() {
    for (String bad : new String[] {"0", "-1", "65", "1000", "two", ""}) {
      Cli.Result e = Cli.run("analyze", "--threads", bad, MIXED);
      assertEquals(ExitCode.USAGE, e.exitCode(), bad);
      assertEquals(1, e.stderr().strip().lines().count(), "one line: " + e.stderr());
      assertTrue(e.stderr().contains("--threads"), e.stderr());
    }
  }
}
