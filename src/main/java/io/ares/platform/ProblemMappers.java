package io.ares.platform;

import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.stream.Collectors;
import org.hibernate.StaleStateException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Maps every failure a client can cause to problem+json; never leaks Java class names. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response api(ApiException e) {
    Response r = new Problem(e.status(), e.code(), e.getMessage(), e.extensions()).toResponse();
    if (e.headers().isEmpty()) {
      return r;
    }
    Response.ResponseBuilder b = Response.fromResponse(r);
    e.headers().forEach(b::header);
    return b.build();
  }

  @ServerExceptionMapper
  public Response parse(StreamReadException e) {
    return Problem.response(400, "VALIDATION_FAILED", parseDetail(e));
  }

  @ServerExceptionMapper
  public Response invalidFormat(InvalidFormatException e) {
    return Problem.response(400, "VALIDATION_FAILED", "invalid value for " + path(e) + ": " + expected(e));
  }

  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e) {
    return Problem.response(400, "VALIDATION_FAILED", "wrong JSON type for " + path(e) + ": " + expected(e));
  }

  @ServerExceptionMapper
  public Response mapping(JsonMappingException e) {
    return Problem.response(400, "VALIDATION_FAILED", "invalid JSON body at " + path(e));
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    return Problem.response(400, "VALIDATION_FAILED", "invalid JSON body");
  }

  /** The Jackson failure behind a 400 the REST layer raised while reading a body, mapped as if it came alone. */
  private Response jsonCause(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof StreamReadException p) {
        return parse(p);
      }
      if (c instanceof InvalidFormatException f) {
        return invalidFormat(f);
      }
      if (c instanceof MismatchedInputException m) {
        return mismatched(m);
      }
      if (c instanceof JsonMappingException m) {
        return mapping(m);
      }
      if (c instanceof JsonProcessingException j) {
        return json(j);
      }
    }
    return null;
  }

  /** A syntax error, or a number too large for its field, named by field when the parser knows it. */
  private static String parseDetail(StreamReadException e) {
    String field = null;
    if (e.getProcessor() != null && e.getProcessor().getParsingContext() != null) {
      field = e.getProcessor().getParsingContext().getCurrentName();
    }
    if (e instanceof com.fasterxml.jackson.core.exc.InputCoercionException) {
      return "number out of range" + (field == null ? "" : " for " + field);
    }
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    // Jackson's wording names no Java class for syntax errors; keep its first sentence, drop the hints after it.
    int cut = original.indexOf('\n');
    return "malformed JSON" + (field == null ? "" : " near " + field) + ": "
        + (cut < 0 ? original : original.substring(0, cut));
  }

  /** What the field takes, in JSON terms (never a Java class name). */
  private static String expected(MismatchedInputException e) {
    Class<?> t = e.getTargetType();
    if (t == null) {
      return "not the JSON type it takes";
    }
    if (t.isEnum()) {
      return "one of " + java.util.Arrays.stream(t.getEnumConstants()).map(Object::toString)
          .collect(Collectors.joining(", "));
    }
    if (t == String.class || t == java.time.Instant.class || t == java.time.OffsetDateTime.class
        || t == java.util.UUID.class) {
      return "a string";
    }
    if (t == Integer.class || t == int.class || t == Long.class || t == long.class || t == Short.class
        || t == short.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(t) || t == double.class || t == float.class) {
      return "a number";
    }
    if (t == Boolean.class || t == boolean.class) {
      return "a boolean (true or false)";
    }
    if (java.util.Collection.class.isAssignableFrom(t) || t.isArray()) {
      return "an array";
    }
    if (java.util.Map.class.isAssignableFrom(t) || t.isRecord()
        || com.fasterxml.jackson.databind.node.ObjectNode.class.isAssignableFrom(t)) {
      return "an object";
    }
    return "not the JSON type it takes";
  }

  /**
   * A lost race on a path that does not retry (a client's write racing another client's write of the same row, e.g. a
   * task's state): the caller's request conflicts with what another wrote first. Paths that retry turn their last lost
   * race into 503 BUSY instead ({@link Transactions#retried}).
   */
  @ServerExceptionMapper
  public Response optimisticLock(OptimisticLockException e) {
    return conflict();
  }

  @ServerExceptionMapper
  public Response stale(StaleStateException e) {
    return conflict();
  }

  static Response conflict() {
    return Problem.response(409, "CONFLICT", "concurrent update; retry with fresh state");
  }

  /**
   * Database errors a client can provoke (bad characters such as U+0000, values out of range, a unique key taken
   * by a concurrent request, a lost race) are 4xx; anything else is a 500 that names no Java class.
   */
  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    String state = sqlState(e);
    if (state != null) {
      if (state.startsWith("22")) {
        return Problem.response(400, "VALIDATION_FAILED", "a value cannot be stored (invalid character or out of range)");
      }
      if (state.equals("23505")) {
        return Problem.response(409, "CONFLICT", "already exists (a concurrent request created it); retry to read it");
      }
      if (state.equals("40P01") || state.equals("40001")) {
        return conflict();
      }
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof ApiException api) {
        return api(api);
      }
      if (c instanceof OptimisticLockException || c instanceof StaleStateException) {
        return conflict();
      }
    }
    LOG.error("request failed", e);
    return Problem.response(500, "INTERNAL_ERROR", "internal error");
  }

  private static String sqlState(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof io.vertx.pgclient.PgException pg) {
        return pg.getSqlState();
      }
      if (c instanceof org.hibernate.JDBCException j && j.getSQLState() != null) {
        return j.getSQLState();
      }
      if (c instanceof java.sql.SQLException q && q.getSQLState() != null) {
        return q.getSQLState();
      }
    }
    return null;
  }

  @ServerExceptionMapper(priority = 1)
  public Response authenticationFailed(AuthenticationFailedException e, UriInfo uri, HttpHeaders headers) {
    return unauthenticated(uri, headers);
  }

  @ServerExceptionMapper(priority = 1)
  public Response unauthorized(UnauthorizedException e, UriInfo uri, HttpHeaders headers) {
    return unauthenticated(uri, headers);
  }

  @ServerExceptionMapper(priority = 1)
  public Response forbidden(ForbiddenException e) {
    return Problem.response(403, "FORBIDDEN", "not allowed for this caller");
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    int status = e.getResponse().getStatus();
    if (status == 400) {
      Response fromJson = jsonCause(e.getCause());
      if (fromJson != null) {
        return fromJson;
      }
    }
    if (status >= 500) {
      LOG.error("request failed", e);
      return Problem.response(500, "INTERNAL_ERROR", "internal error");
    }
    String code =
        switch (status) {
          case 400 -> "VALIDATION_FAILED";
          case 401 -> "UNAUTHORIZED";
          case 403 -> "FORBIDDEN";
          case 404 -> "NOT_FOUND";
          case 405 -> "METHOD_NOT_ALLOWED";
          case 406 -> "NOT_ACCEPTABLE";
          case 409 -> "CONFLICT";
          case 413 -> "PAYLOAD_TOO_LARGE";
          case 415 -> "UNSUPPORTED_MEDIA_TYPE";
          default -> "HTTP_" + status;
        };
    String detail =
        switch (status) {
          case 404 -> "no such resource";
          case 405 -> "method not allowed";
          case 415 -> "unsupported media type; send application/json";
          case 413 -> "request body too large";
          default -> Response.Status.fromStatusCode(status) == null
              ? "request refused"
              : Response.Status.fromStatusCode(status).getReasonPhrase();
        };
    Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE).entity(new Problem(status, code, detail, null));
    if (status == 405 && e.getResponse().getHeaderString("Allow") != null) {
      b.header("Allow", e.getResponse().getHeaderString("Allow"));
    }
    return b.build();
  }

  private static Response unauthenticated(UriInfo uri, HttpHeaders headers) {
    String path = uri.getPath();
    if (path.startsWith("/console")) {
      return Response.status(302).header("Location", "/console/login").build();
    }
    return Response.status(401)
        .type(Problem.MEDIA_TYPE)
        .header("WWW-Authenticate", "Bearer realm=\"ares\", Basic realm=\"ares\"")
        .entity(new Problem(401, "UNAUTHORIZED", "missing or invalid credentials", null))
        .build();
  }

  private static String path(JsonMappingException e) {
    String p = e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return p.isEmpty() ? "body" : p;
  }
}
