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
 * <p>A schema is accepted when it validates against the draft 2020-12 meta-schema (bundled with the library)
 * and compiles. Nothing is ever fetched: {@code $ref}s may point inside the schema or to the bundled
 * meta-schemas only, so validation never does network I/O (nor blocks the event loop). {@code format} is
 * asserted, not only annotated.
 */
public final class TaskSchemas {

  /** One reason a value does not satisfy a schema (snake_case on the wire). */
  public record SchemaError(String instanceLocation, String keyword, String message) {}

  /** At most this many errors are reported for one value. */
  public static final int MAX_ERRORS = 100;

  private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";
  private static final int CACHE_SIZE = 256;

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(
      SpecVersion.VersionFlag.V202012,
      b -> b.schemaLoaders(loaders -> loaders.add(
          // Only the meta-schemas bundled in the library's jar (json-schema.org IRIs are mapped to them).
          new AllowSchemaLoader(iri -> iri.toString().startsWith("classpath:draft")))));

  private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
      .pathType(PathType.JSON_POINTER)
      .formatAssertionsEnabled(true)
      .build();

  private static final JsonSchema META = FACTORY.getSchema(SchemaLocation.of(META_SCHEMA), CONFIG);

  /** Compiled schemas by the hash of their canonical JSON; small and LRU. */
  private static final Map<String, JsonSchema> CACHE = Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JsonSchema> eldest) {
          return size() > CACHE_SIZE;
        }
      });

  private TaskSchemas() {}

  /**
   * Checks a schema: a JSON object that is a valid draft 2020-12 schema and compiles. A 400 {@code
   * VALIDATION_FAILED} (with {@code errors}) otherwise.
   */
  public static JsonSchema compile(JsonNode schema) {
    List<SchemaError> metaErrors;
    try {
      metaErrors = errors(META.validate(schema));
    } catch (JsonSchemaException | IllegalArgumentException e) {
      throw invalid(e);
    }
    if (!metaErrors.isEmpty()) {
      throw ApiException.validation("schema is not a valid JSON Schema (draft 2020-12)").with("errors", metaErrors);
    }
    String key = Hashing.canonicalHash(schema);
    JsonSchema cached = CACHE.get(key);
    if (cached != null) {
      return cached;
    }
    try {
      JsonSchema compiled = FACTORY.getSchema(schema.deepCopy(), CONFIG);
      compiled.initializeValidators();
      CACHE.put(key, compiled);
      return compiled;
    } catch (RuntimeException e) {
      throw invalid(e);
    }
  }

  /** The reasons {@code value} does not satisfy {@code schema} (empty when it does). */
  public static List<SchemaError> validate(JsonNode schema, JsonNode value) {
    return errors(compile(schema).validate(value));
  }

  private static List<SchemaError> errors(Set<ValidationMessage> messages) {
    return messages.stream()
        .map(m -> new SchemaError(m.getInstanceLocation().toString(), m.getType(), m.getMessage()))
        .sorted(Comparator.comparing(SchemaError::instanceLocation).thenComparing(SchemaError::message))
        .limit(MAX_ERRORS)
        .toList();
  }

  private static ApiException invalid(RuntimeException e) {
    String why = e.getMessage() == null ? "it cannot be compiled" : e.getMessage();
    if (why.length() > 500) {
      why = why.substring(0, 500) + "…";
    }
    return ApiException.validation("schema is not a valid JSON Schema (draft 2020-12): " + why);
  }
}
