package dev.punctual.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document at {@code /v3/api-docs}: every {@code /api/**} call takes a bearer key. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {
  @Bean
  OpenAPI punctualOpenApi() {
    return new OpenAPI()
        .info(
            new Info()
                .title("Punctual API")
                .version("v1")
                .description(
                    "Register jobs (cron, interval or one-shot) with an HTTP target; Punctual"
                        + " calls each target at its time, retries failures and records every run."
                        + " Errors are application/problem+json (RFC 9457) naming each bad field."))
        .components(
            new Components()
                .addSecuritySchemes(
                    "bearer",
                    new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP)
                        .scheme("bearer")
                        .description("A tenant key, or the admin key for /api/v1/tenants")))
        .addSecurityItem(new SecurityRequirement().addList("bearer"));
  }
}
