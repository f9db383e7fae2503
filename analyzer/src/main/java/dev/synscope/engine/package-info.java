/**
 * The analysis loop that joins the layers: it reads a {@code capture} source, decodes with
 * {@code decode}, tracks with {@code flow}, dispatches events to {@code detect} and builds the
 * {@code report}. Knows nothing of command lines.
 */
package dev.synscope.engine;
