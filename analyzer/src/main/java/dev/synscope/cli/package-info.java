/**
 * The command line: parses arguments into immutable option records, opens the sources, picks the
 * detectors and writes the reports. The composition root: may import every other package; only
 * {@link dev.synscope.cli.Main#main} exits the JVM.
 */
package dev.synscope.cli;
