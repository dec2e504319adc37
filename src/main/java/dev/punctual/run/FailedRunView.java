package dev.punctual.run;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * A run in the list of failed runs across jobs (dead letters; docs/api.md, "Failures"): the run's
 * fields and its job's name, so that a list of runs of many jobs can name them without a request
 * per job.
 */
record FailedRunView(@JsonUnwrapped RunView run, String jobName) {}
