package dev.punctual.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.time.Instant;

/**
 * db-scheduler (com.github.kagkarlsson:db-scheduler) with {@code pollUsingLockAndFetch}, tuned as
 * its README suggests for throughput: 50 threads, a pool as large, polling every 500 ms (100 ms for
 * the lag runs, where its polling interval is its precision).
 */
final class DbSchedulerSystem implements BenchSystem {
  static final String TASK = "bench";

  @Override
  public String name() {
    return "db-scheduler";
  }

  @Override
  public void prepare(BenchDb db) throws Exception {
    // The table of db-scheduler's PostgreSQL schema (its documentation's DDL, with the columns
    // of its later versions).
    db.execute(
        """
        create table scheduled_tasks (
            task_name text not null,
            task_instance text not null,
            task_data bytea,
            execution_time timestamptz,
            picked boolean not null,
            picked_by text,
            last_success timestamptz,
            last_failure timestamptz,
            consecutive_failures int,
            last_heartbeat timestamptz,
            version bigint not null,
            priority smallint,
            state text,
            primary key (task_name, task_instance));
        create index execution_time_idx on scheduled_tasks (execution_time);
        create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
        create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
        """);
  }

  @Override
  public void seed(BenchDb db, int n, Instant start, double perSecond) throws Exception {
    db.execute(
        """
        insert into scheduled_tasks (task_name, task_instance, execution_time, picked, version)
        select '%s', 'job-' || i, %s, false, 1 from generate_series(0, %d) i
        """
            .formatted(TASK, BenchSystem.dueAt(start, perSecond), n - 1));
    db.execute("analyze");
  }

  @Override
  public AutoCloseable start(BenchDb db, String instance, Recorder recorder, boolean lowLatency) {
    HikariDataSource pool = db.pool(instance, 45);
    OneTimeTask<Void> task =
        Tasks.oneTime(TASK)
            .execute(
                (taskInstance, context) ->
                    recorder.record(taskInstance.getId(), context.getExecution().executionTime));
    Scheduler scheduler =
        Scheduler.create(pool, task)
            .schedulerName(new SchedulerName.Fixed(instance))
            .threads(50)
            .pollingInterval(Duration.ofMillis(lowLatency ? 100 : 500))
            .pollUsingLockAndFetch(0.5, 1.0)
            .build();
    scheduler.start();
    return () -> {
      scheduler.stop();
      pool.close();
    };
  }

  @Override
  public long remaining(BenchDb db) throws Exception {
    return db.count("select count(*) from scheduled_tasks");
  }
}
