package dev.synscope.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.synscope.decode.IpAddress;
import org.junit.jupiter.api.Test;

class RecentAddressesTest {
  private final RecentAddresses recent = new RecentAddresses();

  @Test
  void aRepeatedAddressIsOneObject() {
    IpAddress a = recent.address(4, 0, 0x0a000001L);
    assertSame(a, recent.address(4, 0, 0x0a000001L));
    assertEquals(IpAddress.parse("10.0.0.1"), a);
    assertSame(recent.responder(a, 80), recent.responder(IpAddress.parse("10.0.0.1"), 80));
  }

  @Test
  void manyAddressesSharingSlotsAlwaysComeBackRight() {
    // Far more addresses than slots: every answer must still be the address asked for.
    for (int round = 0; round < 2; round++) {
      for (long lo = 0; lo < 20_000; lo++) {
        IpAddress a = recent.address(lo % 3 == 0 ? 6 : 4, lo % 3 == 0 ? 0xfd00L << 48 : 0, lo);
        assertEquals(lo, a.lo());
        assertEquals(lo % 3 == 0 ? 6 : 4, a.version());
        HostPort r = recent.responder(a, (int) (lo % 65_536));
        assertEquals(a, r.host());
        assertEquals(lo % 65_536, r.port());
      }
    }
  }
}
