package dev.punctual.audit;

import java.time.Instant;

/** One audit log entry as the API shows it. */
record AuditEntry(
    String id,
    Instant at,
    String tenant,
    String actor,
    String keyId,
    String action,
    String objectType,
    String objectId,
    String detail,
    String clientAddress,
    String forwardedFor) {}
