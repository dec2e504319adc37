package dev.punctual.support;

import dev.punctual.PunctualApplication;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One Punctual node started in this JVM with its own settings, for multi-node and restart tests.
 */
public final class Node implements AutoCloseable {
  private final ConfigurableApplicationContext context;

  private Node(ConfigurableApplicationContext context) {
    this.context = context;
  }

  /**
   * Starts a node with {@code settings} as {@code --key=value} arguments, on a random port unless
   * they set {@code server.port}.
   */
  public static Node start(Map<String, String> settings) {
    List<String> args = new ArrayList<>();
    if (!settings.containsKey("server.port")) {
      args.add("--server.port=0");
    }
    if (!settings.containsKey("punctual.secret-key")) {
      args.add("--punctual.secret-key=" + ApiTestBase.SECRET_KEY);
    }
    if (!settings.containsKey("punctual.engine.warm-up-requests")) {
      // The delivery warm-up has its own tests (WarmUpOnStartIT, WarmStartIT); other tests' nodes
      // start without it, which keeps the suite's time down.
      args.add("--punctual.engine.warm-up-requests=0");
    }
    settings.forEach((k, v) -> args.add("--" + k + "=" + v));
    return new Node(SpringApplication.run(PunctualApplication.class, args.toArray(String[]::new)));
  }

  public String baseUrl() {
    int port = ((WebServerApplicationContext) context).getWebServer().getPort();
    return "http://127.0.0.1:" + port;
  }

  public Api api(String key) {
    return new Api(baseUrl(), key);
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public List<String> beanNames(Class<?> type) {
    return List.of(context.getBeanNamesForType(type));
  }

  @Override
  public void close() {
    context.close();
  }
}
