package dev.punctual.web;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Spring MVC reads and writes JSON, text and bytes, not YAML: the YAML converter that a library on
 * the class path brings (Jackson 2's, for the OpenAPI tooling) cannot read the Jackson 3 nodes the
 * controllers take, and wrote a job as YAML of Jackson's internals. {@link MediaTypeFilter} answers
 * such requests first; this makes sure no handler can pick YAML either.
 */
@Configuration(proxyBeanMethods = false)
class JsonOnlyConfig implements WebMvcConfigurer {
  @Override
  public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
    builder.configureMessageConvertersList(list -> list.removeIf(JsonOnlyConfig::speaksYaml));
  }

  private static boolean speaksYaml(HttpMessageConverter<?> converter) {
    return converter.getSupportedMediaTypes().stream()
        .map(MediaType::getSubtype) // not isCompatibleWith: the String converter takes */*
        .anyMatch(subtype -> subtype.equals("yaml") || subtype.endsWith("+yaml"));
  }
}
