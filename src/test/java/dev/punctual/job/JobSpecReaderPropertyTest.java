package dev.punctual.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.punctual.delivery.EgressGuard;
import dev.punctual.support.Hostile;
import dev.punctual.web.ApiProblem;
import dev.punctual.web.FieldError;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job reader, without HTTP, at thousands of hostile bodies per second: whatever the body, it
 * either reads a job or refuses with a 400 naming each bad field, never anything else (a stray
 * exception here would be a 500 through the API). The HTTP-level fuzz is {@code HostileInputIT}.
 */
class JobSpecReaderPropertyTest {
  private static final EgressGuard GUARD = EgressGuard.of("", "");
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  @Property(tries = 3000, seed = "20261127")
  void aHostileJobIsReadOrRefusedWithItsFields(@ForAll long seed) {
    Hostile hostile = new Hostile(seed);
    ObjectNode body = hostile.mutatedJob();
    try {
      JobSpec spec = JobSpecReader.read(body, NOW, GUARD);
      assertThat(spec.name()).isNotBlank();
    } catch (ApiProblem problem) {
      assertThat(problem.status()).as(body.toString()).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(problem.errors()).as(body.toString()).isNotEmpty();
      for (FieldError error : problem.errors()) {
        assertThat(error.field()).as(body.toString()).isNotBlank();
        assertThat(error.message()).as(body.toString()).isNotBlank();
      }
    }
  }

  @Property(tries = 1000, seed = "20261128")
  void aHostileMergePatchOverAValidJobIsReadOrRefused(@ForAll long seed) {
    Hostile hostile = new Hostile(seed);
    ObjectNode merged =
        (ObjectNode) JobSpecReader.mergePatch(hostile.validJob("base"), hostile.mutatedPatch());
    try {
      JobSpecReader.read(merged, NOW, GUARD);
    } catch (ApiProblem problem) {
      assertThat(problem.status()).as(merged.toString()).isEqualTo(HttpStatus.BAD_REQUEST);
      assertThat(problem.errors()).as(merged.toString()).isNotEmpty();
    }
  }
}
