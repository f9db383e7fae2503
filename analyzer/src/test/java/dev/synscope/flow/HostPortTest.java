package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.synscope.decode.IpAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostPortTest {
  @Test
  void equalByValueSoEachConnectionsOwnInstanceFindsTheListener() {
    Map<HostPort, String> listeners = new HashMap<>();
    listeners.put(new HostPort(IpAddress.parse("10.0.0.1"), 80), "web");
    assertEquals("web", listeners.get(new HostPort(IpAddress.parse("10.0.0.1"), 80)));
    assertEquals(null, listeners.get(new HostPort(IpAddress.parse("10.0.0.1"), 81)));
    assertEquals(null, listeners.get(new HostPort(IpAddress.parse("10.0.0.2"), 80)));
  }

  @Test
  void anIpv4AddressAndAnIpv6AddressWithTheSameBitsDiffer() {
    // ::10.0.0.1 holds 10.0.0.1's 32 bits in its low word, like the IPv4 address does.
    assertNotEquals(new HostPort(IpAddress.parse("10.0.0.1"), 80), new HostPort(IpAddress.parse("::10.0.0.1"), 80));
  }

  @Test
  void printsAsToolsDo() {
    assertEquals("10.0.0.1:80", new HostPort(IpAddress.parse("10.0.0.1"), 80).toString());
    assertEquals("[fd00::1]:443", new HostPort(IpAddress.parse("fd00::1"), 443).toString());
  }
}
