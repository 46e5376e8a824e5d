package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedProxiesTest {
  private static InetAddress address(String literal) {
    return TrustedProxies.literal(literal).orElseThrow();
  }

  @Test
  void rangesContainTheirAddressesAndNoOthers() {
    TrustedProxies trusted = TrustedProxies.parse(" 10.0.0.0/8, 192.168.1.10 ,172.16.0.0/13, fd00::/8, ::1 ");

    assertTrue(trusted.contains(address("10.255.0.1")));
    assertFalse(trusted.contains(address("11.0.0.1")));
    assertTrue(trusted.contains(address("192.168.1.10")));
    assertFalse(trusted.contains(address("192.168.1.11")));
    assertTrue(trusted.contains(address("172.23.255.255")));
    assertFalse(trusted.contains(address("172.24.0.0")));
    assertTrue(trusted.contains(address("fd12:3456::1")));
    assertTrue(trusted.contains(address("::1")));
    assertFalse(trusted.contains(address("::2")));
    assertTrue(trusted.contains(address("::ffff:10.1.2.3")), "an IPv4-mapped address is its IPv4 address");
  }

  @Test
  void nothingIsTrustedByDefault() {
    assertFalse(TrustedProxies.parse("").contains(address("127.0.0.1")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"proxy.example.org", "10.0.0.0/33", "10.0.0.256", "10.0.0.0/x", "::1/129"})
  void aMistypedEntryStopsTheNodeFromStarting(String entry) {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse("10.0.0.1, " + entry));
    assertTrue(refused.getMessage().contains(entry), refused.getMessage());
  }

  @Test
  void literalsAreReadWithPortsAndBracketsButNamesAreNeverLookedUp() {
    assertEquals(Optional.of(address("203.0.113.7")), TrustedProxies.literal("203.0.113.7:4711"));
    assertEquals(Optional.of(address("2001:db8::1")), TrustedProxies.literal("[2001:db8::1]:443"));
    assertEquals(Optional.empty(), TrustedProxies.literal("localhost"));
    assertEquals(Optional.empty(), TrustedProxies.literal("unknown"));
    assertEquals(Optional.empty(), TrustedProxies.literal("::zz"));
  }
}
