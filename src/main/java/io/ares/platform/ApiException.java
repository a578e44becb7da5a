package io.ares.platform;

import java.util.LinkedHashMap;
import java.util.Map;

/** A client-facing failure: rendered as RFC 9457 problem+json with an ARES {@code code}. */
public class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final Map<String, Object> extensions = new LinkedHashMap<>();

  public ApiException(int status, String code, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
  }

  public ApiException with(String key, Object value) {
    extensions.put(key, value);
    return this;
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

  public static ApiException unauthorized(String detail) {
    return new ApiException(401, "UNAUTHORIZED", detail);
  }
}
