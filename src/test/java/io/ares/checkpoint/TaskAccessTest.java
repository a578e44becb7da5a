package io.ares.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.checkpoint.TaskAccess.Mode;
import io.ares.checkpoint.TaskAccess.Owner;
import io.ares.platform.ApiException;
import io.ares.platform.security.Caller;
import org.junit.jupiter.api.Test;

/** The ownership rules of a task, without Quarkus. */
class TaskAccessTest {

  static final Caller OWNER = new Caller("a1", true, false, false);
  static final Caller OTHER = new Caller("a2", true, false, false);
  static final Caller OPERATOR = new Caller("admin", false, true, false);
  static final Caller VIEWER = new Caller("viewer", false, false, true);
  static final Owner A1 = Owner.agent("a1");

  @Test
  void the_assignment_agent_owns_the_task_before_its_first_writer() {
    assertThat(TaskAccess.owner("a1", "a2", false)).isEqualTo(Owner.agent("a1"));
    assertThat(TaskAccess.owner(null, "a2", false)).isEqualTo(Owner.agent("a2"));
    assertThat(TaskAccess.owner(null, null, false)).isEqualTo(Owner.UNCLAIMED);
  }

  @Test
  void the_owner_reads_and_writes_and_other_agents_get_403() {
    for (Mode m : Mode.values()) {
      assertThatCode(() -> TaskAccess.check(OWNER, m, "t", A1)).doesNotThrowAnyException();
      assertThatThrownBy(() -> TaskAccess.check(OTHER, m, "t", A1))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }
  }

  @Test
  void operators_do_anything_and_viewers_only_read() {
    for (Mode m : Mode.values()) {
      assertThatCode(() -> TaskAccess.check(OPERATOR, m, "t", A1)).doesNotThrowAnyException();
    }
    assertThatCode(() -> TaskAccess.check(VIEWER, Mode.READ, "t", A1)).doesNotThrowAnyException();
    assertThatThrownBy(() -> TaskAccess.check(VIEWER, Mode.WRITE, "t", Owner.UNCLAIMED))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
  }

  @Test
  void an_unclaimed_task_is_claimed_by_the_first_agent_that_writes_it() {
    assertThatCode(() -> TaskAccess.check(OTHER, Mode.WRITE, "t", Owner.UNCLAIMED)).doesNotThrowAnyException();
    assertThat(TaskAccess.claims(OTHER, Owner.UNCLAIMED)).isTrue();
    assertThat(TaskAccess.claims(OTHER, A1)).isFalse();
    assertThat(TaskAccess.claims(OPERATOR, Owner.UNCLAIMED)).isFalse();
    assertThat(TaskAccess.claimsForOperators(OPERATOR, Owner.UNCLAIMED)).isTrue();
    assertThat(TaskAccess.claimsForOperators(OPERATOR, A1)).isFalse();
    assertThat(TaskAccess.claimsForOperators(OTHER, Owner.UNCLAIMED)).isFalse();
  }

  @Test
  void an_operator_owned_task_is_read_by_agents_but_never_written_even_by_its_assignment_agent() {
    Owner owned = TaskAccess.owner("a1", null, true);
    assertThat(owned).isEqualTo(Owner.OPERATORS);
    assertThatCode(() -> TaskAccess.check(OWNER, Mode.READ, "t", owned)).doesNotThrowAnyException();
    assertThatThrownBy(() -> TaskAccess.check(OWNER, Mode.WRITE, "t", owned))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("operator-owned");
    assertThatCode(() -> TaskAccess.check(OPERATOR, Mode.WRITE, "t", owned)).doesNotThrowAnyException();
    assertThat(TaskAccess.claims(OWNER, owned)).isFalse();
    assertThat(TaskAccess.claimsForOperators(OPERATOR, owned)).isFalse();
  }
}
