package dev.punctual.audit;

import dev.punctual.identity.Caller;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.Pagination;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/audit}: a tenant key reads its tenant's entries (changes it made, and the
 * admin's changes to it: keys, signing secrets); the admin key reads every entry, or one tenant's
 * with {@code ?tenant=}. Newest first, in cursor pages like every list.
 */
@RestController
class AuditController {
  private final JdbcClient jdbc;

  AuditController(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @GetMapping("/api/v1/audit")
  Map<String, Object> list(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestParam(required = false) String tenant,
      @RequestParam(required = false) String action,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    if (tenant != null && caller.kind() != Caller.Kind.ADMIN) {
      throw ApiProblem.invalid(
          "tenant", "is for the admin key; a tenant key reads its own entries");
    }
    if (action != null
        && Arrays.stream(AuditAction.values()).noneMatch(a -> a.code().equals(action))) {
      throw ApiProblem.invalid("action", "must be one of " + codes());
    }
    int size = Pagination.limit(limit);
    Long before = Pagination.decodeCursor(cursor);
    // The tenant's id for a tenant key; for the admin, the named tenant's, or every entry.
    boolean allTenants = caller.kind() == Caller.Kind.ADMIN && tenant == null;
    List<AuditEntry> page =
        jdbc.sql(
                """
                select a.id::text as id, a.at, t.name as tenant, lower(a.actor_kind) as actor,
                       a.key_id, a.action, a.object_type, a.object_id, a.detail,
                       a.client_address, a.forwarded_for
                from audit_log a left join tenants t on t.id = a.tenant_id
                where (:all or a.tenant_id = coalesce(cast(:tenantId as bigint),
                    (select id from tenants where name = cast(:name as text))))
                  and (cast(:action as text) is null or a.action = :action)
                  and (cast(:before as bigint) is null or a.id < :before)
                order by a.id desc
                limit :limit
                """)
            .param("all", allTenants)
            .param("tenantId", caller.kind() == Caller.Kind.TENANT ? caller.tenantId() : null)
            .param("name", tenant)
            .param("action", action)
            .param("before", before)
            .param("limit", size + 1)
            .query(AuditEntry.class)
            .list();
    Map<String, Object> body = new LinkedHashMap<>();
    boolean more = page.size() > size;
    List<AuditEntry> items = more ? page.subList(0, size) : page;
    body.put("items", items);
    body.put(
        "nextCursor",
        more ? Pagination.encodeCursor(Long.parseLong(items.get(items.size() - 1).id())) : null);
    return body;
  }

  private static String codes() {
    return String.join(", ", Arrays.stream(AuditAction.values()).map(AuditAction::code).toList());
  }
}
