package io.ares.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /q/openapi declares both ways in (agent bearer token, operator Basic) and names on each operation which work. */
@QuarkusTest
class OpenApiTest {

  static JsonPath doc() {
    return given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().jsonPath();
  }

  static List<String> schemes(JsonPath doc, String method, String path) {
    List<Map<String, Object>> security = doc.getList("paths.'" + path + "'." + method + ".security");
    return security == null ? List.of() : security.stream().flatMap(r -> r.keySet().stream()).toList();
  }

  @Test
  void both_security_schemes_are_declared() {
    JsonPath doc = doc();
    assertThat(doc.getString("components.securitySchemes.agent.type")).isEqualTo("http");
    assertThat(doc.getString("components.securitySchemes.agent.scheme")).isEqualTo("bearer");
    assertThat(doc.getString("components.securitySchemes.operator.scheme")).isEqualTo("basic");
  }

  @Test
  void agent_endpoints_take_the_bearer_token_operator_ones_basic_and_shared_ones_either() {
    JsonPath doc = doc();
    assertThat(schemes(doc, "post", "/api/v1/agents/{id}/heartbeat")).containsExactly("agent");
    assertThat(schemes(doc, "get", "/api/v1/agents/{id}/assignments")).containsExactly("agent");
    assertThat(schemes(doc, "post", "/api/v1/assignments/{id}/evidence")).containsExactly("agent");
    assertThat(schemes(doc, "post", "/api/v1/agents/{id}/quarantine")).containsExactly("operator");
    assertThat(schemes(doc, "post", "/api/v1/sessions/{id}/compensation/retry")).containsExactly("operator");
    assertThat(schemes(doc, "get", "/api/v1/sessions/{id}")).containsExactly("agent", "operator");
    assertThat(schemes(doc, "put", "/api/v1/tasks/{task_id}/state")).containsExactly("agent", "operator");
    // registration is open
    assertThat(schemes(doc, "post", "/api/v1/agents")).isEmpty();
  }

  @Test
  void every_api_operation_but_registration_names_a_scheme_and_the_console_pages_are_left_out() {
    JsonPath doc = doc();
    Map<String, Map<String, Object>> paths = doc.getMap("paths");
    assertThat(paths.keySet()).noneMatch(p -> p.startsWith("/console"));
    for (var path : paths.entrySet()) {
      for (String method : path.getValue().keySet()) {
        if (List.of("get", "post", "put", "delete", "patch").contains(method)
            && !(method.equals("post") && path.getKey().equals("/api/v1/agents"))) {
          assertThat(schemes(doc, method, path.getKey())).as(method + " " + path.getKey()).isNotEmpty();
        }
      }
    }
  }
}
