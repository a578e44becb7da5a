package io.ares.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ares.platform.ApiException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentRegistrationTest {

  private static AgentRegistration reg(String id, Integer interval, Integer max) {
    return new AgentRegistration(id, "n", List.of("a"), interval, max, List.of(), null);
  }

  @Test
  void defaults_are_applied_when_fields_are_absent() {
    var v = new AgentRegistration("a1", null, null, null, null, null, null).validate();
    assertThat(v.name()).isEqualTo("a1");
    assertThat(v.heartbeatIntervalSeconds()).isEqualTo(10);
    assertThat(v.maxConcurrentTasks()).isEqualTo(4);
    assertThat(v.capabilities()).isEmpty();
    assertThat(v.metadata()).isEmpty();
  }

  @Test
  void agent_id_must_match_the_pattern() {
    assertThatThrownBy(() -> reg("Upper", 10, 4).validate()).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> reg("-lead", 10, 4).validate()).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> reg("a".repeat(65), 10, 4).validate()).isInstanceOf(ApiException.class);
    assertThat(reg("a".repeat(64), 10, 4).validate().agentId()).hasSize(64);
    assertThat(reg("a0._-z", 10, 4).validate().agentId()).isEqualTo("a0._-z");
  }

  @Test
  void interval_and_capacity_are_bounded() {
    assertThatThrownBy(() -> reg("a", 0, 4).validate()).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> reg("a", 3601, 4).validate()).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> reg("a", 10, 0).validate()).isInstanceOf(ApiException.class);
    assertThatThrownBy(() -> reg("a", 10, 10001).validate()).isInstanceOf(ApiException.class);
    assertThat(reg("a", 3600, 10000).validate().maxConcurrentTasks()).isEqualTo(10000);
  }

  @Test
  void metadata_must_be_an_object_of_at_most_16_kib() {
    var f = JsonNodeFactory.instance;
    assertThatThrownBy(() -> new AgentRegistration("a", null, null, null, null, null, f.arrayNode()).validate())
        .isInstanceOf(ApiException.class);
    var big = f.objectNode().put("x", "y".repeat(17 * 1024));
    assertThatThrownBy(() -> new AgentRegistration("a", null, null, null, null, null, big).validate())
        .isInstanceOf(ApiException.class);
    var ok = f.objectNode().put("model", "gpt");
    assertThat(new AgentRegistration("a", null, null, null, null, null, ok).validate().metadata())
        .containsEntry("model", "gpt");
  }

  @Test
  void every_failed_rule_is_reported() {
    assertThatThrownBy(() -> reg("BAD", 0, 0).validate())
        .isInstanceOfSatisfying(ApiException.class, e ->
            assertThat((List<?>) e.extensions().get("errors")).hasSize(3));
  }
}
