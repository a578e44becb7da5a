package io.ares.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** NOTIFY payloads stay under PostgreSQL's 8000-byte limit, whatever the number of agents woken. */
class OutboxChunksTest {

  @Test
  void a_thousand_agents_are_split_into_payloads_under_the_limit_and_none_is_lost_or_repeated() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      ids.add("agent-" + "x".repeat(50) + "-" + i);
    }
    ids.add(ids.get(0));
    List<String> chunks = Outbox.chunks(ids);
    assertThat(chunks).hasSizeGreaterThan(1);
    chunks.forEach(c -> assertThat(c.getBytes(StandardCharsets.UTF_8).length).isLessThan(8000));
    List<String> back = chunks.stream().flatMap(c -> Arrays.stream(c.split(","))).toList();
    assertThat(back).containsExactlyElementsOf(ids.subList(0, 1000));
  }

  @Test
  void few_agents_make_one_payload_and_none_make_none() {
    assertThat(Outbox.chunks(List.of("a", "b", "a"))).containsExactly("a,b");
    assertThat(Outbox.chunks(List.of())).isEmpty();
  }
}
