package dev.punctual.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.punctual.secret.SealedStore;
import dev.punctual.secret.SecretBox;
import dev.punctual.support.Api;
import dev.punctual.support.ApiTestBase;
import dev.punctual.support.StandardWebhooks;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Broker targets against the real RabbitMQ, Redis and NATS servers on loopback: a job firing every
 * second publishes one message per fire time, through a restart of the broker in the middle (no
 * fire time lost; a message published again carries the same run id, and the consumer or the
 * broker's deduplication sees each once); every message's signature verifies with the {@code
 * standardwebhooks} package; a publication the broker refuses is retried and recorded like a failed
 * HTTP attempt.
 */
class BrokerTargetsIT extends ApiTestBase {
  @Autowired private JdbcClient jdbc;
  @Autowired private List<SealedStore> sealedStores;
  @Autowired private SecretBox box;

  /** Retries enough to ride out a broker restart (several seconds). */
  private static final Map<String, Object> PATIENT =
      Map.of("maxAttempts", 10, "initialBackoff", "PT1S", "maxBackoff", "PT3S");

  private NewTenant created;
  private Api tenant;
  private final String name = "punctual-it-" + UUID.randomUUID().toString().substring(0, 8);

  /** One message as a consumer saw it. */
  private record Message(String runId, Map<String, String> headers, String body) {}

  @BeforeAll
  static void installTheReferencePackage() throws Exception {
    StandardWebhooks.install();
  }

  @BeforeEach
  void setUp() {
    created = newTenantWithSecret();
    tenant = created.api();
  }

  @AfterEach
  void tearDown() {
    for (JsonNode job : tenant.get("/api/v1/jobs?limit=500").body().path("items")) {
      tenant.delete("/api/v1/jobs/" + job.path("id").asString());
    }
  }

  @Test
  void rabbitMqGetsOneMessagePerFireTimeThroughARestart() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(Brokers.AMQP_URL);
    // A connection for each step: the restart cuts every connection.
    try (com.rabbitmq.client.Connection connection = factory.newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(name, true, false, false, null); // durable
    }
    Map<String, Object> target =
        Map.of(
            "type", "amqp",
            "url", Brokers.AMQP_URL,
            "exchange", "",
            "routingKey", name,
            "body", "{\"report\":\"daily\"}");
    String job = everySecond(target);
    throughAnOutage(job, Brokers.RABBITMQ);
    try (com.rabbitmq.client.Connection reader = factory.newConnection();
        Channel ch = reader.createChannel()) {
      List<Message> messages = new ArrayList<>();
      for (GetResponse r = ch.basicGet(name, true); r != null; r = ch.basicGet(name, true)) {
        Map<String, String> headers = new HashMap<>();
        r.getProps().getHeaders().forEach((k, v) -> headers.put(k, String.valueOf(v)));
        assertThat(r.getProps().getDeliveryMode()).isEqualTo(2); // persistent
        assertThat(r.getProps().getMessageId()).isEqualTo(headers.get("X-Punctual-Run-Id"));
        messages.add(
            new Message(
                r.getProps().getMessageId(),
                headers,
                new String(r.getBody(), StandardCharsets.UTF_8)));
      }
      ch.queueDelete(name);
      checkOnePerFireTime(job, messages, false);
    }
  }

  @Test
  void aRedisStreamGetsOneEntryPerFireTimeThroughARestart() throws Exception {
    Map<String, Object> target =
        Map.of(
            "type",
            "redis",
            "url",
            Brokers.REDIS_URL,
            "stream",
            name,
            "maxLen",
            10_000,
            "body",
            "{\"report\":\"daily\"}");
    String job = everySecond(target);
    throughAnOutage(job, Brokers.REDIS);
    RedisClient client = RedisClient.create(Brokers.REDIS_URL);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<Message> messages = new ArrayList<>();
      for (StreamMessage<String, String> entry :
          connection.sync().xrange(name, Range.create("-", "+"))) {
        Map<String, String> fields = entry.getBody();
        messages.add(new Message(fields.get("run-id"), fields, fields.get("body")));
      }
      connection.sync().del(name);
      checkOnePerFireTime(job, messages, false);
    } finally {
      client.shutdown();
    }
  }

  @Test
  void natsJetStreamGetsOneMessagePerFireTimeThroughARestart() throws Exception {
    String subject = "punctual.it." + name.substring("punctual-it-".length());
    try (Connection nats = Nats.connect(Brokers.NATS_URL)) {
      JetStreamManagement jsm = nats.jetStreamManagement();
      jsm.addStream(
          StreamConfiguration.builder()
              .name(name)
              .subjects(subject)
              .storageType(StorageType.File)
              .duplicateWindow(Duration.ofMinutes(2))
              .build());
    }
    try {
      Map<String, Object> target =
          Map.of(
              "type",
              "nats",
              "url",
              Brokers.NATS_URL,
              "subject",
              subject,
              "body",
              "{\"report\":\"daily\"}");
      String job = everySecond(target);
      throughAnOutage(job, Brokers.NATS);
      try (Connection nats = Nats.connect(Brokers.NATS_URL)) {
        JetStreamManagement jsm = nats.jetStreamManagement();
        long last = jsm.getStreamInfo(name).getStreamState().getLastSequence();
        List<Message> messages = new ArrayList<>();
        for (long seq = 1; seq <= last; seq++) {
          MessageInfo m = jsm.getMessage(name, seq);
          Map<String, String> headers = new HashMap<>();
          m.getHeaders().entrySet().forEach(e -> headers.put(e.getKey(), e.getValue().get(0)));
          messages.add(
              new Message(
                  headers.get("Nats-Msg-Id"),
                  headers,
                  new String(m.getData(), StandardCharsets.UTF_8)));
        }
        // The stream's duplicate window drops a message published again: each run id once.
        checkOnePerFireTime(job, messages, true);
      }
    } finally {
      try (Connection nats = Nats.connect(Brokers.NATS_URL)) {
        nats.jetStreamManagement().deleteStream(name);
      }
    }
  }

  @Test
  void aPublicationTheBrokerRefusesIsRetriedAndRecorded() throws Exception {
    Map<String, Object> twice = Map.of("maxAttempts", 2, "initialBackoff", "PT0.1S");
    String noExchange =
        job(
            "no-exchange",
            Map.of(
                "type",
                "amqp",
                "url",
                Brokers.AMQP_URL,
                "exchange",
                "no-such-exchange-" + name,
                "routingKey",
                "x"),
            twice);
    String unroutable =
        job(
            "unroutable",
            Map.of(
                "type",
                "amqp",
                "url",
                Brokers.AMQP_URL,
                "exchange",
                "",
                "routingKey",
                "no-such-queue-" + name),
            twice);
    RedisClient client = RedisClient.create(Brokers.REDIS_URL);
    try (StatefulRedisConnection<String, String> redis = client.connect()) {
      redis.sync().set(name, "not a stream");
      String wrongType =
          job(
              "wrong-type",
              Map.of("type", "redis", "url", Brokers.REDIS_URL, "stream", name),
              twice);
      String noStream =
          job(
              "no-stream",
              Map.of("type", "nats", "url", Brokers.NATS_URL, "subject", "nobody.listens." + name),
              Map.of("maxAttempts", 2, "initialBackoff", "PT0.1S"));
      assertFailedTwice(noExchange, "NOT_FOUND");
      assertFailedTwice(unroutable, "unroutable");
      assertFailedTwice(wrongType, "WRONGTYPE");
      assertFailedTwice(noStream, "nats publish");
      redis.sync().del(name);
    } finally {
      client.shutdown();
    }
  }

  /**
   * The password is stored sealed in place in the URL, and opened for the delivery: RabbitMQ
   * refuses guest without it. A row written before broker passwords were sealed (clear in the
   * database) still delivers, and the re-seal pass every start runs seals it.
   */
  @Test
  void aBrokerPasswordIsStoredSealedAndStillAuthenticates() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(Brokers.AMQP_URL);
    try (com.rabbitmq.client.Connection connection = factory.newConnection();
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(name, false, false, false, null);
      String job =
          job(
              "sealed-url",
              Map.of("type", "amqp", "url", Brokers.AMQP_URL, "exchange", "", "routingKey", name),
              Map.of("maxAttempts", 1));
      assertThat(storedUrl(job))
          .doesNotContain("guest:guest")
          .startsWith("amqp://guest:enc%3Av1%3A")
          .endsWith("@127.0.0.1:5672/%2F");
      awaitStatus(trigger(job), "SUCCEEDED");

      jdbc.sql(
              "update jobs set target = jsonb_set(target::jsonb, '{url}', to_jsonb(:url::text))::json where id = :id")
          .param("url", Brokers.AMQP_URL)
          .param("id", Long.parseLong(job))
          .update();
      assertThat(storedUrl(job)).isEqualTo(Brokers.AMQP_URL);
      awaitStatus(trigger(job), "SUCCEEDED");
      for (SealedStore store : sealedStores) {
        for (long after = 0; after >= 0; ) {
          after = store.resealBatch(box, after, 200);
        }
      }
      assertThat(storedUrl(job)).doesNotContain("guest:guest").contains("enc%3Av1%3A");
      awaitStatus(trigger(job), "SUCCEEDED");

      assertThat(channel.messageCount(name)).isEqualTo(3);
      channel.queueDelete(name);
    }
  }

  private String storedUrl(String job) {
    return jdbc.sql("select target->>'url' from jobs where id = :id")
        .param("id", Long.parseLong(job))
        .query(String.class)
        .single();
  }

  @Test
  void aBrokerPasswordIsShownAsStarsAndKeptWhenSentBack() {
    String job =
        job(
            "secret-url",
            Map.of("type", "amqp", "url", Brokers.AMQP_URL, "exchange", "", "routingKey", "q"),
            Map.of());
    JsonNode shown = tenant.get("/api/v1/jobs/" + job).body();
    assertThat(shown.path("target").path("url").asString())
        .isEqualTo("amqp://guest:***@127.0.0.1:5672/%2F");
    assertThat(tenant.get("/api/v1/jobs").raw().body()).doesNotContain("guest:guest");
    // The GET body sent back keeps the stored password.
    Api.Response put = tenant.put("/api/v1/jobs/" + job, shown, Map.of());
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    String stored = tenant.get("/api/v1/jobs/" + job).body().path("target").path("url").asString();
    assertThat(stored).isEqualTo("amqp://guest:***@127.0.0.1:5672/%2F");
    String sent = trigger(job);
    awaitStatus(sent, "FAILED", "SUCCEEDED", "RETRYING"); // a real publication was attempted
    assertThat(tenant.get("/api/v1/runs/" + sent).body().path("error").asString(""))
        .doesNotContain("ACCESS_REFUSED");
    // A new job cannot be given the placeholder.
    Api.Response refused =
        tenant.post(
            "/api/v1/jobs",
            Map.of(
                "name", "stars",
                "schedule", Map.of("cron", "0 0 1 1 *"),
                "target",
                    Map.of(
                        "type", "amqp",
                        "url", "amqp://guest:***@127.0.0.1:5672/",
                        "routingKey", "q")));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorsFor("target.url")).isNotEmpty();
  }

  @Test
  void badBrokerTargetsAreRefusedNamingTheField() {
    assertRefused(Map.of("type", "amqp", "url", "http://x", "routingKey", "q"), "target.url");
    assertRefused(Map.of("type", "amqp", "url", Brokers.AMQP_URL), "target.routingKey");
    assertRefused(
        Map.of("type", "amqp", "url", "amqp://169.254.169.254/", "routingKey", "q"), "target.url");
    assertRefused(Map.of("type", "redis", "url", Brokers.REDIS_URL), "target.stream");
    assertRefused(
        Map.of("type", "redis", "url", Brokers.REDIS_URL, "stream", "s", "maxLen", 0),
        "target.maxLen");
    assertRefused(
        Map.of("type", "nats", "url", Brokers.NATS_URL, "subject", "orders.*"), "target.subject");
    assertRefused(Map.of("type", "nats", "url", "redis://127.0.0.1", "subject", "a"), "target.url");
    assertRefused(
        Map.of("type", "nats", "url", Brokers.NATS_URL, "subject", "a", "method", "POST"),
        "target.method");
    assertRefused(Map.of("type", "kafka", "url", "x"), "target.type");
  }

  private void assertRefused(Map<String, Object> target, String field) {
    Api.Response response =
        tenant.post(
            "/api/v1/jobs",
            Map.of("name", "bad", "schedule", Map.of("cron", "0 0 1 1 *"), "target", target));
    assertThat(response.status()).as(response.toString()).isEqualTo(400);
    assertThat(response.errorsFor(field)).as(response.toString()).isNotEmpty();
  }

  private void assertFailedTwice(String job, String error) {
    String run = trigger(job);
    awaitStatus(run, "FAILED");
    JsonNode failed = tenant.get("/api/v1/runs/" + run).body();
    assertThat(failed.path("attempts").asInt()).isEqualTo(2);
    assertThat(failed.path("error").asString()).as(failed.toString()).contains(error);
    JsonNode attempts = tenant.get("/api/v1/runs/" + run + "/attempts").body().path("items");
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0).path("error").asString()).contains(error);
    assertThat(attempts.get(0).path("retryAt").isString()).isTrue();
  }

  private String lastJob;

  private String everySecond(Map<String, Object> target) {
    lastJob = job("every-second", target, PATIENT, Map.of("interval", "PT1S"));
    return lastJob;
  }

  private String job(String jobName, Map<String, Object> target, Map<String, Object> retry) {
    return job(jobName, target, retry, Map.of("cron", "0 0 1 1 *"));
  }

  private String job(
      String jobName,
      Map<String, Object> target,
      Map<String, Object> retry,
      Map<String, Object> schedule) {
    Map<String, Object> body = new HashMap<>();
    body.put("name", jobName);
    body.put("schedule", schedule);
    body.put("target", target);
    body.put("overlap", "ALLOW"); // runs retrying through a restart must not skip new fire times
    if (!retry.isEmpty()) {
      body.put("retry", retry);
    }
    Api.Response response = tenant.post("/api/v1/jobs", body);
    assertThat(response.status()).as(response.toString()).isEqualTo(201);
    return response.body().path("id").asString();
  }

  /**
   * Three runs delivered; the broker stopped until a run's attempt has failed for it (so that a
   * publication is retried across the outage, not merely sent before or after it); started again;
   * three more runs delivered; the job paused and every run ended.
   */
  private void throughAnOutage(String job, Brokers.Broker broker) {
    await("three runs delivered").atMost(Duration.ofSeconds(20)).until(() -> succeeded(job) >= 3);
    broker.stop().run();
    try {
      await("an attempt failed while the broker is down")
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  runs(job).stream().anyMatch(r -> r.path("status").asString().equals("RETRYING")));
    } finally {
      broker.start().run();
    }
    long before = succeeded(job);
    await("three more runs delivered after the restart")
        .atMost(Duration.ofSeconds(60))
        .until(() -> succeeded(job) >= before + 3);
    tenant.post("/api/v1/jobs/" + job + "/pause", null);
    await("every run ended")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                runs(job).stream()
                    .allMatch(
                        r ->
                            Set.of("SUCCEEDED", "FAILED", "SKIPPED")
                                .contains(r.path("status").asString())));
  }

  /**
   * Every run succeeded, one per fire time with no fire time missing between the first and the
   * last, and each run id reached the consumer ({@code exactlyOnce}: once; otherwise at least once,
   * the copies carrying the same run id), signed.
   */
  private void checkOnePerFireTime(String job, List<Message> messages, boolean exactlyOnce)
      throws Exception {
    List<JsonNode> runs = runs(job);
    assertThat(runs)
        .allSatisfy(r -> assertThat(r.path("status").asString()).isEqualTo("SUCCEEDED"));
    List<Instant> times =
        runs.stream().map(r -> Instant.parse(r.path("scheduledFor").asString())).sorted().toList();
    for (int i = 1; i < times.size(); i++) {
      assertThat(Duration.between(times.get(i - 1), times.get(i)))
          .as("fire times %s", times)
          .isEqualTo(Duration.ofSeconds(1));
    }
    Set<String> runIds = new HashSet<>();
    runs.forEach(r -> runIds.add(r.path("id").asString()));
    Set<String> seen = new HashSet<>();
    messages.forEach(m -> seen.add(m.runId()));
    assertThat(seen).as("run ids the consumer saw").isEqualTo(runIds);
    if (exactlyOnce) {
      assertThat(messages).hasSameSizeAs(runIds);
    }
    int copies = messages.size() - runIds.size();
    long retried = runs.stream().filter(r -> r.path("attempts").asInt() > 1).count();
    System.out.printf(
        "broker test: %d runs (%d delivered after a failed attempt), %d messages (%d published"
            + " again)%n",
        runIds.size(), retried, messages.size(), copies);
    assertThat(retried).as("runs that needed another attempt across the outage").isPositive();
    Message first = messages.get(0);
    assertThat(first.body()).isEqualTo("{\"report\":\"daily\"}");
    Map<String, String> signature =
        Map.of(
            "webhook-id", first.headers().get("webhook-id"),
            "webhook-timestamp", first.headers().get("webhook-timestamp"),
            "webhook-signature", first.headers().get("webhook-signature"));
    assertThat(StandardWebhooks.verify(created.signingSecret(), signature, first.body()))
        .isEqualTo("verified");
    assertThat(first.headers().get("webhook-id")).isEqualTo(first.runId());
  }

  private long succeeded(String job) {
    return runs(job).stream().filter(r -> r.path("status").asString().equals("SUCCEEDED")).count();
  }

  private List<JsonNode> runs(String job) {
    List<JsonNode> runs = new ArrayList<>();
    tenant.get("/api/v1/jobs/" + job + "/runs?limit=500").body().path("items").forEach(runs::add);
    return runs;
  }

  private String trigger(String job) {
    Api.Response run = tenant.post("/api/v1/jobs/" + job + "/trigger", null);
    assertThat(run.status()).isEqualTo(202);
    return run.body().path("id").asString();
  }

  private void awaitStatus(String run, String... statuses) {
    await("run " + run + " in " + List.of(statuses))
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                List.of(statuses)
                    .contains(tenant.get("/api/v1/runs/" + run).body().path("status").asString()));
  }
}
