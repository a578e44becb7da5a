package io.ares.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ares.checkpoint.HashChain.Link;
import io.ares.platform.Hashing;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The hash chain, without Quarkus. */
class HashChainTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) {
    try {
      return JSON.readTree(s);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A well-formed chain of the given states. */
  private static List<Link> chain(String... states) {
    List<Link> links = new ArrayList<>();
    String previous = null;
    for (int i = 0; i < states.length; i++) {
      JsonNode state = json(states[i]);
      String hash = HashChain.hashOf(state);
      links.add(new Link(UUID.randomUUID(), i + 1, state, hash, previous));
      previous = hash;
    }
    return links;
  }

  @Test
  void the_hash_is_sha256_of_the_rfc8785_canonical_json() {
    JsonNode state = json("{\"b\": [true, null, \"x\"], \"a\": 1}");
    assertThat(Hashing.canonical(state)).isEqualTo("{\"a\":1,\"b\":[true,null,\"x\"]}");
    assertThat(HashChain.hashOf(state)).isEqualTo(Hashing.sha256Hex("{\"a\":1,\"b\":[true,null,\"x\"]}"));
    assertThat(HashChain.hashOf(state)).matches("^[0-9a-f]{64}$");
  }

  @Test
  void key_order_whitespace_and_number_spelling_do_not_change_the_hash() {
    String h = HashChain.hashOf(json("{\"a\": 1, \"b\": {\"y\": 2.0, \"x\": \"\\u00e9\"}}"));
    assertThat(HashChain.hashOf(json("{\"b\":{\"x\":\"é\",\"y\":2},\"a\":1.0}"))).isEqualTo(h);
    assertThat(HashChain.hashOf(json("{ \"b\" : { \"x\" : \"é\" , \"y\" : 20e-1 } , \"a\" : 10E-1 }"))).isEqualTo(h);
  }

  @Test
  void a_different_value_changes_the_hash() {
    assertThat(HashChain.hashOf(json("{\"a\": 1}"))).isNotEqualTo(HashChain.hashOf(json("{\"a\": 2}")));
    assertThat(HashChain.hashOf(json("{\"a\": [1, 2]}"))).isNotEqualTo(HashChain.hashOf(json("{\"a\": [2, 1]}")));
  }

  @Test
  void the_first_checkpoint_has_no_previous_hash_and_the_next_links_to_it() {
    List<Link> links = chain("{\"n\": 1}", "{\"n\": 2}");
    assertThat(HashChain.previousHashAfter(null)).isNull();
    assertThat(links.get(0).previousHash()).isNull();
    assertThat(links.get(1).previousHash()).isEqualTo(links.get(0).hash());
    assertThat(HashChain.previousHashAfter(links.get(1))).isEqualTo(links.get(1).hash());
  }

  @Test
  void an_untouched_chain_is_intact() {
    assertThat(HashChain.verify(chain("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 3}"))).isEmpty();
    assertThat(HashChain.verify(List.of())).isEmpty();
  }

  @Test
  void changed_content_is_a_hash_mismatch_at_that_checkpoint() {
    List<Link> links = chain("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 3}");
    Link l = links.get(1);
    links.set(1, new Link(l.checkpointId(), l.seq(), json("{\"n\": 20}"), l.hash(), l.previousHash()));
    var broken = HashChain.verify(links).orElseThrow();
    assertThat(broken.seq()).isEqualTo(2);
    assertThat(broken.checkpointId()).isEqualTo(l.checkpointId());
    assertThat(broken.reason()).startsWith("hash mismatch at checkpoint " + l.checkpointId());
    // The prefix before the changed checkpoint is still intact.
    assertThat(HashChain.verify(links.subList(0, 1))).isEmpty();
  }

  @Test
  void content_and_hash_changed_together_break_the_link_of_the_next_checkpoint() {
    List<Link> links = chain("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 3}");
    Link l = links.get(1);
    JsonNode forged = json("{\"n\": 20}");
    links.set(1, new Link(l.checkpointId(), l.seq(), forged, HashChain.hashOf(forged), l.previousHash()));
    var broken = HashChain.verify(links).orElseThrow();
    assertThat(broken.seq()).isEqualTo(3);
    assertThat(broken.reason()).startsWith("chain broken at checkpoint " + links.get(2).checkpointId());
    assertThat(HashChain.verify(links.subList(0, 2))).isEmpty();
  }

  @Test
  void a_first_checkpoint_with_a_previous_hash_breaks_the_chain() {
    List<Link> links = chain("{\"n\": 1}");
    Link l = links.get(0);
    links.set(0, new Link(l.checkpointId(), 1, l.state(), l.hash(), "00".repeat(32)));
    assertThat(HashChain.verify(links).orElseThrow().reason()).contains("chain broken").contains("has none");
  }

  @Test
  void a_removed_checkpoint_breaks_the_chain() {
    List<Link> links = chain("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 3}");
    links.remove(1);
    var broken = HashChain.verify(links).orElseThrow();
    assertThat(broken.seq()).isEqualTo(3);
    assertThat(broken.reason()).contains("checkpoint #2 is missing");
    assertThat(HashChain.verify(chain("{\"n\": 1}", "{\"n\": 2}").subList(1, 2)).orElseThrow().reason())
        .contains("checkpoint #1 is missing");
  }
}
