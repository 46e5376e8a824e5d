package dev.berth.edge;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.Uri;
import akka.management.javadsl.AkkaManagement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.berth.core.Platform;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import sun.misc.Signal;
import org.slf4j.LoggerFactory;

/** One Berth node: the platform and the HTTP edge in one actor system. */
public final class BerthNode {
  private static final Logger log = LoggerFactory.getLogger(BerthNode.class);

  private final ActorSystem<Void> system;
  private final Platform platform;
  private final ServerBinding binding;

  private final Uri management;

  private BerthNode(ActorSystem<Void> system, Platform platform, ServerBinding binding, Uri management) {
    this.system = system;
    this.platform = platform;
    this.binding = binding;
    this.management = management;
  }

  /**
   * Starts a node and waits until it listens.
   *
   * @param overrides settings that win over application.conf and the environment
   */
  public static BerthNode start(Config overrides) {
    Config config = Platform.loadConfig(overrides);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "berth", config);
    try {
      Platform platform = Platform.start(system);
      EdgeRoutes routes = new EdgeRoutes(system, platform);
      ServerBinding binding = Http.get(system)
          .newServerAt(config.getString("berth.http.host"), config.getInt("berth.http.port"))
          .bind(routes.routes())
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      Duration drain = config.getDuration("berth.edge.drain-timeout");
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
      shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind",
          () -> binding.unbind().thenApply(unbound -> Done.getInstance()));
      shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "http-drain",
          () -> binding.terminate(drain).thenApply(terminated -> Done.getInstance()));
      Uri management = AkkaManagement.get(system).start().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      log.info("Berth node {} listening on http://{}, cluster management on {}",
          platform.nodeAddress(),
          binding.localAddress().getHostString() + ":" + binding.localAddress().getPort(),
          management);
      return new BerthNode(system, platform, binding, management);
    } catch (Exception | Error e) {
      system.terminate();
      throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(
          "Berth could not start: " + e.getMessage(), e);
    }
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** Where Akka Management answers: /ready, /alive, /cluster/members. */
  public Uri managementUri() {
    return management;
  }

  public Platform platform() {
    return platform;
  }

  /** Stops the node as SIGTERM does: no new connections, requests in flight finish, then exit. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated());
  }

  public static void main(String[] args) {
    BerthNode node;
    try {
      // A node that is downed, or leaves, ends its process, so that whatever supervises it
      // starts a fresh one; nodes run inside tests leave the JVM alone.
      node = start(ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on"));
    } catch (RuntimeException e) {
      log.error("Berth could not start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    stopOnSignal(node, "TERM");
    stopOnSignal(node, "INT");
    node.system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * Runs the node's graceful shutdown on the signal, before the JVM starts its own: the JVM's
   * shutdown hooks run all at once, and H2's would close the journal while the node still
   * records what its shutdown does.
   */
  private static void stopOnSignal(BerthNode node, String signal) {
    Signal.handle(new Signal(signal), received -> {
      log.info("SIG{}: shutting down", signal);
      node.stop();
    });
  }
}
