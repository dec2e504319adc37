package dev.punctual.notification;

import dev.punctual.audit.AuditAction;
import dev.punctual.audit.AuditLog;
import dev.punctual.delivery.EgressGuard;
import dev.punctual.identity.Caller;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.JsonInput;
import dev.punctual.web.Pagination;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * A tenant's notification endpoint ({@code /api/v1/notifications/endpoint}) and its events ({@code
 * /api/v1/events}); docs/api.md, "Notifications".
 */
@RestController
class NotificationController {
  static final Set<String> TYPES = Set.of("run.failed", "job.paused", "job.misfired", "job.broken");

  private final NotificationRepository notifications;
  private final EgressGuard guard;

  private final AuditLog audit;

  NotificationController(NotificationRepository notifications, EgressGuard guard, AuditLog audit) {
    this.audit = audit;
    this.notifications = notifications;
    this.guard = guard;
  }

  @GetMapping("/api/v1/notifications/endpoint")
  Map<String, String> endpoint(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    String url =
        notifications
            .endpoint(caller.requireTenant())
            .orElseThrow(() -> ApiProblem.notFound("No notification endpoint is set"));
    return Map.of("url", url);
  }

  /** {@code {"url": "https://…"}}: events made from now on are sent there. */
  @PutMapping("/api/v1/notifications/endpoint")
  @Transactional
  Map<String, String> setEndpoint(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller, @RequestBody JsonNode body) {
    long tenant = caller.requireTenant();
    JsonInput in = JsonInput.of(body);
    in.allowOnly(Set.of("url"), Set.of());
    String url = in.string("url", true, 2048);
    if (url != null) {
      guard.problemWithUrl(url).ifPresent(problem -> in.error("url", problem));
    }
    in.throwIfInvalid();
    notifications.setEndpoint(tenant, url);
    // The host only: a URL's path or query may carry a token.
    audit.record(tenant, AuditAction.NOTIFICATION_ENDPOINT_SET, null, URI.create(url).getHost());
    return Map.of("url", url);
  }

  /** Events made from now on are listed only; those waiting keep their endpoint. */
  @DeleteMapping("/api/v1/notifications/endpoint")
  @Transactional
  ResponseEntity<Void> removeEndpoint(@RequestAttribute(Caller.ATTRIBUTE) Caller caller) {
    long tenant = caller.requireTenant();
    notifications.setEndpoint(tenant, null);
    audit.record(tenant, AuditAction.NOTIFICATION_ENDPOINT_REMOVE, null, null);
    return ResponseEntity.noContent().build();
  }

  @GetMapping("/api/v1/events")
  Map<String, Object> events(
      @RequestAttribute(Caller.ATTRIBUTE) Caller caller,
      @RequestParam(required = false) String type,
      @RequestParam(required = false) String jobId,
      @RequestParam(required = false) String limit,
      @RequestParam(required = false) String cursor) {
    long tenant = caller.requireTenant();
    if (type != null && !TYPES.contains(type)) {
      throw ApiProblem.invalid(
          "type", "must be one of run.failed, job.paused, job.misfired, job.broken");
    }
    Long job = null;
    if (jobId != null) {
      try {
        job = Long.parseLong(jobId);
      } catch (NumberFormatException e) {
        throw ApiProblem.invalid("jobId", "must be an id, as the API gives them");
      }
    }
    int size = Pagination.limit(limit);
    Long before = Pagination.decodeCursor(cursor);
    List<EventView> page = notifications.events(tenant, type, job, before, size + 1);
    String next = null;
    if (page.size() > size) {
      page = page.subList(0, size);
      String lastId = page.get(size - 1).id();
      next = Pagination.encodeCursor(Long.parseLong(lastId.substring(EventIds.PREFIX.length())));
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("items", page);
    answer.put("nextCursor", next);
    return answer;
  }
}
