package io.ares.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.platform.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Task validators (JSON Schema draft 2020-12), without Quarkus. */
class TaskSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static final JsonNode SCHEMA = json("""
      {"$schema": "https://json-schema.org/draft/2020-12/schema",
       "type": "object", "required": ["step"],
       "properties": {"step": {"type": "integer", "minimum": 0}, "at": {"type": "string", "format": "date-time"}},
       "$defs": {"n": {"type": "number"}}}
      """);

  @Test
  void a_valid_state_has_no_errors() {
    assertThat(TaskSchemas.validate(SCHEMA, json("{\"step\": 3, \"at\": \"2030-01-01T00:00:00Z\"}"))).isEmpty();
  }

  @Test
  void an_invalid_state_lists_every_error_with_its_location() {
    List<TaskSchemas.SchemaError> errors = TaskSchemas.validate(SCHEMA, json("{\"step\": -1, \"at\": \"yesterday\"}"));
    assertThat(errors).extracting(TaskSchemas.SchemaError::instanceLocation).containsExactly("/at", "/step");
    assertThat(errors).extracting(TaskSchemas.SchemaError::keyword).containsExactly("format", "minimum");
    assertThat(TaskSchemas.validate(SCHEMA, json("{}")))
        .extracting(TaskSchemas.SchemaError::keyword).containsExactly("required");
  }

  @Test
  void a_schema_that_is_not_valid_draft_2020_12_is_refused() {
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"type\": \"strnig\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("VALIDATION_FAILED");
          assertThat(e.extensions()).containsKey("errors");
        });
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"minimum\": \"zero\"}"))).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"properties\": 5}"))).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"pattern\": \"([a-z\"}"))).isInstanceOf(ApiException.class);
  }

  @Test
  void a_remote_ref_is_refused_without_fetching_it() {
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"$ref\": \"http://127.0.0.1:9/evil.json\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400))
        .hasMessageContaining("not allowed to be loaded");
    assertThatThrownBy(() -> TaskSchemas.compile(json("{\"$ref\": \"classpath:application.properties\"}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
  }

  @Test
  void a_local_ref_and_the_empty_schema_work() {
    JsonNode schema = json("{\"$defs\": {\"n\": {\"type\": \"number\"}}, \"properties\": {\"x\": {\"$ref\": \"#/$defs/n\"}}}");
    assertThat(TaskSchemas.validate(schema, json("{\"x\": 1}"))).isEmpty();
    assertThat(TaskSchemas.validate(schema, json("{\"x\": \"one\"}"))).hasSize(1);
    assertThat(TaskSchemas.validate(json("{}"), json("{\"anything\": [1, {}]}"))).isEmpty();
  }
}
