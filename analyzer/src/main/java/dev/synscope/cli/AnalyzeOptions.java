package dev.synscope.cli;

import dev.synscope.flow.MemoryBudget;
import java.util.List;
import java.util.Map;

/**
 * The analyze command's options, parsed once and immutable.
 *
 * @param inputs capture paths in the order given ('-' is stdin; a directory means its captures)
 * @param formats report formats, at least one
 * @param output file (one format) or directory (several); null for stdout
 * @param detectors detector ids to run; empty for all
 * @param params detector overrides keyed "id.key"
 * @param memory the memory budget of the analysis's state ({@code --memory}, else from the heap)
 * @param quiet no progress line ({@code --quiet})
 * @param threads threads for the analysis ({@code --threads}); the report does not depend on it
 */
record AnalyzeOptions(
    List<String> inputs,
    List<String> formats,
    String output,
    boolean connections,
    int maxFlows,
    String reader,
    List<String> detectors,
    Map<String, String> params,
    boolean debug,
    MemoryBudget memory,
    boolean quiet,
    int threads) {}
