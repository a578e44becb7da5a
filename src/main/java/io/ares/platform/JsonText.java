package io.ares.platform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON text of a value, for the statements that bind JSON as text ({@code $n::text::jsonb}). */
public final class JsonText {

  private JsonText() {}

  /** Serialises values the engine built itself (maps, lists, records): a failure is a bug, not bad input. */
  public static String of(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
