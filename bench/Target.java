import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cheapest HTTP target we can write in Java: answers 200 "ok" to everything and counts.
 * Run with the source launcher: java bench/Target.java PORT
 */
public class Target {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    AtomicLong count = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    server.setExecutor(Executors.newFixedThreadPool(8));
    byte[] ok = "ok".getBytes();
    server.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, ok.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(ok);
      }
      count.incrementAndGet();
    });
    server.createContext("/count", exchange -> {
      byte[] body = String.valueOf(count.get()).getBytes();
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }
}
