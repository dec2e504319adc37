package dev.punctual.secret;

import dev.punctual.config.PunctualProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration
class SecretConfig {
  @Bean
  SecretBox secretBox(PunctualProperties properties) {
    return new SecretBox(
        SecretKeySource.load(
            properties.secretKey(), properties.secretKeyFile(), properties.dataDir()));
  }
}
