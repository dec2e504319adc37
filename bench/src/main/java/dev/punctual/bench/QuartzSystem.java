package dev.punctual.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Properties;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz with its JDBC job store, clustered: 50 threads, triggers acquired 50 at a time within the
 * lock (the settings its documentation gives for throughput), idle wait 1 s (its minimum).
 */
final class QuartzSystem implements BenchSystem {
  static volatile Recorder recorder;

  /** The no-op job: records its execution. */
  public static final class NoopJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      recorder.record(
          context.getJobDetail().getKey().getName(), context.getScheduledFireTime().toInstant());
    }
  }

  @Override
  public String name() {
    return "quartz";
  }

  @Override
  public void prepare(BenchDb db) throws Exception {
    try (InputStream ddl =
        Scheduler.class.getResourceAsStream("/org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
      String sql = new String(ddl.readAllBytes(), StandardCharsets.UTF_8);
      db.execute(sql.replaceAll("(?m)^--.*$", "").replace("COMMIT;", ""));
    }
  }

  @Override
  public void seed(BenchDb db, int n, Instant start, double perSecond) throws Exception {
    // What scheduleJob() would store, written in three statements instead of n transactions.
    db.execute(
        """
        insert into qrtz_job_details
        select 'bench', 'job-' || i, 'bench', null, '%s', false, false, false, false, null
        from generate_series(0, %d) i
        """
            .formatted(NoopJob.class.getName(), n - 1));
    db.execute(
        """
        insert into qrtz_triggers
        select 'bench', 'job-' || i, 'bench', 'job-' || i, 'bench', null, ms, -1, 5, 'WAITING',
               'SIMPLE', ms, 0, null, 0, null
        from (select i, (extract(epoch from %s) * 1000)::bigint as ms
              from generate_series(0, %d) i) s
        """
            .formatted(BenchSystem.dueAt(start, perSecond), n - 1));
    db.execute(
        """
        insert into qrtz_simple_triggers
        select 'bench', 'job-' || i, 'bench', 0, 0, 0 from generate_series(0, %d) i
        """
            .formatted(n - 1));
    db.execute("analyze");
  }

  @Override
  public AutoCloseable start(BenchDb db, String instance, Recorder recorder, boolean lowLatency)
      throws Exception {
    QuartzSystem.recorder = recorder;
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "bench");
    p.setProperty("org.quartz.scheduler.instanceId", instance);
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", "50");
    // Quartz's shortest legal idle wait; it matters only while no trigger is due soon.
    p.setProperty("org.quartz.scheduler.idleWaitTime", "1000");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "50");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.jobStore.dataSource", "bench");
    p.setProperty("org.quartz.jobStore.tablePrefix", "QRTZ_");
    p.setProperty("org.quartz.dataSource.bench.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.bench.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.bench.URL", db.url);
    p.setProperty("org.quartz.dataSource.bench.user", "postgres");
    p.setProperty("org.quartz.dataSource.bench.password", "");
    p.setProperty("org.quartz.dataSource.bench.maxConnections", "45");
    Scheduler scheduler = new StdSchedulerFactory(p).getScheduler();
    scheduler.start();
    return () -> scheduler.shutdown(true);
  }

  @Override
  public long remaining(BenchDb db) throws Exception {
    return db.count(
        "select (select count(*) from qrtz_triggers) + (select count(*) from qrtz_fired_triggers)");
  }
}
