package dev.berth.core;

/**
 * Marks what Berth sends between nodes or writes to the journal: commands, replies, events and
 * states. Bound to Jackson (JSON) in reference.conf, so the journal stays readable by auditors.
 */
public interface BerthSerializable {}
