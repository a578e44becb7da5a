package io.ares.mcp;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * JSON Schemas of the tools. Input schemas are written by hand (each property with the description a model acts
 * on); output schemas are derived from the REST view records the way the REST layer's ObjectMapper writes them
 * (snake_case names, instants and UUIDs as strings, enums by name, every non-primitive nullable), so that what a tool
 * answers always conforms to the schema it declares.
 */
final class Schemas {

  private Schemas() {}

  /** An input schema under construction: an object with named properties. */
  static final class Input {
    private final JsonObject properties = new JsonObject();
    private final JsonArray required = new JsonArray();

    Input prop(String name, String type, String description, boolean isRequired) {
      properties.put(name, new JsonObject().put("type", type).put("description", description));
      if (isRequired) {
        required.add(name);
      }
      return this;
    }

    Input prop(String name, JsonObject schema, boolean isRequired) {
      properties.put(name, schema);
      if (isRequired) {
        required.add(name);
      }
      return this;
    }

    Input string(String name, String description, boolean isRequired) {
      return prop(name, "string", description, isRequired);
    }

    Input integer(String name, String description, boolean isRequired) {
      return prop(name, "integer", description, isRequired);
    }

    Input bool(String name, String description, boolean isRequired) {
      return prop(name, "boolean", description, isRequired);
    }

    Input object(String name, String description, boolean isRequired) {
      return prop(name, "object", description, isRequired);
    }

    /** Any JSON value. */
    Input any(String name, String description, boolean isRequired) {
      return prop(name, new JsonObject().put("description", description), isRequired);
    }

    JsonObject schema() {
      JsonObject s = new JsonObject().put("type", "object").put("properties", properties);
      if (!required.isEmpty()) {
        s.put("required", required);
      }
      return s;
    }
  }

  static Input input() {
    return new Input();
  }

  /** An object with one array property of the given record type (a REST array, wrapped). */
  static JsonObject wrappedList(String name, Class<?> item) {
    return new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put(name, new JsonObject().put("type", "array").put("items", of(item))))
        .put("required", new JsonArray().add(name));
  }

  /** A REST page ({@code items}, {@code page}, {@code size}, {@code total}) of the given record type. */
  static JsonObject page(Class<?> item) {
    return new JsonObject().put("type", "object")
        .put("properties", new JsonObject()
            .put("items", new JsonObject().put("type", "array").put("items", of(item)))
            .put("page", new JsonObject().put("type", "integer"))
            .put("size", new JsonObject().put("type", "integer"))
            .put("total", new JsonObject().put("type", "integer")))
        .put("required", new JsonArray().add("items").add("page").add("size").add("total"));
  }

  /** Any JSON object (the evidence verdict, a map). */
  static JsonObject anyObject() {
    return new JsonObject().put("type", "object");
  }

  /** The schema of a record as the REST layer writes it. */
  static JsonObject of(Class<?> record) {
    return typeSchema(record, false);
  }

  private static JsonObject typeSchema(Type type, boolean nullable) {
    Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (type instanceof Class<?> c ? c : Object.class);
    JsonObject s;
    if (raw == String.class || raw == UUID.class || raw == Instant.class) {
      s = typed("string", nullable);
    } else if (raw.isEnum()) {
      JsonArray values = new JsonArray();
      for (Object c : raw.getEnumConstants()) {
        values.add(((Enum<?>) c).name());
      }
      if (nullable) {
        values.addNull();
      }
      s = typed("string", nullable).put("enum", values);
    } else if (raw == int.class || raw == long.class) {
      s = typed("integer", false);
    } else if (raw == Integer.class || raw == Long.class) {
      s = typed("integer", nullable);
    } else if (raw == double.class || raw == float.class) {
      s = typed("number", false);
    } else if (raw == Double.class || raw == Float.class) {
      s = typed("number", nullable);
    } else if (raw == boolean.class) {
      s = typed("boolean", false);
    } else if (raw == Boolean.class) {
      s = typed("boolean", nullable);
    } else if (Collection.class.isAssignableFrom(raw)) {
      s = typed("array", nullable);
      if (type instanceof ParameterizedType p) {
        s.put("items", typeSchema(p.getActualTypeArguments()[0], true));
      }
    } else if (Map.class.isAssignableFrom(raw)) {
      s = typed("object", nullable);
    } else if (raw.isRecord()) {
      JsonObject props = new JsonObject();
      JsonArray required = new JsonArray();
      for (RecordComponent rc : raw.getRecordComponents()) {
        String name = PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(rc.getName());
        props.put(name, typeSchema(rc.getGenericType(), true));
        required.add(name);
      }
      s = typed("object", nullable).put("properties", props).put("required", required);
    } else {
      s = new JsonObject(); // any JSON value (Object, JsonNode)
    }
    return s;
  }

  private static JsonObject typed(String type, boolean nullable) {
    return new JsonObject().put("type", nullable ? new JsonArray().add(type).add("null") : type);
  }
}
