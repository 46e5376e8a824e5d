package dev.berth.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.berth.driver.Labels;
import dev.berth.driver.testing.ContainerCleanup;
import dev.berth.driver.testing.TestEngine;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The entity with the in-memory journal of Akka's testkit, which serializes every command, event
 * and state through our Jackson binding, and the real Docker engine.
 */
class AppEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config()
          .withFallback(ConfigFactory.parseString("akka.actor.provider = local"))
          .withFallback(ConfigFactory.parseResources("berth-akka.conf"))
          .withFallback(ConfigFactory.load())
          .resolve());

  @RegisterExtension final ContainerCleanup cleanup = new ContainerCleanup();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<AppEntity.Command, AppEntity.Event, AppEntity.State> entity(
      String appId) {
    BerthSettings settings = BerthSettings.from(ConfigFactory.parseMap(
            Map.of("berth.node-id", cleanup.nodeId(), "berth.app.image", TestEngine.exampleImage()))
        .withFallback(ConfigFactory.load()), 0);
    NodeServices services = new NodeServices(settings, TestEngine.driver(),
        Executors.newCachedThreadPool(), testKit.spawn(CapacityKeeper.create(settings)));
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        AppEntity.create(appId, shard.ref(), services));
  }

  @Test
  void metadataIsPersistedAndMerged() {
    var app = entity(cleanup.freshAppId("meta"));

    app.<StatusReply<Metadata>>runCommand(
        replyTo -> new AppEntity.SetMetadata(Map.of("a", "1", "b", "2"), "test", replyTo));
    var result = app.<StatusReply<Metadata>>runCommand(
        replyTo -> new AppEntity.SetMetadata(Map.of("b", "3"), "test", replyTo));

    assertEquals(Map.of("a", "1", "b", "3"), result.reply().getValue().values());
    assertInstanceOf(AppEntity.MetadataSet.class, result.event());
    assertEquals(Map.of("a", "1", "b", "3"), result.state().data().metadata());
    assertInstanceOf(AppEntity.NotStarted.class, result.state());
  }

  @Test
  void invalidMetadataPersistsNothing() {
    var app = entity(cleanup.freshAppId("bad-meta"));
    String tooLong = "x".repeat(Metadata.MAX_VALUE_LENGTH + 1);

    var result = app.<StatusReply<Metadata>>runCommand(
        replyTo -> new AppEntity.SetMetadata(Map.of("k", tooLong), "test", replyTo));

    assertTrue(result.reply().isError());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void aStartIsPersistedAnsweredAndSurvivesRecovery() {
    String appId = cleanup.freshAppId("start");
    var app = entity(appId);
    TestProbe<StatusReply<Endpoint>> client = testKit.createTestProbe();

    var result = app.runCommand(new AppEntity.EnsureRunning("test/" + appId, client.ref()));
    assertTrue(result.hasNoEvents(), "nothing is persisted before the container is ready");

    Endpoint endpoint = client.receiveMessage(Duration.ofSeconds(60)).getValue();
    assertEquals(TestEngine.driver().list(Map.of(Labels.APP_ID, appId)).get(0)
        .published().orElseThrow().port(), endpoint.port());
    AppEntity.Running running = assertInstanceOf(AppEntity.Running.class, app.getState());
    assertEquals(1, running.data().startCount());
    assertEquals(cleanup.nodeId(), running.node());

    app.restart();
    AppEntity.Running recovered = assertInstanceOf(AppEntity.Running.class, app.getState());
    assertEquals(running, recovered);
  }
}
