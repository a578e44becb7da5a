package io.ares.platform.security;

import io.ares.platform.AresConfig;
import io.ares.platform.Hashing;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The console's server-side sessions: the only class with statements on {@code console_session}.
 *
 * <p>Signing in creates a random 256-bit id, sent to the browser once in the {@code ares-session} cookie; the table
 * keeps only its SHA-256, with the user, the role and the times. Every console request looks the id up (one primary-key
 * read; {@code last_seen_at} is written at most once a minute), so a session ends on every replica at once when its
 * row goes: at sign-out, after {@code ares.console.session-idle-timeout} without use, or
 * {@code ares.console.session-max-age} after the sign-in. Nothing is encrypted or signed with a server key, so there is
 * no key to configure, share between replicas or leak: a cookie is worth exactly what its row says.
 */
@ApplicationScoped
public class ConsoleSessions {

  /** The cookie that carries the session id. */
  public static final String COOKIE = "ares-session";

  /** {@code last_seen_at} is rewritten only when older than this (an htmx poll every 3 s would otherwise write). */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @Inject Pool pool;
  @Inject Clock clock;
  @Inject AresConfig config;

  /** A new session and the cookie value that opens it (shown to the browser once, never stored). */
  public record Opened(String cookieValue, ConsoleSession session) {}

  /** Opens a session for an account whose password was just checked; expired sessions are swept first. */
  public Uni<Opened> open(String user, String role) {
    byte[] id = new byte[32];
    RANDOM.nextBytes(id);
    String raw = B64.encodeToString(id);
    byte[] hash = hash(raw);
    Instant now = clock.instant();
    OffsetDateTime at = utc(now);
    return pool.preparedQuery("DELETE FROM console_session WHERE expires_at <= $1 OR last_seen_at <= $2")
        .execute(Tuple.of(at, utc(now.minus(config.console().sessionIdleTimeout()))))
        .chain(() -> pool.preparedQuery("INSERT INTO console_session (id_hash, user_name, role, created_at, "
                + "last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $4, $5)")
            .execute(Tuple.of(Buffer.buffer(hash), user, role, at, utc(now.plus(config.console().sessionMaxAge())))))
        .map(rows -> new Opened(raw, new ConsoleSession(hash, user, role, csrfToken(raw))));
  }

  /** The live session a cookie value opens, or null (unknown, signed out, idle too long, too old, malformed). */
  public Uni<ConsoleSession> find(String raw) {
    if (!wellFormed(raw)) {
      return Uni.createFrom().nullItem();
    }
    byte[] hash = hash(raw);
    Instant now = clock.instant();
    return pool.preparedQuery("SELECT user_name, role, last_seen_at, expires_at FROM console_session WHERE id_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash)))
        .chain(rows -> {
          RowIterator<Row> it = rows.iterator();
          if (!it.hasNext()) {
            return Uni.createFrom().nullItem();
          }
          Row row = it.next();
          Instant lastSeen = row.getOffsetDateTime("last_seen_at").toInstant();
          Instant expires = row.getOffsetDateTime("expires_at").toInstant();
          if (!live(lastSeen, expires, now, config.console().sessionIdleTimeout())) {
            return Uni.createFrom().nullItem();
          }
          ConsoleSession s = new ConsoleSession(hash, row.getString("user_name"), row.getString("role"), csrfToken(raw));
          if (Duration.between(lastSeen, now).compareTo(TOUCH_EVERY) < 0) {
            return Uni.createFrom().item(s);
          }
          return pool.preparedQuery("UPDATE console_session SET last_seen_at = $2 WHERE id_hash = $1")
              .execute(Tuple.of(Buffer.buffer(hash), utc(now)))
              .replaceWith(s);
        });
  }

  /** Ends the session a cookie value opens (sign-out); nothing happens for an unknown value. */
  public Uni<Void> close(String raw) {
    if (!wellFormed(raw)) {
      return Uni.createFrom().voidItem();
    }
    return pool.preparedQuery("DELETE FROM console_session WHERE id_hash = $1")
        .execute(Tuple.of(Buffer.buffer(hash(raw))))
        .replaceWithVoid();
  }

  /** Whether a session last used at {@code lastSeen}, ending at {@code expires}, is still honoured at {@code now}. */
  static boolean live(Instant lastSeen, Instant expires, Instant now, Duration idle) {
    return now.isBefore(expires) && now.isBefore(lastSeen.plus(idle));
  }

  /** A cookie value as {@link #open} makes them: 32 bytes, URL-safe base64 without padding (43 characters). */
  static boolean wellFormed(String raw) {
    if (raw == null || raw.length() != 43) {
      return false;
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        return false;
      }
    }
    return true;
  }

  static byte[] hash(String raw) {
    return Hashing.sha256(raw.getBytes(StandardCharsets.US_ASCII));
  }

  /** HMAC-SHA256 of a fixed label keyed with the session id: bound to the session, useless without its cookie. */
  static String csrfToken(String raw) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(raw.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return B64.encodeToString(mac.doFinal("ares-console-csrf".getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static OffsetDateTime utc(Instant i) {
    return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }
}
