package dev.punctual.job;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The first answer to each {@code Idempotency-Key} of a job creation, kept for the TTL. Callers
 * hold {@link #lock} for the key in their transaction, so two concurrent requests with one key run
 * one after the other and the second sees the first's answer.
 */
@Repository
class IdempotencyStore {
  record Stored(byte[] requestHash, int status, JsonNode body) {}

  private final JdbcClient jdbc;
  private final JsonMapper json;

  IdempotencyStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  void lock(long tenantId, String key) {
    jdbc.sql("select pg_advisory_xact_lock(hashtextextended(:k, :tenant))")
        .param("k", key)
        .param("tenant", tenantId)
        .query()
        .singleRow();
  }

  Optional<Stored> find(long tenantId, String key, Duration ttl) {
    return jdbc.sql(
            """
            select request_hash, response_status, response_body from idempotency_keys
            where tenant_id = :tenant and key = :key
              and created_at > now() - make_interval(secs => :ttl)
            """)
        .param("tenant", tenantId)
        .param("key", key)
        .param("ttl", (double) ttl.toSeconds())
        .query(
            (rs, row) -> new Stored(rs.getBytes(1), rs.getInt(2), json.readTree(rs.getString(3))))
        .optional();
  }

  /** Stores an answer, replacing an expired one under the same key. */
  void save(long tenantId, String key, byte[] requestHash, int status, Object body) {
    jdbc.sql(
            """
            insert into idempotency_keys (tenant_id, key, request_hash, response_status,
                                          response_body)
            values (:tenant, :key, :hash, :status, :body::jsonb)
            on conflict (tenant_id, key) do update
                set request_hash = excluded.request_hash,
                    response_status = excluded.response_status,
                    response_body = excluded.response_body, created_at = now()
            """)
        .param("tenant", tenantId)
        .param("key", key)
        .param("hash", requestHash)
        .param("status", status)
        .param("body", json.writeValueAsString(body))
        .update();
  }

  /** The request's fingerprint: the same JSON, whatever its whitespace. */
  static byte[] hash(JsonNode body) {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(body.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
