package dev.punctual.audit;

import dev.punctual.identity.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Writes the audit log: who (key, client address) changed what (action, object) when. Called by the
 * code that makes each change, inside the change's transaction, so the entry commits or rolls back
 * with it. The actor is the API request being served; a change without one (the engine's own) is
 * not an API change and has its events instead.
 */
@Component
public class AuditLog {
  /** Who makes the current request, as the audit log records it. */
  public record Actor(Caller.Kind kind, String keyId, String clientAddress, String forwardedFor) {
    /** The parameters of the actor's columns, for a statement that writes its own entry. */
    public Map<String, Object> params() {
      HashMap<String, Object> params = new HashMap<>();
      params.put("auditActorKind", kind.name());
      params.put("auditKeyId", keyId);
      params.put("auditClient", clientAddress);
      params.put("auditForwardedFor", forwardedFor);
      return params;
    }
  }

  /**
   * An audit entry per row of {@code source}, by the actor whose {@link Actor#params} the statement
   * binds: the SQL of a data-modifying {@code WITH} for a change made in one statement that writes
   * its own entry, e.g. {@code audit as (insertPerRow("j", JOB_CREATE, ":tenant", "j.id::text"))}.
   * {@code tenantId} and {@code objectId} are SQL expressions over {@code source}.
   */
  public static String insertPerRow(
      String source, AuditAction action, String tenantId, String objectId) {
    return """
        insert into audit_log (tenant_id, actor_kind, key_id, client_address, forwarded_for,
                               action, object_type, object_id, detail)
        select %s, :auditActorKind, :auditKeyId, :auditClient, :auditForwardedFor, '%s', '%s', %s,
               null
        from %s
        """
        .formatted(tenantId, action.code(), action.objectType(), objectId, source);
  }

  private static final int MAX_FORWARDED_FOR = 512;

  private final JdbcClient jdbc;

  AuditLog(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** The caller of the API request this thread serves. */
  public static Actor currentActor() {
    if (!(RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attrs)) {
      throw new IllegalStateException("an audited change outside an API request");
    }
    HttpServletRequest request = attrs.getRequest();
    if (!(request.getAttribute(Caller.ATTRIBUTE) instanceof Caller caller)) {
      throw new IllegalStateException("an audited change by an unauthenticated request");
    }
    String forwarded = request.getHeader("X-Forwarded-For");
    if (forwarded != null && forwarded.length() > MAX_FORWARDED_FOR) {
      forwarded = forwarded.substring(0, MAX_FORWARDED_FOR);
    }
    return new Actor(caller.kind(), caller.keyId(), request.getRemoteAddr(), forwarded);
  }

  /**
   * Records a change by the current request's caller. Must run in the change's transaction: an
   * entry written outside one could outlive a change that rolled back.
   */
  public void record(Long tenantId, AuditAction action, String objectId, String detail) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException("audit entry for " + action + " outside a transaction");
    }
    jdbc.sql(
            """
            insert into audit_log (tenant_id, actor_kind, key_id, client_address, forwarded_for,
                                   action, object_type, object_id, detail)
            values (:tenant, :auditActorKind, :auditKeyId, :auditClient, :auditForwardedFor,
                    :action, :objectType, :objectId, :detail)
            """)
        .param("tenant", tenantId)
        .params(currentActor().params())
        .param("action", action.code())
        .param("objectType", action.objectType())
        .param("objectId", objectId)
        .param("detail", detail)
        .update();
  }
}
