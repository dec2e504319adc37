package dev.punctual.audit;

/**
 * Every kind of change the audit log records, one per changing operation of the API, with the type
 * of the object it names. The codes are part of the API ({@code GET /api/v1/audit}).
 */
public enum AuditAction {
  TENANT_CREATE("tenant.create", "tenant"),
  KEY_CREATE("key.create", "key"),
  KEY_REVOKE("key.revoke", "key"),
  SIGNING_SECRET_ROTATE("signing-secret.rotate", "tenant"),
  JOB_CREATE("job.create", "job"),
  JOB_REPLACE("job.replace", "job"),
  JOB_UPDATE("job.update", "job"),
  JOB_DELETE("job.delete", "job"),
  JOB_PAUSE("job.pause", "job"),
  JOB_RESUME("job.resume", "job"),
  JOB_TRIGGER("job.trigger", "job"),
  JOB_BACKFILL("job.backfill", "job"),
  RUN_REPLAY("run.replay", "run"),
  RUNS_REPLAY("runs.replay", "tenant"),
  NOTIFICATION_ENDPOINT_SET("notification-endpoint.set", "tenant"),
  NOTIFICATION_ENDPOINT_REMOVE("notification-endpoint.remove", "tenant");

  private final String code;
  private final String objectType;

  AuditAction(String code, String objectType) {
    this.code = code;
    this.objectType = objectType;
  }

  public String code() {
    return code;
  }

  public String objectType() {
    return objectType;
  }
}
