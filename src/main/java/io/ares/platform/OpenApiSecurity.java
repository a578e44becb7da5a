package io.ares.platform;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.models.security.SecurityScheme;

/**
 * The OpenAPI document says, on each operation, how a caller authenticates, so that Swagger UI can make agent calls
 * as well as operator ones: scheme {@code agent} (HTTP bearer, the token returned at registration) for the endpoints
 * only an agent calls, {@code operator} (HTTP Basic, operators and viewers) for the operator ones, either for those
 * both may call (an agent reading its own record, a coordinator agent's sessions, a task's agent). Who may call what
 * is decided in code (platform.security.Caller), not by annotations, so the split is listed here, from README's API
 * table; an authenticated operation not listed is an operator's. Registration stays open. The console's HTML pages
 * are not part of the API and are left out. Registered by {@code mp.openapi.filter}.
 */
public class OpenApiSecurity implements OASFilter {

  static final String AGENT = "agent";
  static final String OPERATOR = "operator";

  private static final String ID = "[^/]+";

  /** Method and path (under /api/v1) of what only an agent calls. */
  private static final List<Pattern> AGENT_ONLY = patterns(
      "POST /agents/" + ID + "/heartbeat",
      "GET /agents/" + ID + "/assignments",
      "POST /assignments/" + ID + "/(ack|evidence|failure|compensated)");

  /** Method and path (under /api/v1) of what an agent or an operator calls. */
  private static final List<Pattern> EITHER = patterns(
      "(GET|DELETE) /agents/" + ID,
      "GET /agents/" + ID + "/(reliability|reliability/history|incidents|enforcement)",
      "(GET|POST) /sessions",
      "GET /sessions/" + ID + "(/events)?",
      "POST /sessions/" + ID + "/cancel",
      "[A-Z]+ /tasks/.*");

  @Override
  public void filterOpenAPI(OpenAPI openAPI) {
    if (openAPI.getComponents() == null) {
      openAPI.setComponents(OASFactory.createComponents());
    }
    openAPI.getComponents().setSecuritySchemes(null);
    openAPI.getComponents()
        .addSecurityScheme(AGENT, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
            .description("An agent: the token returned when it registered (Authorization: Bearer <token>)"))
        .addSecurityScheme(OPERATOR, OASFactory.createSecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
            .description("An operator or viewer account (ARES_ADMIN_USER/ARES_ADMIN_PASSWORD; admin/admin in dev)"));
    if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
      return;
    }
    for (String path : List.copyOf(openAPI.getPaths().getPathItems().keySet())) {
      if (path.equals("/console") || path.startsWith("/console/") || path.equals("/j_security_check")) {
        openAPI.getPaths().removePathItem(path);
        continue;
      }
      PathItem item = openAPI.getPaths().getPathItem(path);
      for (Map.Entry<PathItem.HttpMethod, Operation> e : item.getOperations().entrySet()) {
        Operation op = e.getValue();
        String call = e.getKey().name() + " " + path.replaceFirst("^/api/v1", "");
        boolean authenticated = op.getSecurity() != null && !op.getSecurity().isEmpty();
        List<SecurityRequirement> security;
        if (matches(AGENT_ONLY, call)) {
          security = List.of(requirement(AGENT));
        } else if (matches(EITHER, call)) {
          security = List.of(requirement(AGENT), requirement(OPERATOR));
        } else if (authenticated) {
          security = List.of(requirement(OPERATOR));
        } else {
          security = null; // open (registration)
        }
        op.setSecurity(security);
      }
    }
  }

  private static SecurityRequirement requirement(String scheme) {
    return OASFactory.createSecurityRequirement().addScheme(scheme);
  }

  private static boolean matches(List<Pattern> patterns, String call) {
    return patterns.stream().anyMatch(p -> p.matcher(call).matches());
  }

  private static List<Pattern> patterns(String... regexes) {
    return java.util.Arrays.stream(regexes).map(Pattern::compile).toList();
  }
}
