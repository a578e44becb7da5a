package io.ares.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.platform.ApiException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidenceValidatorTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant DELEGATED = Instant.parse("2026-11-26T10:00:00Z");
  static final Instant NOW = Instant.parse("2026-11-26T10:10:00Z");

  static EvidenceValidator.Facts facts(Map<String, String> criteria, List<String> proofs) {
    return new EvidenceValidator.Facts("task-1", DELEGATED, criteria, proofs);
  }

  static ObjectNode honest(Object output) {
    JsonNode out = JSON.valueToTree(output);
    ObjectNode e = JSON.createObjectNode();
    e.put("task_id", "task-1");
    e.put("completion_time", "2026-11-26T10:05:00.123Z");
    e.set("output", out);
    e.put("checksum", EvidenceValidator.checksumOf(out));
    e.putObject("metrics").put("quality_score", 8.7);
    return e;
  }

  @Test
  void a_nul_character_anywhere_is_refused_before_judging() throws Exception {
    for (String json : List.of("{\"output\": \"a\\u0000b\"}", "{\"output\": {\"k\\u0000\": 1}}",
        "{\"output\": [[\"\\u0000\"]]}", "{\"task_id\": \"t\\u0000\"}")) {
      assertThatThrownBy(() -> EvidenceValidator.checkTypes(JSON.readTree(json))).as(json)
          .isInstanceOf(ApiException.class).hasMessageContaining("U+0000");
    }
    EvidenceValidator.checkTypes(JSON.readTree("{\"output\": \"a\\\\u0000b\"}")); // an escaped backslash: fine
  }

  @Test
  void honest_evidence_is_valid() {
    Verdict v = EvidenceValidator.validate(honest("the summary"), facts(Map.of("quality_score", ">= 8.0"), List.of()), NOW);
    assertThat(v.overallSuccess()).isTrue();
    assertThat(v.reasons()).isEmpty();
  }

  @Test
  void a_string_output_is_hashed_as_its_utf8_bytes() {
    // Known answer: sha256("abc").
    assertThat(EvidenceValidator.checksumOf(JSON.getNodeFactory().textNode("abc")))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void a_json_output_is_hashed_as_rfc8785_canonical_json_whatever_its_key_order() throws Exception {
    JsonNode a = JSON.readTree("{\"b\": 1, \"a\": [1.0, \"x\"], \"c\": {\"z\": true, \"y\": null}}");
    JsonNode b = JSON.readTree("{\"c\": {\"y\": null, \"z\": true}, \"a\": [1, \"x\"], \"b\": 1}");
    assertThat(EvidenceValidator.checksumOf(a)).isEqualTo(EvidenceValidator.checksumOf(b));
    assertThat(io.ares.platform.Hashing.canonical(a)).isEqualTo("{\"a\":[1,\"x\"],\"b\":1,\"c\":{\"y\":null,\"z\":true}}");
  }

  @Test
  void a_scalar_output_is_hashed_as_its_rfc8785_form() throws Exception {
    // The JCS implementation takes objects and arrays only: scalars must work all the same (SPEC: any JSON value).
    for (String[] c : new String[][] {{"null", "null"}, {"true", "true"}, {"false", "false"}, {"42", "42"},
        {"1.5", "1.5"}, {"1e2", "100"}, {"-0.0", "0"}, {"1e21", "1e+21"}, {"123456789012345678901", "123456789012345680000"},
        {"\"a\\u00e9\"", "\"a\u00e9\""}}) {
      JsonNode value = JSON.readTree(c[0]);
      assertThat(io.ares.platform.Hashing.canonical(value)).as(c[0]).isEqualTo(c[1]);
    }
    assertThat(EvidenceValidator.checksumOf(JSON.readTree("null")))
        .isEqualTo(io.ares.platform.Hashing.sha256Hex("null"));
    Verdict v = EvidenceValidator.validate(honestJson("42"), facts(Map.of(), List.of()), NOW);
    assertThat(v.overallSuccess()).as("%s", v.reasons()).isTrue();
    v = EvidenceValidator.validate(honestJson("null"), facts(Map.of(), List.of()), NOW);
    assertThat(v.overallSuccess()).as("%s", v.reasons()).isTrue();
  }

  @Test
  void a_number_beyond_double_precision_has_no_canonical_form() throws Exception {
    for (String json : List.of("1e400", "[1, -1e400]", "{\"a\": {\"b\": 1" + "0".repeat(400) + "}}")) {
      assertThatThrownBy(() -> EvidenceValidator.checksumOf(JSON.readTree(json))).as(json)
          .isInstanceOf(ApiException.class).hasMessageContaining("canonicalised");
    }
  }

  static ObjectNode honestJson(String output) throws Exception {
    JsonNode out = JSON.readTree(output);
    ObjectNode e = honest("x");
    e.set("output", out);
    e.put("checksum", EvidenceValidator.checksumOf(out));
    return e;
  }

  @Test
  void every_failed_reason_is_listed() {
    ObjectNode e = honest("out");
    e.put("checksum", "0".repeat(64));
    e.put("task_id", "other-task");
    e.put("completion_time", "2026-11-26T09:00:00Z");
    e.putObject("metrics").put("quality_score", 3.0);
    Verdict v = EvidenceValidator.validate(e, facts(Map.of("quality_score", ">= 8.0", "latency_ms", "< 100"),
        List.of("sources")), NOW);
    assertThat(v.proofValid()).isFalse();
    assertThat(v.completionValid()).isFalse();
    assertThat(v.reasons()).contains("checksum mismatch", "required proof field sources missing",
        "task_id does not match the assignment", "completion_time outside [delegation - 5s, now + 5s]",
        "criterion quality_score >= 8.0 failed: quality_score = 3.0",
        "metric latency_ms missing (criterion latency_ms < 100)");
  }

  @Test
  void missing_fields_make_the_proof_invalid() {
    ObjectNode e = JSON.createObjectNode();
    Verdict v = EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW);
    assertThat(v.proofValid()).isFalse();
    assertThat(v.completionValid()).isFalse();
    assertThat(v.reasons()).contains("task_id missing", "completion_time missing", "output missing", "checksum missing");
  }

  @Test
  void completion_time_must_be_rfc3339_with_an_offset() {
    for (String bad : List.of("2026-11-26T10:05:00", "2026-11-26 10:05", "yesterday", "2026-11-26T10:05Z")) {
      ObjectNode e = honest("x");
      e.put("completion_time", bad);
      assertThat(EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW).reasons()).as(bad)
          .contains("completion_time is not an RFC 3339 timestamp with an offset");
    }
    ObjectNode ok = honest("x");
    ok.put("completion_time", "2026-11-26T11:05:00+01:00");
    assertThat(EvidenceValidator.validate(ok, facts(Map.of(), List.of()), NOW).overallSuccess()).isTrue();
  }

  @Test
  void completion_time_window_allows_five_seconds_of_skew() {
    ObjectNode e = honest("x");
    e.put("completion_time", "2026-11-26T09:59:55Z");
    assertThat(EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW).completionValid()).isTrue();
    e.put("completion_time", "2026-11-26T09:59:54Z");
    assertThat(EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW).completionValid()).isFalse();
    e.put("completion_time", "2026-11-26T10:10:05Z");
    assertThat(EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW).completionValid()).isTrue();
    e.put("completion_time", "2026-11-26T10:10:06Z");
    assertThat(EvidenceValidator.validate(e, facts(Map.of(), List.of()), NOW).completionValid()).isFalse();
  }

  @Test
  void wrong_types_are_a_400_not_a_verdict() {
    for (String body : List.of("[]", "\"x\"", "{\"task_id\": 5}", "{\"checksum\": true}", "{\"metrics\": [1]}",
        "{\"metrics\": {\"q\": \"9\"}}", "{\"completion_time\": 1700000000}")) {
      assertThatThrownBy(() -> EvidenceValidator.validate(JSON.readTree(body), facts(Map.of(), List.of()), NOW))
          .as(body).isInstanceOfSatisfying(ApiException.class, x -> assertThat(x.status()).isEqualTo(400));
    }
  }

  @Test
  void criteria_support_every_operator() {
    assertThat(Criterion.parse("m", ">= 8").holds(new java.math.BigDecimal("8"))).isTrue();
    assertThat(Criterion.parse("m", "> 8").holds(new java.math.BigDecimal("8"))).isFalse();
    assertThat(Criterion.parse("m", "<= 8.5").holds(new java.math.BigDecimal("8.5"))).isTrue();
    assertThat(Criterion.parse("m", "< 8.5").holds(new java.math.BigDecimal("8.4"))).isTrue();
    assertThat(Criterion.parse("m", "== 1.0").holds(new java.math.BigDecimal("1"))).isTrue();
    assertThat(Criterion.parse("m", "!= 1").holds(new java.math.BigDecimal("1.0"))).isFalse();
    assertThat(Criterion.parse("m", "=> 8")).isNull();
    assertThat(Criterion.parse("m", ">= eight")).isNull();
    assertThat(Criterion.parse("m", "-3")).isNull();
  }
}
