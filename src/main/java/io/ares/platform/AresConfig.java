package io.ares.platform;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every {@code ares.*} setting, with its default. README.md lists the same keys. */
@ConfigMapping(prefix = "ares")
public interface AresConfig {

  Heartbeat heartbeat();

  Registration registration();

  Auth auth();

  Account admin();

  Viewer viewer();

  Assignment assignment();

  Compensation compensation();

  Delivery delivery();

  Reliability reliability();

  Enforcement enforcement();

  Monitor monitor();

  Http http();

  Console console();

  Limits limits();

  /**
   * The embedded PostgreSQL (io.ares.platform.db, read before start-up by its configuration source factory; mapped here
   * so the keys are known and documented). Empty: automatic — used when no datasource URL is configured and, in dev
   * mode and tests, no container runtime is found; by the packaged application only outside Kubernetes. True: used
   * whenever no URL is configured (also inside Kubernetes, also with a container runtime). False: never.
   * Environment: {@code ARES_EMBEDDED_DB}.
   */
  @WithName("embedded-db")
  Optional<Boolean> embeddedDb();

  /**
   * Where the embedded PostgreSQL keeps its data. Default: {@code target/ares-dev-db} in dev mode, {@code ./ares-data}
   * for the packaged application; tests always use a throw-away folder unless this is set.
   */
  @WithName("embedded-db-dir")
  Optional<String> embeddedDbDir();

  /**
   * Build-only: {@code -Dares.local.db.name|host|port|user|password=…} selects the local PostgreSQL through the Maven
   * profile local-postgres (pom.xml). Maven hands its -D properties to dev mode and the tests as system properties,
   * so they are known here (and ignored) rather than failing the strict check of ares.* keys.
   */
  @WithName("local.db")
  Map<String, String> localDb();


  interface Heartbeat {
    /** A lease lasts heartbeat_interval_seconds times this factor after the last sign of life. */
    @WithDefault("3")
    double tolerance();

    /**
     * Signs of life that are not heartbeats (a long-poll opening or answering, a stream frame) are written at most
     * once per this period per agent and instance, and at most once per tenth of the agent's lease: one arriving
     * sooner is written once, when the period ends (0: every sign of life is written at once). Heartbeats are always
     * written.
     */
    @WithName("sign-of-life-coalesce")
    @WithDefault("1s")
    java.time.Duration signOfLifeCoalesce();
  }

  interface Auth {
    /**
     * How long a resolved agent token is remembered by an instance (0: every request reads the database). A rotation
     * or a deregistration forgets it at once on the instance that made it and, through the wake-up channel, on the
     * others; this bounds how long a revoked token could still open an instance that missed that notification.
     */
    @WithName("token-cache-ttl")
    @WithDefault("5s")
    java.time.Duration tokenCacheTtl();

    /**
     * After a failed sign-in (HTTP Basic or the console form), the next attempt of the same (account, client address)
     * waits this long; each further consecutive failure doubles the wait, up to {@link #loginMaxDelay()}. A success
     * resets the pair. There is no lockout: other addresses are never slowed.
     */
    @WithName("login-delay")
    @WithDefault("100ms")
    java.time.Duration loginDelay();

    /** The longest wait between two failed sign-ins of one (account, client address). */
    @WithName("login-max-delay")
    @WithDefault("10s")
    java.time.Duration loginMaxDelay();

    /** How many (account, client address) pairs with recent failures are remembered (least recently used forgotten). */
    @WithName("login-throttle-pairs")
    @WithDefault("10000")
    int loginThrottlePairs();
  }

  interface Registration {
    /** When set, POST /agents needs the header X-Registration-Secret with this value. */
    Optional<String> secret();

    /**
     * Registrations one client address may make per minute while registration is open (no secret); beyond, 429
     * RATE_LIMITED with Retry-After. Not applied when a secret is set. 0: no limit.
     */
    @WithName("per-address-per-minute")
    @WithDefault("20")
    long perAddressPerMinute();
  }

  interface Account {
    /** Operator user name (env ARES_ADMIN_USER). */
    @WithDefault("admin")
    String user();

    /** Operator password (env ARES_ADMIN_PASSWORD); required in prod. */
    Optional<String> password();
  }

  interface Viewer {
    /** Read-only user name (env ARES_VIEWER_USER); the account exists only when both are set. */
    Optional<String> user();

    /** Read-only password (env ARES_VIEWER_PASSWORD). */
    Optional<String> password();
  }

  interface Assignment {
    /** An assignment must be acknowledged this long after its creation. */
    @WithName("ack-timeout")
    @WithDefault("60s")
    Duration ackTimeout();

    /** Default time from the ack to the evidence when the task sets no completion_timeout_seconds. */
    @WithName("completion-timeout")
    @WithDefault("600s")
    Duration completionTimeout();

    /**
     * The shortest completion_timeout_seconds a task may ask for (400 below it): a coordinator must not be able to
     * make honest agents time out, and collect TASK_TIMEOUT incidents, by giving them no time to work.
     */
    @WithName("min-completion-timeout")
    @WithDefault("10s")
    Duration minCompletionTimeout();
  }

  interface Compensation {
    /** Send every compensation order of a session at once instead of one at a time. */
    @WithDefault("false")
    boolean parallel();

    /** An order unconfirmed this long after delivery is delivered again (after the backoff). */
    @WithName("confirm-timeout")
    @WithDefault("30s")
    Duration confirmTimeout();

    /** First redelivery backoff; doubles with each delivery, with jitter. */
    @WithDefault("1s")
    Duration backoff();

    /** Deliveries of one order before it is COMPENSATION_FAILED. */
    @WithName("max-attempts")
    @WithDefault("5")
    int maxAttempts();
  }

  interface Delivery {
    /** A delegation not acted on is delivered again this long after its last delivery. */
    @WithName("redeliver-after")
    @WithDefault("10s")
    Duration redeliverAfter();

    /**
     * Long-polls and streams one agent may hold open on one instance; a new one beyond it replaces the oldest
     * (which answers [] or closes with 1008).
     */
    @WithName("max-open-per-agent")
    @WithDefault("4")
    int maxOpenPerAgent();
  }

  interface Reliability {
    /** Results older than this do not count towards the success rate. */
    @WithDefault("7d")
    Duration window();

    /**
     * How often queued outcomes left behind (a failed batch, a stopped instance) are applied; the ones applied at
     * once by their own request never wait for it.
     */
    @WithName("projector-sweep")
    @WithDefault("5s")
    Duration projectorSweep();

    /**
     * Whether a valid verdict is answered only once its outcome is part of the reliability record (read-your-writes
     * for the agent's score and report). By default the verdict is answered when it commits, and the outcome, queued
     * in that same transaction, is applied by the projector's next batch (milliseconds later; under load a batch or
     * two): waiting for it made every agent's evidence call as slow as the projector's queue.
     */
    @WithName("verdict-awaits-record")
    @WithDefault("false")
    boolean verdictAwaitsRecord();
  }

  interface Enforcement {
    /** Quarantine when the score falls below this value (after min-samples results). */
    @WithName("quarantine-below")
    @WithDefault("0.4")
    double quarantineBelow();

    /** Results needed before the score can quarantine an agent. */
    @WithName("min-samples")
    @WithDefault("5")
    int minSamples();

    /** Enforceable incidents within the window that quarantine an agent. */
    @WithName("max-high-incidents")
    @WithDefault("3")
    int maxHighIncidents();

    /** Window for counting enforceable incidents. */
    @WithDefault("1h")
    Duration window();
  }

  interface Monitor {
    /** Whether the scheduled sweep runs (tests drive it by hand). */
    @WithDefault("true")
    boolean enabled();

    /** Period of the sweep. */
    @WithDefault("1s")
    Duration interval();

    /** Rows claimed per sweep step. */
    @WithName("batch-size")
    @WithDefault("500")
    int batchSize();
  }

  interface Http {
    /** Largest accepted request body; larger ones get 413. */
    @WithName("max-body")
    @WithDefault("1M")
    String maxBody();

    /**
     * Proxies (IP addresses or CIDR ranges) whose {@code X-Forwarded-For} is believed when telling a client's address
     * (for per-address limits and sign-in throttling); none by default: the peer address is the client's.
     */
    @WithName("trusted-proxies")
    Optional<java.util.List<String>> trustedProxies();
  }

  interface Console {
    /**
     * A dashboard request finding its snapshot older than this starts one background refresh and is answered
     * from the snapshot it found (stale-while-revalidate).
     */
    @WithName("dashboard-max-age")
    @WithDefault("2s")
    Duration dashboardMaxAge();

    /** A console sign-in unused for this long ends (the server-side session row is no longer honoured). */
    @WithName("session-idle-timeout")
    @WithDefault("8h")
    Duration sessionIdleTimeout();

    /** A console sign-in ends this long after it began, however active (sign in again). */
    @WithName("session-max-age")
    @WithDefault("12h")
    Duration sessionMaxAge();
  }

  interface Limits {
    /**
     * Checkpoints one agent may take per minute (a token bucket: this many at once, refilled evenly over the minute);
     * beyond, 429 RATE_LIMITED with Retry-After. Operators are not limited. 0: no limit.
     */
    @WithName("checkpoints-per-minute")
    @WithDefault("60")
    long checkpointsPerMinute();

    /**
     * Bytes (of the states' canonical JSON) one agent may checkpoint per minute, counted like the checkpoints; a
     * single checkpoint larger than this is 413. Sizes like 16M, 512K. 0: no limit.
     */
    @WithName("checkpoint-bytes-per-minute")
    @WithDefault("16M")
    String checkpointBytesPerMinute();

    /**
     * Bytes of task state (its JSON) one agent may write per minute with PUT /tasks/{id}/state; beyond, 429
     * RATE_LIMITED with Retry-After. Operators are not limited. 0: no limit.
     */
    @WithName("state-bytes-per-minute")
    @WithDefault("16M")
    String stateBytesPerMinute();
  }
}
