package dev.punctual;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Punctual: register jobs over REST, and Punctual calls their HTTP targets on time. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class PunctualApplication {
  public static void main(String[] args) {
    SpringApplication.run(PunctualApplication.class, args);
  }
}
