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
        .hasMessageContaining("does not resolve inside the schema");
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

  // ------------------------------------------------------------------------------------ hostile schemas

  private static String nested(int levels) {
    return "{\"properties\": {\"a\": ".repeat(levels) + "{}" + "}}".repeat(levels);
  }

  private static void assertRefused(String schema, String reason) {
    assertThatThrownBy(() -> TaskSchemas.compile(json(schema)))
        .as(schema.length() > 80 ? schema.substring(0, 80) : schema)
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("VALIDATION_FAILED");
        })
        .hasMessageContaining(reason);
  }

  @Test
  void a_schema_that_refers_to_itself_on_the_same_value_is_refused() {
    assertRefused("{\"$ref\": \"#\"}", "refers to itself without reading deeper");
    assertRefused("{\"$ref\": \"\"}", "refers to itself");
    assertRefused("{\"$defs\": {\"a\": {\"$ref\": \"#/$defs/b\"}, \"b\": {\"allOf\": [{\"$ref\": \"#/$defs/a\"}]}},"
        + " \"$ref\": \"#/$defs/a\"}", "#/$defs/a -> #/$defs/b");
    assertRefused("{\"anyOf\": [{\"type\": \"string\"}, {\"not\": {\"$ref\": \"#\"}}]}", "refers to itself");
    assertRefused("{\"if\": {\"type\": \"string\"}, \"then\": {\"$ref\": \"#\"}}", "refers to itself");
    assertRefused("{\"$defs\": {\"n\": {\"$anchor\": \"node\", \"oneOf\": [{\"$ref\": \"#node\"}]}},"
        + " \"properties\": {\"x\": {\"$ref\": \"#/$defs/n\"}}}", "refers to itself");
    assertRefused("{\"$dynamicAnchor\": \"m\", \"allOf\": [{\"$dynamicRef\": \"#m\"}]}", "refers to itself");
    assertRefused("{\"properties\": {\"a\": {\"$ref\": \"#/properties/a\"}}}", "refers to itself");
  }

  @Test
  void a_recursive_schema_that_reads_deeper_into_the_value_is_legal() {
    JsonNode tree = json("{\"type\": \"object\", \"required\": [\"v\"], \"properties\": {\"v\": {\"type\": \"integer\"},"
        + " \"children\": {\"type\": \"array\", \"items\": {\"$ref\": \"#\"}}}}");
    assertThat(TaskSchemas.validate(tree, json("{\"v\": 1, \"children\": [{\"v\": 2, \"children\": [{\"v\": 3}]}]}")))
        .isEmpty();
    assertThat(TaskSchemas.validate(tree, json("{\"v\": 1, \"children\": [{\"children\": []}]}")))
        .extracting(TaskSchemas.SchemaError::keyword).containsExactly("required");
    JsonNode list = json("{\"$defs\": {\"node\": {\"$anchor\": \"n\", \"properties\": {\"next\": {\"$ref\": \"#n\"}}}},"
        + " \"$ref\": \"#/$defs/node\"}");
    assertThat(TaskSchemas.validate(list, json("{\"next\": {\"next\": {}}}"))).isEmpty();
  }

  @Test
  void a_schema_nested_past_the_depth_limit_is_refused_without_overflowing_the_stack() {
    assertRefused(nested(400), "nests deeper than " + SchemaRules.MAX_DEPTH + " levels");
    assertRefused(nested(SchemaRules.MAX_DEPTH / 2), "nests deeper");
    assertThat(TaskSchemas.validate(json(nested(SchemaRules.MAX_DEPTH / 2 - 1)), json("{\"a\": {\"a\": 1}}"))).isEmpty();
  }

  @Test
  void references_that_resolve_nowhere_and_other_dialects_are_refused() {
    assertRefused("{\"$ref\": \"#/$defs/missing\"}", "does not resolve inside the schema");
    assertRefused("{\"properties\": {\"a\": {\"$ref\": \"#nowhere\"}}}", "does not resolve");
    assertRefused("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\"}", "only JSON Schema draft 2020-12");
    // References to the bundled meta-schema and to embedded resources are fine.
    TaskSchemas.compile(json("{\"properties\": {\"s\": {\"$ref\": \"https://json-schema.org/draft/2020-12/schema\"}}}"));
    JsonNode embedded = json("{\"$defs\": {\"pos\": {\"$id\": \"https://example.com/positive\", \"type\": \"integer\", \"minimum\": 1}},"
        + " \"properties\": {\"n\": {\"$ref\": \"https://example.com/positive\"}}}");
    assertThat(TaskSchemas.validate(embedded, json("{\"n\": 0}"))).extracting(TaskSchemas.SchemaError::keyword)
        .containsExactly("minimum");
  }

  @Test
  void a_schema_that_would_take_exponential_time_to_compile_is_refused_within_the_bounds() {
    StringBuilder s = new StringBuilder("{\"$ref\": \"#/$defs/d0\", \"$defs\": {");
    for (int i = 0; i < 40; i++) {
      s.append("\"d").append(i).append("\": {\"allOf\": [{\"$ref\": \"#/$defs/d").append(i + 1)
          .append("\"}, {\"$ref\": \"#/$defs/d").append(i + 1).append("\"}]},");
    }
    s.append("\"d40\": {\"type\": \"object\"}}}");
    long start = System.nanoTime();
    assertRefused(s.toString(), "within the bounds"); // 2^40 validators, but no cycle
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(ValidationBudget.MAX_TIME.toMillis() * 5);
  }

  @Test
  void an_evaluation_that_would_take_exponential_time_is_stopped_and_reported_as_an_error() {
    // Legal (each reference reads deeper into the value), compiled at once, but 2^depth evaluations of a value.
    JsonNode schema = json("{\"allOf\": [{\"items\": {\"$ref\": \"#\"}}, {\"items\": {\"$ref\": \"#\"}}]}");
    assertThat(TaskSchemas.validate(schema, json("[[[]], []]"))).isEmpty();
    long start = System.nanoTime();
    List<TaskSchemas.SchemaError> errors = TaskSchemas.validate(schema, json("[".repeat(40) + "]".repeat(40)));
    assertThat(errors).extracting(TaskSchemas.SchemaError::keyword).containsExactly(TaskSchemas.LIMIT);
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(ValidationBudget.MAX_TIME.toMillis() * 5);
  }

  @Test
  void a_catastrophic_pattern_is_stopped_by_the_time_bound() {
    JsonNode schema = json("{\"properties\": {\"s\": {\"pattern\": \"^((a+)+)+$\"}}}");
    assertThat(TaskSchemas.validate(schema, json("{\"s\": \"aaaa\"}"))).isEmpty();
    // Minutes of backtracking without the bound (24 characters take seconds already).
    assertThat(TaskSchemas.validate(schema, json("{\"s\": \"" + "a".repeat(32) + "!\"}")))
        .extracting(TaskSchemas.SchemaError::keyword).containsExactly(TaskSchemas.LIMIT);
  }

  @Test
  void a_value_nested_deeper_than_the_evaluation_may_nest_is_refused_not_a_stack_overflow() {
    JsonNode schema = json("{\"properties\": {\"c\": {\"$ref\": \"#\"}}}");
    String deep = "{\"c\": ".repeat(900) + "{}" + "}".repeat(900);
    assertThat(TaskSchemas.validate(schema, json(deep)))
        .extracting(TaskSchemas.SchemaError::keyword).containsExactly(TaskSchemas.LIMIT);
    String shallow = "{\"c\": ".repeat(100) + "{}" + "}".repeat(100);
    assertThat(TaskSchemas.validate(schema, json(shallow))).isEmpty();
  }

  @Test
  void a_stored_schema_the_rules_now_refuse_is_an_error_of_the_value_never_an_exception() {
    assertThat(TaskSchemas.validate(json("{\"$ref\": \"#\"}"), json("{}")))
        .extracting(TaskSchemas.SchemaError::keyword).containsExactly("schema");
  }
}
