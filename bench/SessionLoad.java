// ARES simulated fleet: agents long-poll, ack and submit honest evidence; a coordinator (operator) keeps sessions of
// 3 participants in flight. JDK only (its HTTP/1.1 client is the small blocking one at the end of this file, which costs
// the shared cores far less than java.net.http did); run as a Java 17 single-file program:
//
//   java bench/SessionLoad.java base=http://127.0.0.1:8090 agents=target/bench/agents-s.txt inflight=1000 \
//        creators=8 warmup=10 duration=30 drain=20 wait=20 out=target/bench/sl
//
// Options (key=value):
//   base       one or more base URLs, comma-separated (agents and creators are spread over them round-robin)
//   agents     file of "agent_id token" lines (bench/Register.java writes it)
//   mode       sessions (default): honest fleet under a coordinator keeping `inflight` sessions open
//              comp: compensation probe — agents listed in `doomed` ack but never submit evidence and stop at
//              `stop_at`; one session per doomed agent with two honest peers (agent_ids), created up front
//   inflight   sessions to keep in flight (sessions mode)             creators  concurrent creation loops
//   rate       sessions mode: create at most this many sessions per second in all (0, the default: as fast as the
//              in-flight cap allows); a paced run measures latency below saturation
//   work_ms    sessions mode: an agent works this long (uniform in [0.5, 1.5] x work_ms) between its ack and its
//              evidence (0, the default: at once); with work, `inflight` sessions can really be open at a time
//   count      participants per session (capability `capability`)    capability  default bench
//   warmup, duration, drain   seconds; the measurement window is [warmup, warmup+duration)
//   wait       long-poll wait_seconds                                 admin     operator user:password
//   stop_fraction, stop_at_s  sessions mode: this fraction of the agents stops polling stop_at_s seconds after start
//   doomed     comp mode: how many agents (the first ones of the file) are doomed; stop_at_epoch_ms: when they stop
//   out        prefix of the result files: <out>.properties, <out>-wakeups.csv, <out>-validated.txt, <out>-comp.csv
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

public class SessionLoad {

  // ------------------------------------------------------------------ options
  static final Map<String, String> OPT = new TreeMap<>();

  static String opt(String k, String d) { return OPT.getOrDefault(k, d); }
  static int iopt(String k, int d) { return Integer.parseInt(opt(k, String.valueOf(d))); }
  static double dopt(String k, double d) { return Double.parseDouble(opt(k, String.valueOf(d))); }

  static Http client;
  static String[] bases;
  static String adminAuth;
  static volatile boolean running = true;
  static volatile boolean creating = true;

  // ------------------------------------------------------------------ bookkeeping
  record Agent(int index, String id, String token, String base) {}

  /** Per session: when its creation was sent/answered, how many participants validated. */
  static final class Sess {
    final String id;
    final long sentNanos;
    volatile long createdNanos;
    final AtomicInteger validated = new AtomicInteger();
    volatile boolean doomed;
    volatile boolean done;
    final List<String> agents = Collections.synchronizedList(new ArrayList<>());
    Sess(String id, long sentNanos) { this.id = id; this.sentNanos = sentNanos; }
  }

  static final ConcurrentHashMap<String, Sess> sessions = new ConcurrentHashMap<>();
  /** assignment id -> session (from the creation answer). */
  static final ConcurrentHashMap<String, Sess> assignmentSession = new ConcurrentHashMap<>();
  /** assignment id -> nanoTime the delegation reached the agent, when it came before the creation answer. */
  static final ConcurrentHashMap<String, Long> earlyDelegations = new ConcurrentHashMap<>();
  static final Set<String> seenDelegations = ConcurrentHashMap.newKeySet();
  static final Set<String> seenCompensations = ConcurrentHashMap.newKeySet();
  static final AtomicInteger inFlight = new AtomicInteger();
  static final LongAdder created = new LongAdder(), completed = new LongAdder(), validatedCount = new LongAdder();
  static final LongAdder createErrors = new LongAdder(), noEligible = new LongAdder(), pollErrors = new LongAdder();
  static final LongAdder ackErrors = new LongAdder(), evidenceErrors = new LongAdder(), invalidVerdicts = new LongAdder();
  static final LongAdder redeliveries = new LongAdder(), cancellations = new LongAdder(), compensations = new LongAdder();
  static final LongAdder compErrors = new LongAdder(), polls = new LongAdder(), requests = new LongAdder();
  static final ConcurrentHashMap<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
  /** Wake-up samples: "waiting" (the poll was open before the creation was sent) and all. Microseconds. */
  static final ConcurrentLinkedQueue<long[]> wakeups = new ConcurrentLinkedQueue<>();
  static final ConcurrentLinkedQueue<String> validatedIds = new ConcurrentLinkedQueue<>();
  static final ConcurrentLinkedQueue<String> compReceipts = new ConcurrentLinkedQueue<>();
  /** Delegations received after their creation answer, for the wake-up breakdown (written to {@code out-deleg.csv}). */
  static final ConcurrentLinkedQueue<String> delegationReceipts = new ConcurrentLinkedQueue<>();
  static final Set<String> stoppedAgents = ConcurrentHashMap.newKeySet();
  static volatile long windowStartNanos = Long.MAX_VALUE, windowEndNanos = Long.MAX_VALUE;
  static final AtomicLong completedInWindow = new AtomicLong();
  static final AtomicLong createdInWindow = new AtomicLong();

  static void err(String kind) { errorKinds.computeIfAbsent(kind, k -> new LongAdder()).increment(); }

  // ------------------------------------------------------------------ main
  public static void main(String[] args) throws Exception {
    for (String a : args) {
      int i = a.indexOf('=');
      OPT.put(a.substring(0, i), a.substring(i + 1));
    }
    bases = opt("base", "http://127.0.0.1:8090").split(",");
    adminAuth = "Basic " + Base64.getEncoder().encodeToString(opt("admin", "admin:admin").getBytes(StandardCharsets.UTF_8));
    client = new Http();
    List<Agent> agents = new ArrayList<>();
    int idx = 0;
    for (String line : Files.readAllLines(Path.of(opt("agents", "target/bench/agents-s.txt")))) {
      String[] p = line.trim().split("\\s+");
      if (p.length == 2) {
        agents.add(new Agent(idx, p[0], p[1], bases[idx % bases.length]));
        idx++;
      }
    }
    String mode = opt("mode", "sessions");
    log("%s mode, %d agents over %s", mode, agents.size(), String.join(",", bases));
    if (mode.equals("comp")) {
      compMode(agents);
    } else {
      sessionsMode(agents);
    }
    System.exit(0);
  }

  static void log(String f, Object... a) {
    System.err.printf("[%s] %s%n", java.time.LocalTime.now().withNano(0), String.format(f, a));
  }

  // ------------------------------------------------------------------ sessions mode
  static void sessionsMode(List<Agent> agents) throws Exception {
    int warmup = iopt("warmup", 10), duration = iopt("duration", 30), drain = iopt("drain", 20);
    int target = iopt("inflight", 1000), creators = iopt("creators", 8), count = iopt("count", 3);
    double stopFraction = dopt("stop_fraction", 0);
    int stopAt = iopt("stop_at_s", 0);
    long start = System.nanoTime();
    for (Agent a : agents) {
      pollLoop(a, false);
    }
    Thread.sleep(1000); // let the long-polls open
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < creators; c++) {
      int ci = c;
      Thread t = new Thread(() -> creatorLoop(ci, target, count));
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    Instant windowStart = null, windowEnd = null;
    long stopNanos = stopFraction > 0 ? start + stopAt * 1_000_000_000L : Long.MAX_VALUE;
    long wStart = start + (warmup + 1) * 1_000_000_000L, wEnd = wStart + duration * 1_000_000_000L;
    long lastReport = System.nanoTime();
    Map<String, Long> snap = null;
    while (System.nanoTime() < wEnd) {
      long now = System.nanoTime();
      if (windowStart == null && now >= wStart) {
        windowStart = Instant.now();
        windowStartNanos = now;
        snap = counters();
      }
      if (now >= stopNanos && stoppedAgents.isEmpty()) {
        int n = (int) Math.round(agents.size() * stopFraction);
        for (int i = 0; i < n; i++) {
          stoppedAgents.add(agents.get(agents.size() - 1 - i).id());
        }
        // Sessions with a stopped participant will not complete: stop counting them as in flight.
        for (Sess s : sessions.values()) {
          markDoomedIfNeeded(s);
        }
        log("stopped %d agents", n);
        Files.writeString(Path.of(opt("out", "target/bench/sl") + "-stopped.txt"),
            String.join("\n", stoppedAgents) + "\n");
      }
      if (windowStart != null) {
        inFlightSum += inFlight.get();
        inFlightSamples++;
      }
      if (now - lastReport >= 5_000_000_000L) {
        lastReport = now;
        log("in flight %d, created %d, completed %d, validated %d, polls %d, errors %s", inFlight.get(), created.sum(),
            completed.sum(), validatedCount.sum(), polls.sum(), errorKinds);
      }
      Thread.sleep(50);
    }
    windowEnd = Instant.now();
    windowEndNanos = System.nanoTime();
    Map<String, Long> snapEnd = counters();
    creating = false;
    log("window closed; draining (up to %d s)", drain);
    long drainEnd = System.nanoTime() + drain * 1_000_000_000L;
    while (System.nanoTime() < drainEnd && inFlight.get() > 0) {
      Thread.sleep(100);
    }
    int stuck = inFlight.get();
    running = false;
    double secs = (windowEndNanos - windowStartNanos) / 1e9;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("window_start", windowStart);
    r.put("window_end", windowEnd);
    r.put("window_seconds", String.format("%.3f", secs));
    r.put("agents", agents.size());
    r.put("inflight_target", target);
    r.put("creators", creators);
    r.put("rate", opt("rate", "0"));
    for (String k : snapEnd.keySet()) {
      r.put(k + "_in_window", snapEnd.get(k) - snap.get(k));
    }
    r.put("sessions_completed_per_s", String.format("%.1f", (snapEnd.get("completed") - snap.get("completed")) / secs));
    r.put("sessions_created_per_s", String.format("%.1f", (snapEnd.get("created") - snap.get("created")) / secs));
    r.put("http_requests_per_s", String.format("%.1f", (snapEnd.get("requests") - snap.get("requests")) / secs));
    r.put("inflight_avg", inFlightSamples == 0 ? 0 : inFlightSum / inFlightSamples);
    r.put("created_total", created.sum());
    r.put("completed_total", completed.sum());
    r.put("stuck_after_drain", stuck);
    r.put("stopped_agents", stoppedAgents.size());
    putErrors(r);
    putWakeups(r);
    writeResults(r);
  }

  static long inFlightSum, inFlightSamples;

  static Map<String, Long> counters() {
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("created", created.sum());
    m.put("completed", completed.sum());
    m.put("validated", validatedCount.sum());
    m.put("polls", polls.sum());
    m.put("requests", requests.sum());
    return m;
  }

  static synchronized void markDoomedIfNeeded(Sess s) {
    // called when the session's participants are known to include a stopped agent
    if (s.doomed || s.done) {
      return;
    }
    boolean hasStopped = false;
    for (String agentId : new ArrayList<>(s.agents)) {
      hasStopped |= stoppedAgents.contains(agentId);
    }
    if (hasStopped) {
      s.doomed = true;
      inFlight.decrementAndGet();
    }
  }

  /** Paced creation (option rate): the next free creation slot, System.nanoTime() based. */
  static final AtomicLong nextSlot = new AtomicLong(System.nanoTime());

  static void creatorLoop(int ci, int target, int count) {
    double rate = dopt("rate", 0);
    long period = rate > 0 ? (long) (1e9 / rate) : 0;
    String body = "{\"task\":{\"type\":\"bench\",\"input\":{}},\"capability\":\"" + opt("capability", "bench")
        + "\",\"count\":" + count + "}";
    int n = 0;
    while (creating) {
      if (inFlight.get() >= target) {
        sleep(2);
        continue;
      }
      if (period > 0) {
        // One slot per period, shared by the creators; a creator that fell behind does not catch up in a burst.
        long slot = nextSlot.getAndUpdate(x -> Math.max(x, System.nanoTime() - period) + period);
        long wait = slot - System.nanoTime();
        if (wait > 0) {
          java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
      }
      inFlight.incrementAndGet();
      String base = bases[(ci + n++) % bases.length];
      long sent = System.nanoTime();
      try {
        Http.Resp r = client.send("POST", base, "/api/v1/sessions", adminAuth, body, 30_000);
        requests.increment();
        long answered = System.nanoTime();
        if (r.statusCode() == 201) {
          Map<String, Object> s = Json.obj(r.body());
          Sess sess = new Sess((String) s.get("session_id"), sent);
          sess.createdNanos = answered;
          sessions.put(sess.id, sess);
          created.increment();
          boolean stoppedParticipant = false;
          for (Object o : (List<?>) s.get("assignments")) {
            Map<?, ?> a = (Map<?, ?>) o;
            String aid = (String) a.get("assignment_id");
            sess.agents.add((String) a.get("agent_id"));
            assignmentSession.put(aid, sess);
            if (validatedEarly.remove(aid) && sess.validated.incrementAndGet() == iopt("count", 3)) {
              completeSession(sess);
            }
            stoppedParticipant |= stoppedAgents.contains((String) a.get("agent_id"));
            Long early = earlyDelegations.remove(aid);
            if (early != null) {
              // The delegation reached the agent before the creation answer reached the coordinator.
              if (answered >= windowStartNanos && answered < windowEndNanos) {
                wakeups.add(new long[] {1, 0, 1});
              }
            }
          }
          if (stoppedParticipant) {
            markDoomedIfNeeded(sess);
          }
        } else {
          inFlight.decrementAndGet();
          if (r.statusCode() == 422) {
            noEligible.increment();
            err("create 422");
            sleep(20);
          } else {
            createErrors.increment();
            err("create " + r.statusCode());
            sleep(20);
          }
        }
      } catch (Exception e) {
        inFlight.decrementAndGet();
        createErrors.increment();
        err("create " + e.getClass().getSimpleName());
        sleep(50);
      }
    }
  }

  // ------------------------------------------------------------------ agents
  static int agentTimeoutMs() {
    return (iopt("wait", 20) + 30) * 1000;
  }

  /** One long-poll after the other; work is handled concurrently with the next poll. */
  static void pollLoop(Agent a, boolean holder) {
    if (!running || stoppedAgents.contains(a.id())) {
      return;
    }
    long pollStart = System.nanoTime();
    long pollStartEpoch = epochMicros();
    client.sendAsync("GET", a.base(), "/api/v1/agents/" + a.id() + "/assignments?wait_seconds=" + iopt("wait", 20),
        "Bearer " + a.token(), null, agentTimeoutMs()).whenComplete((r, e) -> {
      requests.increment();
      polls.increment();
      long got = System.nanoTime();
      if (e != null || r.statusCode() != 200) {
        if (running) {
          pollErrors.increment();
          err(e != null ? "poll " + e.getClass().getSimpleName() : "poll " + r.statusCode());
        }
        later(200).execute(() -> pollLoop(a, holder));
        return;
      }
      if (stoppedAgents.contains(a.id())) {
        return; // a stopped agent does not act on what it received
      }
      for (Object o : Json.arr(r.body())) {
        Map<?, ?> m = (Map<?, ?>) o;
        String type = (String) m.get("type");
        String aid = (String) m.get("assignment_id");
        switch (type) {
          case "task_delegation" -> {
            if (!seenDelegations.add(aid)) {
              redeliveries.increment();
              continue;
            }
            Sess s = assignmentSession.get(aid);
            if (s == null) {
              earlyDelegations.put(aid, got);
            } else {
              long lat = Math.max(0, got - s.createdNanos) / 1000;
              if (got >= windowStartNanos && got < windowEndNanos) {
                // The measurement window only, like every other figure: the warm-up's first seconds (JIT) are slow.
                wakeups.add(new long[] {pollStart < s.sentNanos ? 1 : 0, lat, 0});
              }
              // assignment, received (epoch µs), the poll's start (epoch µs), waiting before the creation was sent,
              // from the creation answer (µs): joined with the database's created_at / delegated_at afterwards.
              delegationReceipts.add(aid + "," + epochMicros() + "," + pollStartEpoch + ","
                  + (pollStart < s.sentNanos) + "," + lat);
            }
            work(a, aid, (String) m.get("task_id"), holder);
          }
          case "compensation" -> {
            compensations.increment();
            if (seenCompensations.add(aid + "/" + m.get("idempotency_key"))) {
              // assignment, session, agent, received (epoch µs), the poll's start (epoch µs), idempotency key
              compReceipts.add(aid + "," + m.get("session_id") + "," + a.id() + "," + epochMicros() + ","
                  + pollStartEpoch + "," + m.get("idempotency_key"));
            }
            post(a, "/api/v1/assignments/" + aid + "/compensated", "{\"ok\":true,\"detail\":\"bench\"}")
                .whenComplete((cr, ce) -> {
                  if (ce != null || cr.statusCode() != 200) {
                    compErrors.increment();
                    err(ce != null ? "compensated " + ce.getClass().getSimpleName() : "compensated " + cr.statusCode());
                  }
                });
          }
          case "cancellation" -> cancellations.increment();
          default -> err("unknown message " + type);
        }
      }
      pollLoop(a, holder);
    });
  }

  static long epochMicros() {
    Instant i = Instant.now();
    return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
  }

  static CompletableFuture<Http.Resp> post(Agent a, String path, String body) {
    requests.increment();
    return client.sendAsync("POST", a.base(), path, "Bearer " + a.token(), body, agentTimeoutMs());
  }

  /** ack, then honest evidence (a holder only acks and keeps the work open). */
  static void work(Agent a, String aid, String taskId, boolean holder) {
    post(a, "/api/v1/assignments/" + aid + "/ack", "{}").thenCompose(r -> {
      if (r.statusCode() != 200) {
        ackErrors.increment();
        err("ack " + r.statusCode());
      }
      if (holder) {
        acked.add(aid);
        return CompletableFuture.completedFuture(null);
      }
      return worked();
    }).thenCompose(x -> {
      if (holder) {
        return CompletableFuture.completedFuture(null);
      }
      String output = "bench output of " + taskId;
      String ev = "{\"task_id\":\"" + taskId + "\",\"completion_time\":\"" + Instant.now() + "\",\"output\":\"" + output
          + "\",\"checksum\":\"" + sha256(output) + "\",\"metrics\":{}}";
      return post(a, "/api/v1/assignments/" + aid + "/evidence", ev);
    }).whenComplete((r, e) -> {
      if (e != null) {
        evidenceErrors.increment();
        err("work " + e.getClass().getSimpleName());
        return;
      }
      if (r == null) {
        return;
      }
      if (r.statusCode() != 200) {
        evidenceErrors.increment();
        err("evidence " + r.statusCode());
        return;
      }
      if (!r.body().contains("\"overall_success\":true")) {
        invalidVerdicts.increment();
        err("invalid verdict");
        return;
      }
      validatedCount.increment();
      validatedIds.add(aid);
      Sess s = assignmentSession.get(aid);
      if (s == null) {
        // Validated before the creator registered the session's assignments: counted when it does.
        validatedEarly.add(aid);
        s = assignmentSession.get(aid);
        if (s == null || !validatedEarly.remove(aid)) {
          return;
        }
      }
      if (s.validated.incrementAndGet() == iopt("count", 3)) {
        completeSession(s);
      }
    });
  }

  /** Completes after the simulated work (option work_ms), on a timer: no thread waits meanwhile. */
  static CompletableFuture<Object> worked() {
    int ms = iopt("work_ms", 0);
    if (ms <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    long d = (long) (ms * (0.5 + java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
    return CompletableFuture.supplyAsync(() -> null, later(d));
  }

  /**
   * Runs a task after a delay on the JDK's delay thread itself; what it starts (an HTTP exchange) goes to the client's
   * pool. Not CompletableFuture.delayedExecutor(d, unit): on a machine of two cores its default executor starts a new
   * thread for every task (the common pool is not used below a parallelism of two), which cost this process a thread
   * per simulated task.
   */
  static java.util.concurrent.Executor later(long ms) {
    return CompletableFuture.delayedExecutor(ms, java.util.concurrent.TimeUnit.MILLISECONDS, Runnable::run);
  }

  static synchronized void completeSession(Sess s) {
    completed.increment();
    long now = System.nanoTime();
    if (now >= windowStartNanos && now < windowEndNanos) {
      completedInWindow.incrementAndGet();
    }
    if (!s.doomed && !s.done) {
      s.done = true;
      inFlight.decrementAndGet();
    }
  }

  static final Set<String> acked = ConcurrentHashMap.newKeySet();
  /** Assignments validated before their session's creation answer was processed (a fast agent). */
  static final Set<String> validatedEarly = ConcurrentHashMap.newKeySet();

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ comp mode
  /**
   * The first `doomed` agents each get one session with two honest peers: the peers validate at once, the doomed
   * agent acks and holds its work; at stop_at_epoch_ms the doomed agents go silent. When the monitor finds them
   * UNRESPONSIVE their assignment times out, the session cannot reach its quorum and compensation orders go to the
   * peers' waiting long-polls. Receipts are written with wall-clock times for the script to join with the database.
   */
  static void compMode(List<Agent> agents) throws Exception {
    int doomed = iopt("doomed", 100);
    long stopAt = Long.parseLong(opt("stop_at_epoch_ms", "0"));
    int until = iopt("duration", 30);
    List<Agent> holders = agents.subList(0, doomed), peers = agents.subList(doomed, agents.size());
    for (Agent a : holders) {
      pollLoop(a, true);
    }
    for (Agent a : peers) {
      pollLoop(a, false);
    }
    Thread.sleep(500);
    int ok = 0;
    for (int i = 0; i < doomed; i++) {
      Agent h = holders.get(i), p1 = peers.get((2 * i) % peers.size()), p2 = peers.get((2 * i + 1) % peers.size());
      String body = "{\"task\":{\"type\":\"bench\",\"input\":{}},\"agent_ids\":[\"" + p1.id() + "\",\"" + p2.id() + "\",\""
          + h.id() + "\"]}";
      Http.Resp r = client.send("POST", bases[0], "/api/v1/sessions", adminAuth, body, 30_000);
      if (r.statusCode() == 201) {
        ok++;
        Map<String, Object> s = Json.obj(r.body());
        Sess sess = new Sess((String) s.get("session_id"), System.nanoTime());
        sess.createdNanos = System.nanoTime();
        for (Object o : (List<?>) s.get("assignments")) {
          assignmentSession.put((String) ((Map<?, ?>) o).get("assignment_id"), sess);
        }
      } else {
        log("create: %d %s", r.statusCode(), r.body());
      }
    }
    long deadline = System.nanoTime() + 20_000_000_000L;
    while ((validatedCount.sum() < 2L * ok || acked.size() < ok) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    log("%d sessions created; %d validated peers, %d holders acked", ok, validatedCount.sum(), acked.size());
    Files.writeString(Path.of(opt("out", "target/bench/comp") + ".ready"), "ready\n");
    long wait = stopAt - System.currentTimeMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
    for (Agent h : holders) {
      stoppedAgents.add(h.id());
    }
    log("holders stopped");
    long end = System.currentTimeMillis() + until * 1000L;
    while (System.currentTimeMillis() < end) {
      Thread.sleep(100);
    }
    running = false;
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("sessions", ok);
    r.put("validated_peers", validatedCount.sum());
    r.put("holders_acked", acked.size());
    r.put("compensation_orders_received", compensations.sum());
    putErrors(r);
    writeResults(r);
  }

  // ------------------------------------------------------------------ results
  static void putErrors(Map<String, Object> r) {
    r.put("create_errors", createErrors.sum());
    r.put("create_no_eligible_422", noEligible.sum());
    r.put("poll_errors", pollErrors.sum());
    r.put("ack_errors", ackErrors.sum());
    r.put("evidence_errors", evidenceErrors.sum());
    r.put("invalid_verdicts", invalidVerdicts.sum());
    r.put("compensation_confirm_errors", compErrors.sum());
    r.put("delegation_redeliveries_seen", redeliveries.sum());
    r.put("cancellations_received", cancellations.sum());
    r.put("compensations_received", compensations.sum());
    r.put("error_kinds", new TreeMap<>(errorKinds).toString().replace(' ', '_'));
  }

  static void putWakeups(Map<String, Object> r) {
    List<Long> waiting = new ArrayList<>(), all = new ArrayList<>();
    long early = 0;
    for (long[] w : wakeups) {
      all.add(w[1]);
      if (w[0] == 1) {
        waiting.add(w[1]);
      }
      early += w[2];
    }
    Collections.sort(waiting);
    Collections.sort(all);
    r.put("wakeup_samples", all.size());
    r.put("wakeup_waiting_samples", waiting.size());
    r.put("wakeup_before_creation_answer", early);
    r.put("wakeup_waiting_p50_ms", pct(waiting, 50));
    r.put("wakeup_waiting_p99_ms", pct(waiting, 99));
    r.put("wakeup_waiting_max_ms", pct(waiting, 100));
    r.put("wakeup_all_p50_ms", pct(all, 50));
    r.put("wakeup_all_p99_ms", pct(all, 99));
  }

  static String pct(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return "n/a";
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return String.format("%.2f", sorted.get(Math.max(0, Math.min(sorted.size() - 1, i))) / 1000.0);
  }

  static void writeResults(Map<String, Object> r) throws Exception {
    String out = opt("out", "target/bench/sl");
    StringBuilder sb = new StringBuilder();
    r.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    Files.writeString(Path.of(out + ".properties"), sb.toString());
    Files.writeString(Path.of(out + "-validated.txt"), String.join("\n", validatedIds) + "\n");
    Files.writeString(Path.of(out + "-comp.csv"), String.join("\n", compReceipts) + (compReceipts.isEmpty() ? "" : "\n"));
    Files.writeString(Path.of(out + "-deleg.csv"),
        String.join("\n", delegationReceipts) + (delegationReceipts.isEmpty() ? "" : "\n"));
    System.err.print(sb);
  }

  // ------------------------------------------------------------------ a minimal JSON reader
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(String s) { return (Map<String, Object>) new Json(s).value(); }

    static List<?> arr(String s) { return (List<?>) new Json(s).value(); }

    private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

    private Object value() {
      ws();
      char c = s.charAt(i);
      switch (c) {
        case '{': {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          ws();
          if (s.charAt(i) == '}') { i++; return m; }
          while (true) {
            ws();
            String k = str();
            ws();
            i++; // :
            m.put(k, value());
            ws();
            if (s.charAt(i++) == '}') return m;
          }
        }
        case '[': {
          i++;
          List<Object> l = new ArrayList<>();
          ws();
          if (s.charAt(i) == ']') { i++; return l; }
          while (true) {
            l.add(value());
            ws();
            if (s.charAt(i++) == ']') return l;
          }
        }
        case '"': return str();
        default: {
          int st = i;
          while (i < s.length() && ",}] \n\r\t".indexOf(s.charAt(i)) < 0) i++;
          String t = s.substring(st, i);
          if (t.equals("null")) return null;
          if (t.equals("true")) return Boolean.TRUE;
          if (t.equals("false")) return Boolean.FALSE;
          return Double.parseDouble(t);
        }
      }
    }

    private String str() {
      StringBuilder b = new StringBuilder();
      i++; // opening quote
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') return b.toString();
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }
  }

  // ------------------------------------------------------------------ HTTP
  /**
   * A small HTTP/1.1 client for this load generator: keep-alive connections per base URL, one blocking exchange per
   * request on a pooled thread (a waiting long-poll holds a parked thread and a socket, nothing else). java.net.http
   * cost this process about 0.3 ms of CPU per request, on the same two cores as the app and PostgreSQL.
   */
  static final class Http {
    record Resp(int statusCode, String body) {}

    private final Map<String, java.util.concurrent.ConcurrentLinkedDeque<Conn>> idle = new ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(null, r, "http", 256 * 1024);
      t.setDaemon(true);
      return t;
    });

    CompletableFuture<Resp> sendAsync(String method, String base, String path, String auth, String body, int timeoutMs) {
      CompletableFuture<Resp> f = new CompletableFuture<>();
      pool.execute(() -> {
        try {
          f.complete(send(method, base, path, auth, body, timeoutMs));
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      });
      return f;
    }

    Resp send(String method, String base, String path, String auth, String body, int timeoutMs) throws IOException {
      byte[] payload = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
      var q = idle.computeIfAbsent(base, k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
      Conn c = q.pollFirst();
      boolean reused = c != null;
      if (c == null) {
        c = new Conn(URI.create(base));
      }
      try {
        Resp r = c.exchange(method, path, auth, payload, timeoutMs);
        if (c.keepAlive) {
          q.offerFirst(c);
        } else {
          c.close();
        }
        return r;
      } catch (EOFException e) {
        c.close();
        if (reused && c.nothingRead) {
          // The server closed this idle connection before reading the request: send it once on a new one.
          return send(method, base, path, auth, body, timeoutMs);
        }
        throw e;
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    }

    static final class Conn {
      final Socket socket = new Socket();
      final BufferedOutputStream out;
      final InputStream in;
      final String host;
      boolean keepAlive = true;
      boolean nothingRead;

      Conn(URI base) throws IOException {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 4096);
        in = new BufferedInputStream(socket.getInputStream(), 8192);
        host = base.getHost() + ":" + base.getPort();
      }

      Resp exchange(String method, String path, String auth, byte[] payload, int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        StringBuilder h = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: ")
            .append(host).append("\r\nAuthorization: ").append(auth).append("\r\nAccept: application/json\r\n");
        if (payload != null) {
          h.append("Content-Type: application/json\r\nContent-Length: ").append(payload.length).append("\r\n");
        }
        out.write(h.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        if (payload != null) {
          out.write(payload);
        }
        out.flush();
        nothingRead = true;
        String status = line();
        nothingRead = false;
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        for (String l = line(); !l.isEmpty(); l = line()) {
          int colon = l.indexOf(':');
          String name = l.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT);
          String value = l.substring(colon + 1).trim();
          switch (name) {
            case "content-length" -> length = Long.parseLong(value);
            case "transfer-encoding" -> chunked = value.toLowerCase(java.util.Locale.ROOT).contains("chunked");
            case "connection" -> keepAlive &= !value.equalsIgnoreCase("close");
            default -> { }
          }
        }
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(length > 0 ? (int) length : 256);
        if (chunked) {
          for (int n = Integer.parseInt(line().split(";")[0].trim(), 16); n > 0;
              n = Integer.parseInt(line().split(";")[0].trim(), 16)) {
            b.write(in.readNBytes(n));
            line();
          }
          while (!line().isEmpty()) { } // trailers
        } else if (length >= 0) {
          byte[] bytes = in.readNBytes((int) length);
          if (bytes.length < length) {
            throw new EOFException("body cut short");
          }
          b.write(bytes);
        } else {
          b.write(in.readAllBytes());
          keepAlive = false;
        }
        return new Resp(code, b.toString(StandardCharsets.UTF_8));
      }

      private String line() throws IOException {
        StringBuilder l = new StringBuilder(64);
        for (int ch = in.read(); ch != '\n'; ch = in.read()) {
          if (ch < 0) {
            throw new EOFException("connection closed");
          }
          if (ch != '\r') {
            l.append((char) ch);
          }
        }
        return l.toString();
      }

      void close() {
        keepAlive = false;
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing
        }
      }
    }
  }
}
