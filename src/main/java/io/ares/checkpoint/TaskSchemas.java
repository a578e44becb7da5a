package io.ares.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.resource.AllowSchemaLoader;
import io.ares.platform.ApiException;
import io.ares.platform.Hashing;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Task validators: JSON Schema draft 2020-12 through networknt json-schema-validator. Pure (no Quarkus).
 *
 * <p>A schema is accepted when it nests at most {@link SchemaRules#MAX_DEPTH} levels, validates against the draft
 * 2020-12 meta-schema (bundled with the library), meets {@link SchemaRules} (draft 2020-12 only, every reference
 * resolves inside it, no reference cycle that stays on the same value) and compiles; else 400 with the reason.
 * Nothing is ever fetched: {@code $ref}s may point inside the schema or to the bundled meta-schemas only, so
 * validation never does network I/O (nor blocks the event loop). {@code format} is asserted, not only annotated.
 *
 * <p>Every evaluation (the meta-schema check of a schema, a value against a schema) runs under a {@link
 * ValidationBudget} (time and nesting): a value that cannot be judged within it is reported as one error, keyword
 * {@code limit}, so a state write is refused (422), a rollback is 409, and nothing is ever a 500.
 */
public final class TaskSchemas {

  /** One reason a value does not satisfy a schema (snake_case on the wire). */
  public record SchemaError(String instanceLocation, String keyword, String message) {}

  /** At most this many errors are reported for one value. */
  public static final int MAX_ERRORS = 100;

  /** The keyword of the error reported when an evaluation was stopped by its bounds. */
  public static final String LIMIT = "limit";

  private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
  private static final int CACHE_SIZE = 256;

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
      SpecVersion.VersionFlag.V202012,
      b -> b.metaSchema(ValidationBudget.dialect())
          .schemaLoaders(loaders -> loaders.add(
              // Only the meta-schemas bundled in the library's jar (json-schema.org IRIs are mapped to them).
              new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:draft")))));

  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .pathType(PathType.JSON_POINTER)
      .formatAssertionsEnabled(true)
      .regularExpressionFactory(ValidationBudget::regex)
      .build();

  private static final JsonSchema META = FACTORY.getSchema(SchemaLocation.of(META_SCHEMA), CONFIG);

  /** Compiled schemas by the hash of their canonical JSON; small and LRU. Only schemas that passed every rule. */
  private static final Map<String, JsonSchema> CACHE = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonSchema> eldest) {
          return size() > CACHE_SIZE;
        }
      });

  private TaskSchemas() {}

  /**
   * Checks a schema: a JSON object that is a valid draft 2020-12 schema, meets {@link SchemaRules} and compiles. A
   * 400 {@code VALIDATION_FAILED} (with {@code errors}) otherwise.
   */
  public static JsonSchema compile(JsonNode schema) {
    SchemaRules.checkDepth(schema);
    String key = Hashing.canonicalHash(schema);
    JsonSchema cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    List<SchemaError> metaErrors;
    try {
      metaErrors = ValidationBudget.run(() -> errors(META.validate(schema)));
    } catch (ValidationBudget.LimitExceeded e) {
      throw SchemaRules.refused("it cannot be checked against the meta-schema within the bounds: " + e.getMessage());
    } catch (JsonSchemaException | IllegalArgumentException e) {
      throw invalid(e);
    }
    if (!metaErrors.isEmpty()) {
      throw ApiException.validation("schema is not a valid JSON Schema (draft 2020-12)").with("errors", metaErrors);
    }
    SchemaRules.check(schema);
    try {
      JsonSchema compiled = ValidationBudget.run(() -> {
        JsonSchema c = FACTORY.getSchema(schema.deepCopy(), CONFIG);
        c.initializeValidators();
        return c;
      });
      CACHE.put(key, compiled);
      return compiled;
    } catch (ValidationBudget.LimitExceeded e) {
      throw SchemaRules.refused("it cannot be compiled within the bounds: " + e.getMessage());
    } catch (ApiException e) {
      throw e;
    } catch (RuntimeException e) {
      throw invalid(e);
    }
  }

  /**
   * The reasons {@code value} does not satisfy {@code schema} (empty when it does). Never throws for a schema that
   * was stored before: a schema the rules now refuse, or an evaluation stopped by its bounds, is one error (keyword
   * {@value #LIMIT} or {@code schema}), so the value is refused rather than the request failing.
   */
  public static List<SchemaError> validate(JsonNode schema, JsonNode value) {
    JsonSchema compiled;
    try {
      compiled = compile(schema);
    } catch (ApiException e) {
      return List.of(new SchemaError("", "schema", "the task's schema is refused, replace it: " + e.getMessage()));
    }
    try {
      return ValidationBudget.run(() -> errors(compiled.validate(value)));
    } catch (ValidationBudget.LimitExceeded e) {
      return List.of(new SchemaError("", LIMIT, "the value could not be validated within the bounds ("
          + e.getMessage() + "), so it is refused"));
    } catch (RuntimeException e) {
      return List.of(new SchemaError("", "schema", "the value could not be validated: " + cut(e.getMessage())));
    }
  }

  private static List<SchemaError> errors(Set<ValidationMessage> messages) {
    return messages.stream()
        .map(m -> new SchemaError(m.getInstanceLocation().toString(), m.getType(), m.getMessage()))
        .sorted(Comparator.comparing(SchemaError::instanceLocation).thenComparing(SchemaError::message))
        .limit(MAX_ERRORS)
        .toList();
  }

  private static ApiException invalid(RuntimeException e) {
    String why = e.getMessage() == null ? "it cannot be compiled" : cut(e.getMessage());
    return ApiException.validation("schema is not a valid JSON Schema (draft 2020-12): " + why);
  }

  private static String cut(String why) {
    if (why == null) {
      return "unknown reason";
    }
    return why.length() > 500 ? why.substring(0, 500) + "…" : why;
  }
}
