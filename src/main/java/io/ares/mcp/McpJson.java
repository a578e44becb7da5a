package io.ares.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.introspect.AnnotatedClass;
import com.fasterxml.jackson.databind.introspect.AnnotationIntrospectorPair;
import com.fasterxml.jackson.databind.introspect.NopAnnotationIntrospector;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The MCP extension writes its protocol records ({@code ToolResponse}, resource and prompt contents) with the
 * application's ObjectMapper, whose snake_case naming (the REST API's) would turn {@code isError} into
 * {@code is_error} and {@code structuredContent} into {@code structured_content}, which MCP clients do not read.
 * The extension's own classes keep their Java (camelCase) names, as the MCP schema spells them; nothing else changes.
 */
@Singleton
public class McpJson implements ObjectMapperCustomizer {

  @Override
  public void customize(ObjectMapper mapper) {
    mapper.setAnnotationIntrospector(AnnotationIntrospectorPair.pair(new McpNames(), mapper.getSerializationConfig()
        .getAnnotationIntrospector()));
  }

  @Override
  public int priority() {
    return MINIMUM_PRIORITY; // after the others, so that the introspector already set is kept as the fallback
  }

  /** camelCase for the classes of the MCP extension, nothing said for any other class. */
  static final class McpNames extends NopAnnotationIntrospector {
    @Override
    public Object findNamingStrategy(AnnotatedClass ac) {
      return ac.getRawType().getName().startsWith("io.quarkiverse.mcp.")
          ? PropertyNamingStrategies.LowerCamelCaseStrategy.class
          : null;
    }
  }
}
