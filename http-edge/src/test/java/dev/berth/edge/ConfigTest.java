package dev.berth.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import dev.berth.driver.ContainerInfo;
import dev.berth.driver.DockerDriverSettings;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import dev.berth.edge.testing.Http;
import dev.berth.edge.testing.SharedNode;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GET and PUT /app/{appId}/_config through a real node, checked in Docker's own view. */
class ConfigTest {
  private static final String SECRET = "s3cr3t-value-never-shown";

  @RegisterExtension static final ContainerCleanup cleanup = new ContainerCleanup();
  @RegisterExtension static final SharedNode node = new SharedNode(cleanup, Map.of(
      "berth.instance-types.tiny", Map.of("memory", "96MiB", "cpus", 0.25, "pids", 64)));

  @Test
  void anAppWithoutConfigurationFollowsTheNodeDefaultsAndStartsNothing() {
    String appId = cleanup.freshAppId("defaults");

    JsonNode config = Http.getJson(node.app(appId, "/_config"));

    assertTrue(config.get("image").isNull());
    assertTrue(config.get("instanceType").isNull());
    JsonNode effective = config.get("effective");
    assertEquals(TestEngine.exampleImage(), effective.get("image").asText());
    assertEquals(8080, effective.get("port").asInt());
    assertEquals("/health", effective.get("healthPath").asText());
    assertEquals("standard", effective.get("instanceType").get("name").asText());
    assertEquals(512L * 1024 * 1024, effective.get("instanceType").get("memory").asLong());
    assertEquals("10m", effective.get("sleepAfter").asText());
    assertTrue(containers(appId).isEmpty());
  }

  @Test
  void theNextStartUsesTheConfigurationAndSecretsAreNeverShown() {
    String appId = cleanup.freshAppId("configured");
    HttpResponse<String> put = Http.put(node.app(appId, "/_config"), """
        {"port": 9090, "env": {"LOG_LEVEL": "debug"}, "secrets": {"DB_PASSWORD": "%s"},
         "instanceType": "small", "sleepAfter": "90s"}""".formatted(SECRET));

    assertEquals(200, put.statusCode(), put.body());
    assertFalse(put.body().contains(SECRET), put.body());
    JsonNode stored = Http.getJson(node.app(appId, "/_config"));
    assertEquals("(set)", stored.get("secrets").get("DB_PASSWORD").asText());
    assertEquals("debug", stored.get("env").get("LOG_LEVEL").asText());
    assertEquals("90s", stored.get("sleepAfter").asText());
    assertEquals(9090, stored.get("effective").get("port").asInt());

    assertEquals(200, Http.get(node.app(appId, "/api/data")).statusCode());

    InspectContainerResponse container = inspectOnlyContainer(appId);
    List<String> env = Arrays.asList(container.getConfig().getEnv());
    assertTrue(env.contains("LOG_LEVEL=debug"), env.toString());
    assertTrue(env.contains("DB_PASSWORD=" + SECRET), "the secret reaches the container");
    assertTrue(env.contains("PORT=9090"), env.toString());
    assertEquals(256L * 1024 * 1024, container.getHostConfig().getMemory());
    assertEquals(500_000_000L, container.getHostConfig().getNanoCPUs());
    assertEquals(128L, container.getHostConfig().getPidsLimit());
    assertTrue(container.getHostConfig().getPortBindings().getBindings().containsKey(ExposedPort.tcp(9090)),
        "the app's port 9090 is the one published");

    for (String url : List.of(node.app(appId, "/_config"), node.app(appId, "/_status"),
        node.app(appId, "/_events"), node.baseUrl() + "/_audit?limit=1000")) {
      String body = Http.get(url).body();
      assertFalse(body.contains(SECRET), url + " shows the secret: " + body);
    }
    assertTrue(Http.get(node.app(appId, "/_events")).body().contains("DB_PASSWORD"),
        "the audit log says the secret was set");
  }

  @Test
  void namedCustomTypesAndSizesOfTheirOwn() {
    String named = cleanup.freshAppId("tiny");
    String sized = cleanup.freshAppId("sized");
    assertEquals(200, Http.put(node.app(named, "/_config"), "{\"instanceType\": \"tiny\"}").statusCode());
    HttpResponse<String> custom = Http.put(node.app(sized, "/_config"),
        "{\"instanceType\": {\"memory\": \"200MiB\", \"cpus\": 0.75, \"pids\": 100}}");
    assertEquals(200, custom.statusCode(), custom.body());
    assertEquals("custom", Http.json(custom).get("effective").get("instanceType").get("name").asText());

    Http.get(node.app(named, "/"));
    Http.get(node.app(sized, "/"));

    var tiny = inspectOnlyContainer(named).getHostConfig();
    assertEquals(96L * 1024 * 1024, tiny.getMemory());
    assertEquals(250_000_000L, tiny.getNanoCPUs());
    assertEquals(64L, tiny.getPidsLimit());
    var own = inspectOnlyContainer(sized).getHostConfig();
    assertEquals(200L * 1024 * 1024, own.getMemory());
    assertEquals(750_000_000L, own.getNanoCPUs());
    assertEquals(100L, own.getPidsLimit());
  }

  @Test
  void anAppWithoutInternetRunsOnlyOnTheInternalNetworkAndStillAnswers() {
    String appId = cleanup.freshAppId("offline");
    HttpResponse<String> put = Http.put(node.app(appId, "/_config"), "{\"internet\": false}");
    assertEquals(200, put.statusCode(), put.body());
    assertFalse(Http.json(put).get("effective").get("internet").asBoolean());

    assertEquals(200, Http.get(node.app(appId, "/api/data")).statusCode());

    Map<String, ?> networks = inspectOnlyContainer(appId).getNetworkSettings().getNetworks();
    assertEquals(Set.of(DockerDriverSettings.defaults().internalNetwork()), networks.keySet());
  }

  @Test
  void restartTrueAppliesAtOnceAndWithoutItAtTheNextStart() {
    String appId = cleanup.freshAppId("restart");
    Http.get(node.app(appId, "/"));
    String first = onlyContainer(appId).id();

    HttpResponse<String> later = Http.put(node.app(appId, "/_config"), "{\"env\": {\"STAGE\": \"one\"}}");
    assertFalse(Http.json(later).get("restarted").asBoolean());
    assertEquals(first, onlyContainer(appId).id(), "without restart the running container stays");

    HttpResponse<String> now = Http.put(node.app(appId, "/_config?restart=true"),
        "{\"env\": {\"STAGE\": \"two\"}}");
    assertEquals(200, now.statusCode(), now.body());
    assertTrue(Http.json(now).get("restarted").asBoolean());
    ContainerInfo second = onlyContainer(appId);
    assertNotEquals(first, second.id());
    assertTrue(Arrays.asList(TestEngine.docker().inspectContainerCmd(second.id()).exec()
        .getConfig().getEnv()).contains("STAGE=two"));
    assertEquals(2, Http.getJson(node.app(appId, "/_status")).get("stats").get("startCount").asInt());
  }

  @Test
  void whatGetAnswersCanBePutBackAndKeepsSecrets() {
    String appId = cleanup.freshAppId("roundtrip");
    Http.put(node.app(appId, "/_config"), "{\"secrets\": {\"TOKEN\": \"" + SECRET + "\"}, \"port\": 9091}");
    String shown = Http.get(node.app(appId, "/_config")).body();

    HttpResponse<String> back = Http.put(node.app(appId, "/_config"), shown);

    assertEquals(200, back.statusCode(), back.body());
    ObjectNode answered = (ObjectNode) Http.json(back);
    answered.remove("restarted");
    assertEquals(Http.parse(shown), answered);
    Http.get(node.app(appId, "/"));
    assertTrue(Arrays.asList(inspectOnlyContainer(appId).getConfig().getEnv()).contains("TOKEN=" + SECRET));

    Http.put(node.app(appId, "/_config"), "{\"secrets\": {\"TOKEN\": null}}");
    assertTrue(Http.getJson(node.app(appId, "/_config")).get("secrets").isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"instanceType\": \"huge\"}",
      "{\"sleepAfter\": \"soon\"}",
      "{\"sleepAfter\": \"10\"}",
      "{\"port\": 0}",
      "{\"port\": 70000}",
      "{\"port\": \"80\"}",
      "{\"internet\": \"no\"}",
      "{\"image\": \"berth/no-such-image:never\"}",
      "{\"healthPath\": \"health\"}",
      "{\"env\": {\"1BAD\": \"x\"}}",
      "{\"env\": {\"PORT\": \"1\"}}",
      "{\"env\": {\"A\": 1}}",
      "{\"imgae\": \"typo\"}",
      "{\"instanceType\": {\"memory\": \"1MiB\", \"cpus\": 1, \"pids\": 100}}",
      "{\"instanceType\": {\"memory\": \"100MiB\", \"cpus\": 0, \"pids\": 100}}",
      "[1, 2]",
      "not json"})
  void invalidConfigurationIsA400AndStoresNothing(String body) {
    String appId = cleanup.freshAppId("invalid");

    HttpResponse<String> response = Http.put(node.app(appId, "/_config"), body);

    assertEquals(400, response.statusCode(), response.body());
    JsonNode error = Http.json(response);
    assertEquals("bad_request", error.get("error").asText());
    assertFalse(error.get("message").asText().isBlank());
    assertEquals(0, Http.getJson(node.app(appId, "/_events")).get("events").size());
  }

  @Test
  void theMessageNamesWhatIsWrong() {
    String appId = cleanup.freshAppId("why");

    JsonNode error = Http.json(Http.put(node.app(appId, "/_config"),
        "{\"instanceType\": \"huge\", \"port\": 70000, \"image\": \"berth/no-such-image:never\"}"));

    String message = error.get("message").asText();
    assertTrue(message.contains("unknown instance type 'huge'") && message.contains("tiny"), message);
    assertTrue(message.contains("port must be from 1 to 65535"), message);
  }

  @Test
  void aMissingImageIsNamed() {
    String appId = cleanup.freshAppId("image");

    JsonNode error = Http.json(Http.put(node.app(appId, "/_config"),
        "{\"image\": \"berth/no-such-image:never\"}"));

    assertTrue(error.get("message").asText().contains("berth/no-such-image:never is not on the engine"),
        error.toString());
  }

  private static List<ContainerInfo> containers(String appId) {
    return TestEngine.driver().list(Map.of(Labels.APP_ID, appId));
  }

  private static ContainerInfo onlyContainer(String appId) {
    List<ContainerInfo> found = containers(appId);
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }

  private static InspectContainerResponse inspectOnlyContainer(String appId) {
    return TestEngine.docker().inspectContainerCmd(onlyContainer(appId).id()).exec();
  }
}
