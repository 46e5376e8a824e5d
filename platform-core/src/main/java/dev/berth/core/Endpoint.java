package dev.berth.core;

/** Where a running app's container answers HTTP. */
public record Endpoint(String host, int port) implements BerthSerializable {}
