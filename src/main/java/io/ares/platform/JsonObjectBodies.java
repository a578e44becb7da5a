package io.ares.platform;

import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.util.Map;

/**
 * A JSON body is a JSON object wherever an endpoint reads an object (a record body, a map, an {@link ObjectNode}):
 * a literal {@code null}, an array, a string or a number is 400 before the endpoint runs, so it changes nothing
 * (issue 18: {@code null} on a rollback was read as "no body" and rolled the task back). An empty body is still no
 * body (null), for the endpoints where the body is optional (rollback, cancel). Endpoints that read no body
 * (heartbeat, ack) never come here, whatever is sent. Only the first significant byte is looked at; the rest is read
 * by Jackson as before (with {@link StrictJson}'s rules).
 */
@Provider
public class JsonObjectBodies implements ReaderInterceptor {

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext ctx) throws IOException {
    if (!expectsObject(ctx.getType()) || !isJson(ctx.getMediaType())) {
      return ctx.proceed();
    }
    PushbackInputStream in = new PushbackInputStream(ctx.getInputStream(), 1);
    int first;
    do {
      first = in.read();
    } while (first == ' ' || first == '\t' || first == '\n' || first == '\r');
    if (first != -1) {
      if (first != '{') {
        throw ApiException.validation("the body must be a JSON object");
      }
      in.unread(first);
    }
    ctx.setInputStream(in);
    return ctx.proceed();
  }

  /** Whether a body read as {@code type} must be a JSON object. */
  public static boolean expectsObject(Class<?> type) {
    return type.isRecord() || Map.class.isAssignableFrom(type) || ObjectNode.class.isAssignableFrom(type);
  }

  private static boolean isJson(MediaType type) {
    return type == null
        || (type.getSubtype() != null
            && (type.getSubtype().equalsIgnoreCase("json") || type.getSubtype().toLowerCase().endsWith("+json")));
  }
}
