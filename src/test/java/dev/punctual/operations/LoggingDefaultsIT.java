package dev.punctual.operations;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.support.ApiTestBase;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log levels the service ships with (application.yml), as the running service has them: a
 * pinned value on purpose, since a level is behaviour an operator reads (a routine line at INFO
 * floods the logs, a warning at DEBUG hides a fault).
 */
class LoggingDefaultsIT extends ApiTestBase {
  @Test
  void anUnsentRequestSentAgainIsNotAnInfoLine() {
    // The HTTP client's retry of a request that never left (a pooled connection the target had
    // closed): routine, 150-330 lines a start at INFO. Its warnings still show.
    Logger retries =
        LoggerFactory.getLogger("org.apache.hc.client5.http.impl.async.AsyncHttpRequestRetryExec");
    assertThat(retries.isInfoEnabled()).isFalse();
    assertThat(retries.isWarnEnabled()).isTrue();
    // The service's own INFO lines stay on.
    assertThat(LoggerFactory.getLogger("dev.punctual.engine.Engine").isInfoEnabled()).isTrue();
  }
}
