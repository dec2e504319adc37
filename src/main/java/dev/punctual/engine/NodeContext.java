package dev.punctual.engine;

/**
 * What every stage of one node's engine shares: who it is, its settings, its metrics, threads and
 * tracing, and its clocks (the monotonic {@link Ticker} and the database's {@link DatabaseClock}).
 */
record NodeContext(
    String nodeId,
    EngineSettings settings,
    EngineMetrics metrics,
    EngineThreads threads,
    Ticker ticker,
    DatabaseClock clock,
    EngineTracing tracing) {}
