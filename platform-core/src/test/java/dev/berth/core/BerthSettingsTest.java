package dev.berth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The isolation settings, from reference.conf to what the driver and the entities are given. */
class BerthSettingsTest {
  private static BerthSettings read(Map<String, Object> overrides) {
    return BerthSettings.from(
        ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.defaultReference()), 0);
  }

  @Test
  void appsHaveInternetAndAWritableRootUnlessConfiguredOtherwise() {
    BerthSettings defaults = read(Map.of());

    assertTrue(defaults.appInternet());
    assertFalse(defaults.readOnlyRootfs());
    assertEquals("berth", defaults.docker().network());
    assertEquals("berth-internal", defaults.docker().internalNetwork());
  }

  @Test
  void theInternalNetworkIsNamedAfterTheNetworkUnlessNamed() {
    assertEquals("tenants-internal",
        read(Map.of("berth.docker.network", "tenants")).docker().internalNetwork());
    assertEquals("sealed", read(Map.of("berth.docker.network", "tenants",
        "berth.docker.internal-network", "sealed")).docker().internalNetwork());
    assertThrows(ConfigException.BadValue.class, () -> read(Map.of(
        "berth.docker.network", "same", "berth.docker.internal-network", "same")));
  }

  @Test
  void appsWithoutInternetNeedAllNodesOnOneHost() {
    BerthSettings sealed = read(Map.of("berth.app.internet", false,
        "berth.app.read-only-rootfs", true));
    assertFalse(sealed.appInternet());
    assertTrue(sealed.readOnlyRootfs());

    ConfigException refused = assertThrows(ConfigException.BadValue.class, () -> read(Map.of(
        "berth.app.internet", false, "berth.advertised-host", "10.0.0.1")));
    assertTrue(refused.getMessage().contains("loopback"), refused.getMessage());
  }
}
