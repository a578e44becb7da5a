package io.ares.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/** A client-facing failure: rendered as RFC 9457 problem+json with an ARES {@code code}. */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final Map<String, Object> extensions = new LinkedHashMap<>();
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiException(int status, String code, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
  }

  public ApiException with(String key, Object value) {
    extensions.put(key, value);
    return this;
  }

  /** A response header sent with the problem (e.g. {@code Retry-After}). */
  public ApiException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  public Map<String, String> headers() {
    return headers;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Map<String, Object> extensions() {
    return extensions;
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "NOT_FOUND", what + " not found");
  }

  public static ApiException conflict(String detail) {
    return new ApiException(409, "CONFLICT", detail);
  }

  public static ApiException validation(String detail) {
    return new ApiException(400, "VALIDATION_FAILED", detail);
  }

  public static ApiException forbidden(String detail) {
    return new ApiException(403, "FORBIDDEN", detail);
  }

  /**
   * 429 {@code RATE_LIMITED}: the caller spent its quota; {@code Retry-After} (and {@code retry_after_seconds}) say
   * when to come back, in whole seconds rounded up (at least 1).
   */
  public static ApiException rateLimited(String detail, java.time.Duration retryAfter) {
    long seconds = Math.max(1, retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0));
    return new ApiException(429, "RATE_LIMITED", detail)
        .with("retry_after_seconds", seconds)
        .withHeader("Retry-After", Long.toString(seconds));
  }

  public static ApiException unauthorized(String detail) {
    return new ApiException(401, "UNAUTHORIZED", detail);
  }
}
