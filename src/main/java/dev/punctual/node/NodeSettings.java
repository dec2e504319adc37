package dev.punctual.node;

import java.time.Duration;

/** What the nodes list needs of the settings: how long without a heartbeat makes a node dead. */
public record NodeSettings(Duration deadAfter) {}
