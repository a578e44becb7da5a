package io.ares.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.platform.ApiException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a storable state is, without Quarkus. */
class TaskJsonTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void only_a_json_object_is_a_state() throws Exception {
    ObjectMapper m = new ObjectMapper();
    for (String bad : new String[] {"[]", "\"s\"", "1", "true", "null"}) {
      assertThatThrownBy(() -> TaskJson.requireObject("state", m.readTree(bad)))
          .as(bad)
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
    assertThatThrownBy(() -> TaskJson.requireObject("state", null)).hasMessageContaining("state is required");
    assertThat(TaskJson.requireObject("state", m.readTree("{\"a\": [1, {\"b\": null}]}"))).isNotNull();
  }

  @Test
  void values_jsonb_or_rfc8785_cannot_hold_are_refused() {
    ObjectNode nul = F.objectNode().put("s", "a\u0000b");
    ObjectNode surrogate = F.objectNode();
    surrogate.putObject("x").put("s", "\uD800");
    ObjectNode infinite = F.objectNode();
    infinite.putArray("a").add(Double.POSITIVE_INFINITY);
    ObjectNode nulKey = F.objectNode().put("k\u0000", 1);
    for (ObjectNode bad : new ObjectNode[] {nul, surrogate, infinite, nulKey}) {
      assertThatThrownBy(() -> TaskJson.requireObject("state", bad))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
    assertThat(TaskJson.requireObject("state", F.objectNode().put("emoji", "\uD83D\uDE00"))).isNotNull();
  }

  @Test
  void a_map_round_trip_keeps_the_value() {
    ObjectNode n = F.objectNode().put("a", 1).put("b", "x");
    n.putArray("c").add(1.5).add(true);
    Map<String, Object> map = TaskJson.toMap(n);
    assertThat(TaskJson.toNode(map)).isEqualTo(n);
    assertThat(TaskJson.copy(map)).isEqualTo(map).isNotSameAs(map);
  }
}
