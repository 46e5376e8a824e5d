package dev.berth.core;

import akka.actor.typed.ActorRef;
import dev.berth.driver.ContainerDriver;
import java.util.concurrent.Executor;

/**
 * What every app entity on a node shares: the node's settings, its container driver, and the
 * thread pool on which the driver's blocking calls run, and the cluster's capacity keeper.
 */
public record NodeServices(
    BerthSettings settings,
    ContainerDriver driver,
    Executor blocking,
    ActorRef<CapacityKeeper.Command> capacity) {}
