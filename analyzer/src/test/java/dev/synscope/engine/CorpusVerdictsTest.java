package dev.synscope.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synscope.testing.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The public corpus reviewed file by file (docs/corpus-review.md says why each verdict is right):
 * the findings synscope gives each capture, exactly, and the warnings that say what the capture
 * cannot show. A verdict that changes must be reviewed again against the packets.
 */
class CorpusVerdictsTest {
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
      chrissanders-http_espn_fail.pcapng | medium connect-timeout 203.0.113.94:80;low close-wait 172.16.16.154:64867 | -
      chrissanders-http_ip4and6.pcapng | - | -
      chrissanders-nowebaccess3.pcapng | - | -
      chrissanders-synscan.pcapng | - | -
      chrissanders-tcp_handshake.pcapng | - | -
      chrissanders-tcp_refuseconnection.pcapng | - | -
      chrissanders-tcp_teardown.pcapng | - | -
      stopddos-amp.TCP.reflection.SYNACK.pcap | - | one direction only
      stopddos-amp.TCP.syn.optionallyACK.optionallysamePort.pcapng | - | -
      stopddos-pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng | high syn-flood 10.10.10.10:30120 | one direction only
      stopddos-pkt.TCP.synflood.spoofed.first20000.pcap | high syn-flood 10.10.10.10:25565 | every TCP segment in the capture is a SYN
      suricata-bug-7657-same-tuple-syn-flood.pcap | - | -
      suricata-decode-sll2-01.pcap | - | -
      suricata-ftp-all-data-ipv6.pcap | - | -
      suricata-http-ipv6-null.pcap | - | -
      suricata-http-range-multiflows.pcap | - | -
      suricata-linktype-228-ipv4.pcap | - | -
      suricata-onesided-nosyn.pcap | - | one direction only
      suricata-output-eve-ftp-data.pcap | - | -
      suricata-security-4710-02-synack-retrans.pcap | - | -
      suricata-syn-flood-200.pcap | high syn-flood 198.51.100.5:443 | every TCP segment in the capture is a SYN
      suricata-tcp-async-server-only.pcap | - | one direction only
      suricata-tcp-fastopen-10-syn-data-ignore.pcap | - | -
      suricata-tcp-split-handshake-01-4whs.pcap | info simultaneous-open 1.1.1.1:12345<->2.2.2.2:80 | -
      suricata-tcp-split-handshake-02-5whs.pcap | info simultaneous-open 1.1.1.1:12345<->2.2.2.2:80 | -
      suricata-vlan-ipv6-bug-814.pcap | - | -
      suricata-vlan-syn-retransmit-with-ts.pcap | - | -
      tcpdump-accecn_handshake.pcap | - | -
      tcpdump-heapoverflow-tcp_print.pcap | low self-connect 48.48.48.48:12336 | one direction only
      tcpdump-mptcp-dss-oobr.pcap | - | -
      tcpdump-resp_1_benchmark.pcap | - | -
      tcpdump-tcp-handshake-nano.pcap | - | -
      tcpdump-tfo-5c1fa7f9ae91.pcap | - | one direction only
      """)
  void eachCaptureGetsTheVerdictItsPacketsSupport(String file, String findings, String warning) throws Exception {
    Path capture = CorpusTest.corpusDir().resolve(file);
    Assumptions.assumeTrue(Files.isRegularFile(capture), () -> "corpus not found: " + capture);
    Cli.Result r = Cli.run("analyze", capture.toString());
    assertEquals(0, r.exitCode(), r.stderr());
    JsonNode report = new ObjectMapper().readTree(r.stdout());
    List<String> got = new ArrayList<>();
    for (JsonNode f : report.get("findings")) {
      got.add(f.get("severity").asText() + " " + f.get("detector").asText() + " " + f.get("target").asText());
    }
    assertEquals(findings == null ? List.of() : List.of(findings.split(";")), got, file);
    if (warning != null) {
      assertTrue(report.get("warnings").toString().contains(warning), file + ": " + report.get("warnings"));
    }
  }
}
