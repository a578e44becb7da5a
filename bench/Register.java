// Registers N agents concurrently and writes "agent_id token" lines (one per agent) to a file.
// Run: java bench/Register.java BASE_URL COUNT PREFIX INTERVAL_SECONDS CAPABILITIES OUTFILE [CONCURRENCY] [MAX_TASKS]
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class Register {
  public static void main(String[] args) throws Exception {
    String base = args[0];
    int n = Integer.parseInt(args[1]);
    String prefix = args[2];
    int interval = Integer.parseInt(args[3]);
    String caps = args[4];
    Path out = Path.of(args[5]);
    int conc = args.length > 6 ? Integer.parseInt(args[6]) : 16;
    int maxTasks = args.length > 7 ? Integer.parseInt(args[7]) : 4;
    StringBuilder capsJson = new StringBuilder("[");
    for (String c : caps.split(",")) {
      if (c.isBlank()) continue;
      if (capsJson.length() > 1) capsJson.append(',');
      capsJson.append('"').append(c).append('"');
    }
    capsJson.append(']');
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    Semaphore sem = new Semaphore(conc);
    String[] tokens = new String[n];
    AtomicInteger failures = new AtomicInteger();
    Pattern tok = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    long t0 = System.nanoTime();
    List<java.util.concurrent.CompletableFuture<?>> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int idx = i;
      String id = prefix + i;
      String body = "{\"agent_id\":\"" + id + "\",\"capabilities\":" + capsJson + ",\"heartbeat_interval_seconds\":"
          + interval + ",\"max_concurrent_tasks\":" + maxTasks + "}";
      HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/agents"))
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build();
      sem.acquire();
      all.add(client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        sem.release();
        if (e != null || r.statusCode() != 201) {
          failures.incrementAndGet();
          if (failures.get() < 5) System.err.println("register " + id + ": " + (e != null ? e : r.statusCode() + " " + r.body()));
          return;
        }
        Matcher m = tok.matcher(r.body());
        if (m.find()) tokens[idx] = m.group(1); else failures.incrementAndGet();
      }));
    }
    for (var f : all) { try { f.join(); } catch (Exception ignored) { } }
    double secs = (System.nanoTime() - t0) / 1e9;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) if (tokens[i] != null) sb.append(prefix).append(i).append(' ').append(tokens[i]).append('\n');
    Files.writeString(out, sb.toString());
    System.err.printf("registered %d/%d agents in %.1f s (%.0f/s), %d failures%n", n - failures.get(), n, secs, (n - failures.get()) / secs, failures.get());
    if (failures.get() > 0) System.exit(1);
  }
}
