package dev.punctual.definition;

import dev.punctual.schedule.Schedule;

/** What the engine needs of a job to fire it and deliver its runs. */
public record JobDefinition(
    Schedule schedule, Target target, RetryPolicy retry, Overlap overlap, Misfire misfire) {}
