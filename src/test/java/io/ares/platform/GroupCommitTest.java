package io.ares.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GroupCommitTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void items_queued_during_a_flush_are_written_together_by_the_next_one() {
    List<List<Integer>> flushes = new ArrayList<>();
    AtomicReference<UniEmitter<? super Void>> first = new AtomicReference<>();
    GroupCommit<Integer, String> commits = new GroupCommit<>(10, batch -> {
      flushes.add(batch.stream().map(GroupCommit.Entry::item).toList());
      batch.forEach(e -> e.complete("ok " + e.item()));
      // The first flush stays open until released: what queues meanwhile waits for the next one.
      return flushes.size() == 1 ? Uni.createFrom().<Void>emitter(e -> first.set(e)) : Uni.createFrom().voidItem();
    });
    var a = commits.submit(1).subscribeAsCompletionStage();
    var b = commits.submit(2).subscribeAsCompletionStage();
    var c = commits.submit(3).subscribeAsCompletionStage();
    assertThat(flushes).containsExactly(List.of(1));
    // Two wait for the next flush (the backlog a caller may use to stay within bounds).
    assertThat(commits.backlog()).isEqualTo(2);
    first.get().complete(null);
    assertThat(flushes).containsExactly(List.of(1), List.of(2, 3));
    assertThat(commits.backlog()).isZero();
    assertThat(Uni.createFrom().completionStage(a).await().atMost(WAIT)).isEqualTo("ok 1");
    assertThat(Uni.createFrom().completionStage(c).await().atMost(WAIT)).isEqualTo("ok 3");
    assertThat(b).isCompleted();
  }

  @Test
  void a_failed_flush_fails_what_it_left_unanswered_and_the_next_one_runs() {
    List<Integer> written = new ArrayList<>();
    GroupCommit<Integer, Integer> commits = new GroupCommit<>(1, batch -> {
      int item = batch.get(0).item();
      if (item == 2) {
        return Uni.createFrom().failure(new IllegalStateException("down"));
      }
      written.add(item);
      batch.get(0).complete(item);
      return Uni.createFrom().voidItem();
    });
    assertThatThrownBy(() -> commits.submit(2).await().atMost(WAIT)).hasMessageContaining("down");
    assertThat(commits.submit(3).await().atMost(WAIT)).isEqualTo(3);
    assertThat(written).containsExactly(3);
  }

  @Test
  void a_resubmitted_entry_keeps_its_caller_waiting_until_a_later_flush_answers_it() {
    List<Integer> attempts = new ArrayList<>();
    AtomicReference<GroupCommit<Integer, String>> self = new AtomicReference<>();
    self.set(new GroupCommit<>(10, batch -> {
      for (GroupCommit.Entry<Integer, String> e : batch) {
        attempts.add(e.item());
        if (attempts.size() == 1) {
          self.get().resubmit(e); // e.g. its row was busy
        } else {
          e.complete("done");
        }
      }
      return Uni.createFrom().voidItem();
    }));
    assertThat(self.get().submit(7).await().atMost(WAIT)).isEqualTo("done");
    assertThat(attempts).containsExactly(7, 7);
  }
}
