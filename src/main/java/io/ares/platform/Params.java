package io.ares.platform;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.UUID;

/** Parsing of raw query parameters into typed values, with 400 problems on bad input. */
public final class Params {

  private Params() {}

  public static int intParam(String name, String raw, int dflt) {
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    try {
      return Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      throw ApiException.validation(name + " must be an integer");
    }
  }

  public static Instant instantParam(String name, String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      OffsetDateTime t = OffsetDateTime.parse(raw);
      if (t.getYear() < 1 || t.getYear() > 9999) {
        throw ApiException.validation(name + " must be between the years 1 and 9999");
      }
      return t.toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.validation(name + " must be an RFC 3339 timestamp with an offset");
    }
  }

  public static <E extends Enum<E>> E enumParam(String name, String raw, Class<E> type) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Enum.valueOf(type, raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.validation(
          name + " must be one of " + Arrays.toString(type.getEnumConstants()));
    }
  }

  /** A UUID from a path segment; anything else names nothing (404). */
  public static UUID pathUuid(String what, String raw) {
    try {
      UUID u = UUID.fromString(raw);
      if (!u.toString().equalsIgnoreCase(raw)) {
        throw ApiException.notFound(what);
      }
      return u;
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound(what);
    }
  }
}
