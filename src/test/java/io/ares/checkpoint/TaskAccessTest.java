package io.ares.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ares.checkpoint.TaskAccess.Mode;
import io.ares.platform.ApiException;
import io.ares.platform.security.Caller;
import org.junit.jupiter.api.Test;

/** The ownership rules of a task, without Quarkus. */
class TaskAccessTest {

  static final Caller OWNER = new Caller("a1", true, false, false);
  static final Caller OTHER = new Caller("a2", true, false, false);
  static final Caller OPERATOR = new Caller("admin", false, true, false);
  static final Caller VIEWER = new Caller("viewer", false, false, true);

  @Test
  void the_assignment_agent_owns_the_task_before_its_first_writer() {
    assertThat(TaskAccess.owner("a1", "a2")).isEqualTo("a1");
    assertThat(TaskAccess.owner(null, "a2")).isEqualTo("a2");
    assertThat(TaskAccess.owner(null, null)).isNull();
  }

  @Test
  void the_owner_reads_and_writes_and_other_agents_get_403() {
    for (Mode m : Mode.values()) {
      assertThatCode(() -> TaskAccess.check(OWNER, m, "t", "a1")).doesNotThrowAnyException();
      assertThatThrownBy(() -> TaskAccess.check(OTHER, m, "t", "a1"))
          .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }
  }

  @Test
  void operators_do_anything_and_viewers_only_read() {
    for (Mode m : Mode.values()) {
      assertThatCode(() -> TaskAccess.check(OPERATOR, m, "t", "a1")).doesNotThrowAnyException();
    }
    assertThatCode(() -> TaskAccess.check(VIEWER, Mode.READ, "t", "a1")).doesNotThrowAnyException();
    assertThatThrownBy(() -> TaskAccess.check(VIEWER, Mode.WRITE, "t", null))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
  }

  @Test
  void an_unclaimed_task_is_claimed_by_the_first_agent_that_writes_it() {
    assertThatCode(() -> TaskAccess.check(OTHER, Mode.WRITE, "t", null)).doesNotThrowAnyException();
    assertThat(TaskAccess.claims(OTHER, null)).isTrue();
    assertThat(TaskAccess.claims(OTHER, "a1")).isFalse();
    assertThat(TaskAccess.claims(OPERATOR, null)).isFalse();
  }
}
