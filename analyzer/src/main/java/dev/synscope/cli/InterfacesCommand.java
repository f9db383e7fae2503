package dev.synscope.cli;

import dev.synscope.capture.Interfaces;
import java.io.PrintWriter;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code synscope interfaces}: the devices libpcap can capture on, with their flags and addresses,
 * one per line as {@code tcpdump -D} lists them. Needs libpcap, not root.
 */
final class InterfacesCommand implements Command {

  @Override
  public String name() {
    return "interfaces";
  }

  @Override
  public String description() {
    return "list the interfaces live capture can use, with their addresses";
  }

  @Override
  public Options optionDefinitions() {
    return options();
  }

  static Options options() {
    Options o = new Options();
    o.addOption(Option.builder().longOpt("debug").desc("print stack traces of errors").get());
    o.addOption(Option.builder("h").longOpt("help").desc("this help").get());
    return o;
  }

  @Override
  public int run(String[] args, Io io) throws Exception {
    Options options = options();
    CommandLine cl = AnalyzeCommand.parse(options, args);
    if (cl.hasOption("help")) {
      PrintWriter w = new PrintWriter(io.out());
      new HelpFormatter().printHelp(w, 100, "synscope interfaces",
          "List the capture devices: name, flags, addresses (as tcpdump -D).", options, 2, 2,
          "exit codes: 0 listed, 2 usage, 3 libpcap missing or cannot list devices");
      w.flush();
      return ExitCode.OK;
    }
    if (!cl.getArgList().isEmpty()) {
      throw new UsageException("takes no arguments, not '" + cl.getArgList().get(0) + "'");
    }
    int n = 0;
    for (Interfaces.Device d : Interfaces.list()) {
      io.out().println(++n + "." + d);
    }
    if (n == 0) {
      io.err().println("synscope: no capture interface found (live capture may need root: see 'synscope live --help')");
    }
    io.out().flush();
    return ExitCode.OK;
  }
}
