package dev.punctual.job;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.config.PunctualProperties;
import dev.punctual.db.PgNotifications;
import dev.punctual.definition.Channels;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.schedule.Schedule;
import dev.punctual.web.ApiProblem;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** The Jobs API's rules: arming at every write, versions, idempotent creation. */
@Service
class JobService {
  private static final Duration WAKE_HORIZON = Duration.ofSeconds(10);

  private final JobRepository jobs;
  private final IdempotencyStore idempotency;
  private final PunctualProperties properties;
  private final PgNotifications notifications;
  private final EgressGuard guard;
  private final Clock clock;
  private final TransactionTemplate transactions;

  private final AuditLog audit;
  private final TargetSecrets targetSecrets;

  JobService(
      JobRepository jobs,
      IdempotencyStore idempotency,
      PunctualProperties properties,
      PgNotifications notifications,
      EgressGuard guard,
      Clock clock,
      PlatformTransactionManager transactionManager,
      AuditLog audit,
      TargetSecrets targetSecrets) {
    this.targetSecrets = targetSecrets;
    this.transactions = new TransactionTemplate(transactionManager);
    this.audit = audit;
    this.guard = guard;
    this.jobs = jobs;
    this.idempotency = idempotency;
    this.properties = properties;
    this.notifications = notifications;
    this.clock = clock;
  }

  /** An answer to a create: 201 the first time, the same answer again for a repeated key. */
  record Created(int status, JsonNode replayedBody, JobRow job) {}

  /**
   * A create. Without an {@code Idempotency-Key} it is one statement in a transaction of its own
   * (one round trip to the database); with one, the key's lock, lookup and saved answer share the
   * insert's transaction. Either way the job quota is counted by the commit itself (a deferred
   * trigger, V9), so a create past the quota fails there and is answered here.
   */
  Created create(long tenantId, JsonNode body, String idempotencyKey) {
    try {
      if (idempotencyKey == null) {
        return new Created(201, null, insertNew(tenantId, body));
      }
      return transactions.execute(status -> createIdempotent(tenantId, body, idempotencyKey));
    } catch (RuntimeException e) {
      if (JobRepository.isQuotaRefusal(e)) {
        throw new ApiProblem(
            HttpStatus.UNPROCESSABLE_CONTENT,
            "Job quota reached",
            "This tenant already holds %d jobs, the most it may hold; delete jobs to make room"
                .formatted(properties.maxJobsPerTenant()));
      }
      throw e;
    }
  }

  private Created createIdempotent(long tenantId, JsonNode body, String idempotencyKey) {
    byte[] requestHash = IdempotencyStore.hash(body);
    idempotency.lock(tenantId, idempotencyKey);
    Optional<IdempotencyStore.Stored> earlier =
        idempotency.find(tenantId, idempotencyKey, properties.idempotencyTtl());
    if (earlier.isPresent()) {
      if (!MessageDigest.isEqual(earlier.get().requestHash(), requestHash)) {
        throw new ApiProblem(
            HttpStatus.UNPROCESSABLE_CONTENT,
            "Idempotency-Key reused",
            "This Idempotency-Key was used with another request body");
      }
      return new Created(earlier.get().status(), earlier.get().body(), null);
    }
    JobRow row = insertNew(tenantId, body);
    idempotency.save(tenantId, idempotencyKey, requestHash, 201, row.view());
    return new Created(201, null, row);
  }

  /**
   * Reads, arms and inserts a new job. The engine claims jobs a little ahead of time and otherwise
   * polls; a job due sooner than {@link #WAKE_HORIZON} wakes every node's engine at the commit
   * (this node's included), by a NOTIFY in the insert's own statement.
   */
  private JobRow insertNew(long tenantId, JsonNode body) {
    Instant now = now();
    JobSpec spec = JobSpecReader.read(body, now, guard);
    JobRepository.Arming arming = arm(spec.definition().schedule(), spec.enabled(), now);
    return jobs.insert(tenantId, spec, arming, now, dueSoon(arming, now), AuditLog.currentActor())
        .orElseThrow(() -> nameTaken(spec.name()));
  }

  JobRow get(long tenantId, long id) {
    return jobs.find(tenantId, id).orElseThrow(() -> notFound(id));
  }

  List<JobRow> list(long tenantId, JobRepository.ListQuery query) {
    return jobs.list(tenantId, query);
  }

  /** PUT: the body replaces every writable field. */
  @Transactional
  JobRow replace(long tenantId, long id, JsonNode body, String ifMatch) {
    JobRow row = write(tenantId, id, ifMatch, current -> body);
    audit.record(tenantId, AuditAction.JOB_REPLACE, Long.toString(row.id()), null);
    return row;
  }

  /** PATCH: a JSON Merge Patch over the current writable fields. */
  @Transactional
  JobRow patch(long tenantId, long id, JsonNode patch, String ifMatch) {
    if (!patch.isObject()) {
      throw ApiProblem.invalid("body", "must be a JSON object (a JSON Merge Patch)");
    }
    JobRow row =
        write(
            tenantId,
            id,
            ifMatch,
            current -> JobSpecReader.mergePatch(current.writableJson(), patch));
    audit.record(tenantId, AuditAction.JOB_UPDATE, Long.toString(row.id()), null);
    return row;
  }

  @Transactional
  JobRow pause(long tenantId, long id) {
    JobRow row = write(tenantId, id, null, current -> current.writableJson().put("enabled", false));
    audit.record(tenantId, AuditAction.JOB_PAUSE, Long.toString(row.id()), null);
    return row;
  }

  @Transactional
  JobRow resume(long tenantId, long id) {
    JobRow row = write(tenantId, id, null, current -> current.writableJson().put("enabled", true));
    audit.record(tenantId, AuditAction.JOB_RESUME, Long.toString(row.id()), null);
    return row;
  }

  @Transactional
  void delete(long tenantId, long id) {
    if (!jobs.delete(tenantId, id)) {
      throw notFound(id);
    }
    jobs.countDeletedJob(tenantId);
    audit.record(tenantId, AuditAction.JOB_DELETE, Long.toString(id), null);
  }

  private JobRow write(long tenantId, long id, String ifMatch, Function<JobRow, JsonNode> newBody) {
    JobRow stored = jobs.findForUpdate(tenantId, id).orElseThrow(() -> notFound(id));
    // Its secret header values opened: a PATCH, a pause or a *** sent back keeps the value itself,
    // which the reader checks and the write seals again under the current key.
    JobRow current = stored.withTarget(targetSecrets.openOrKeep(stored.target()));
    if (!IfMatch.matches(ifMatch, current.version())) {
      throw new ApiProblem(
          HttpStatus.PRECONDITION_FAILED,
          "Version mismatch",
          "The job is at version " + current.version() + ", not " + ifMatch);
    }
    Instant now = now();
    JsonNode body = newBody.apply(current);
    if (body.isObject()) {
      body = SecretUrls.restore(SecretHeaders.restore(body, current.target()), current.target());
    }
    JobSpec spec = JobSpecReader.read(body, now, guard);
    boolean scheduleChanged = !spec.scheduleJson().equals(current.schedule());
    boolean enabledChanged = spec.enabled() != current.enabled();
    boolean repaired = current.brokenReason() != null; // a valid definition replaces a broken one
    if (!repaired
        && !scheduleChanged
        && !enabledChanged
        && current.writableJson().equals(spec.writableJson())) {
      return current; // nothing changes (a repeated pause, a PUT of the same body): no new version
    }
    JobRepository.Arming arming;
    boolean limitReached = reached(spec.maxRuns(), current.scheduledRuns());
    // A job completed by its maxRuns whose limit is raised or removed has fire times again.
    boolean limitRaised = reached(current.maxRuns(), current.scheduledRuns()) && !limitReached;
    boolean rearmed = scheduleChanged || enabledChanged || repaired || limitRaised;
    if (limitReached) {
      arming = new JobRepository.Arming(null, true); // a limit lowered to the runs made so far
    } else if (rearmed) {
      // A new schedule, a pause or a resume: the next fire time is computed from now; slots
      // missed while paused are not caught up. A completed schedule stays so unless it changed.
      boolean staysCompleted = current.completed() && !scheduleChanged && !limitRaised;
      arming =
          staysCompleted
              ? new JobRepository.Arming(null, true)
              : arm(spec.definition().schedule(), spec.enabled(), now);
    } else {
      arming = new JobRepository.Arming(current.nextFireAt(), current.completed());
    }
    try {
      jobs.update(tenantId, id, spec, arming, now);
    } catch (DuplicateKeyException e) {
      throw nameTaken(spec.name());
    }
    // Every write takes the job from the node that held it (see JobRepository.update): a fire
    // due soon is claimed again at once, with the new definition.
    wakeEngineIfSoon(id, arming, now);
    return jobs.find(tenantId, id).orElseThrow();
  }

  private static boolean reached(Long maxRuns, long scheduledRuns) {
    return maxRuns != null && scheduledRuns >= maxRuns;
  }

  /**
   * The schedule's state at a write: the first fire time from now, or completed when there is none.
   * A paused job keeps no fire time; it is computed again at resume.
   */
  private static JobRepository.Arming arm(Schedule schedule, boolean enabled, Instant now) {
    Optional<Instant> first = schedule.firstFireTime(now);
    if (first.isEmpty()) {
      return new JobRepository.Arming(null, true);
    }
    return new JobRepository.Arming(enabled ? first.get() : null, false);
  }

  /**
   * The engine claims jobs a little ahead of time and otherwise polls; a job due sooner than that
   * wakes every node's engine at commit, through NOTIFY (this node's included).
   */
  private void wakeEngineIfSoon(long id, JobRepository.Arming arming, Instant now) {
    if (dueSoon(arming, now)) {
      notifications.notify(Channels.JOBS, String.valueOf(id));
    }
  }

  /** Whether a write's next fire time is near enough to wake the engines (see above). */
  private static boolean dueSoon(JobRepository.Arming arming, Instant now) {
    return arming.nextFireAt() != null && arming.nextFireAt().isBefore(now.plus(WAKE_HORIZON));
  }

  /** PostgreSQL keeps microseconds: instants shown and stored must agree to the digit. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static ApiProblem notFound(long id) {
    return ApiProblem.notFound("No job " + id);
  }

  private static ApiProblem nameTaken(String name) {
    return ApiProblem.conflict("A job named '" + name + "' exists in this tenant");
  }
}
