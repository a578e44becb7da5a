package io.ares.platform;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 9457 problem details with the ARES {@code code} and optional extension members. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Problem {

  public static final String MEDIA_TYPE = "application/problem+json";

  public final String type;
  public final String title;
  public final int status;
  public final String detail;
  public final String code;
  private final Map<String, Object> extensions;

  public Problem(int status, String code, String detail, Map<String, Object> extensions) {
    this.type = "https://ares.dev/problems/" + code.toLowerCase().replace('_', '-');
    this.title = Response.Status.fromStatusCode(status) != null
        ? Response.Status.fromStatusCode(status).getReasonPhrase()
        : "Error";
    this.status = status;
    this.detail = detail;
    this.code = code;
    this.extensions = extensions == null ? new LinkedHashMap<>() : new LinkedHashMap<>(extensions);
    if (status == 400 && detail != null && !this.extensions.containsKey("errors")) {
      // Every 400 lists what was wrong (README); a check that found one thing lists that one. (List.of refuses a
      // null, and a 500 from building a 400 would be worse than a 400 without its list.)
      this.extensions.put("errors", java.util.List.of(detail));
    }
  }

  @JsonAnyGetter
  public Map<String, Object> extensions() {
    return extensions;
  }

  public Response toResponse() {
    return Response.status(status).type(MEDIA_TYPE).entity(this).build();
  }

  public static Response response(int status, String code, String detail) {
    return new Problem(status, code, detail, null).toResponse();
  }
}
