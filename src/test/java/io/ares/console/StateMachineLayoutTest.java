package io.ares.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.ares.agent.AgentStatusMachine;
import io.ares.console.StateMachineLayout.Diagram;
import io.ares.console.StateMachineLayout.Step;
import io.ares.platform.fsm.TransitionTable;
import io.ares.session.AssignmentMachine;
import io.ares.session.SessionMachine;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The layout draws exactly what the transition tables say; no Quarkus needed. */
class StateMachineLayoutTest {

  static <S extends Enum<S>, E extends Enum<E>> void drawsEveryStateAndTransition(TransitionTable<S, E> table) {
    StateMachineLayout layout = StateMachineLayout.of(table);
    Diagram d = layout.draw("t", Map.of(), Set.of());
    assertThat(d.nodes().stream().map(StateMachineLayout.Node::name).toList())
        .containsExactlyInAnyOrderElementsOf(table.states().stream().map(Enum::name).toList());
    Set<String> titles = d.edges().stream().map(StateMachineLayout.Edge::title).collect(Collectors.toSet());
    for (var row : table.transitions()) {
      String prefix = row.from().name() + " → " + row.to().name() + ": ";
      String event = StateMachineLayout.human(row.event().name());
      assertThat(titles).as(row.toString()).anyMatch(t -> t.startsWith(prefix) && t.contains(event));
    }
    // one drawn edge per (from, to) pair of the table
    long pairs = table.transitions().stream().map(t -> t.from() + ">" + t.to()).distinct().count();
    assertThat(d.edges()).hasSize((int) pairs);
    // no two states overlap
    for (var a : d.nodes()) {
      for (var b : d.nodes()) {
        if (a != b) {
          boolean apart = a.x() + a.w() <= b.x() || b.x() + b.w() <= a.x() || a.y() + a.h() <= b.y()
              || b.y() + b.h() <= a.y();
          assertThat(apart).as(a.name() + " vs " + b.name()).isTrue();
        }
      }
    }
    assertThat(d.width()).isPositive();
    assertThat(d.height()).isPositive();
  }

  @Test
  void the_session_machine_is_drawn_whole() {
    drawsEveryStateAndTransition(SessionMachine.TABLE);
  }

  @Test
  void the_assignment_machine_is_drawn_whole() {
    drawsEveryStateAndTransition(AssignmentMachine.TABLE);
  }

  @Test
  void the_agent_status_machine_is_drawn_whole() {
    drawsEveryStateAndTransition(AgentStatusMachine.TABLE);
  }

  @Test
  void states_go_into_layers_by_the_longest_path_with_the_happy_path_on_top() {
    StateMachineLayout s = StateMachineLayout.of(SessionMachine.TABLE);
    assertThat(s.layerOf("INITIALIZING")).isZero();
    assertThat(s.layerOf("IN_PROGRESS")).isEqualTo(1);
    assertThat(s.layerOf("COMPLETED")).isEqualTo(2);
    assertThat(s.layerOf("COMPENSATING")).isEqualTo(2);
    assertThat(s.layerOf("ROLLED_BACK")).isEqualTo(3);
    assertThat(s.column(2)).containsExactly("COMPLETED", "COMPENSATING");
    assertThat(s.backEdges()).containsExactly(new Step("COMPENSATION_FAILED", "COMPENSATING"));

    StateMachineLayout a = StateMachineLayout.of(AssignmentMachine.TABLE);
    assertThat(a.column(3)).first().isEqualTo("SUBMITTED");
    assertThat(a.layerOf("VALIDATED")).isLessThan(a.layerOf("COMPENSATED"));
  }

  @Test
  void the_current_state_and_the_path_taken_are_marked() {
    StateMachineLayout s = StateMachineLayout.of(SessionMachine.TABLE);
    Diagram d = s.draw("x", Map.of("COMPENSATING", 1),
        Set.of(new Step("INITIALIZING", "IN_PROGRESS"), new Step("IN_PROGRESS", "COMPENSATING")));
    Map<String, String> css = d.nodes().stream()
        .collect(Collectors.toMap(StateMachineLayout.Node::name, StateMachineLayout.Node::css));
    assertThat(css.get("COMPENSATING")).contains("current");
    assertThat(css.get("INITIALIZING")).contains("visited").contains("initial");
    assertThat(css.get("COMPLETED")).doesNotContain("current").doesNotContain("visited").contains("terminal");
    List<String> taken = d.edges().stream().filter(e -> e.css().contains("taken"))
        .map(StateMachineLayout.Edge::title).toList();
    assertThat(taken).hasSize(2).allMatch(t -> t.startsWith("INITIALIZING → IN_PROGRESS")
        || t.startsWith("IN_PROGRESS → COMPENSATING"));
    // taken edges are drawn last, on top of the others
    assertThat(d.edges().get(d.edges().size() - 1).css()).contains("taken");
  }

  @Test
  void several_instances_in_one_state_get_a_count() {
    Diagram d = StateMachineLayout.of(AssignmentMachine.TABLE).draw("a", Map.of("VALIDATED", 3), Set.of());
    var validated = d.nodes().stream().filter(n -> n.name().equals("VALIDATED")).findFirst().orElseThrow();
    assertThat(validated.badge()).isEqualTo("×3");
    assertThat(validated.title()).contains("current state of 3");
  }

  @Test
  void any_table_is_laid_out_even_with_a_cycle_back_to_the_start() {
    StateMachineLayout l = StateMachineLayout.of("toy", List.of("A", "B", "C"),
        List.of(new String[] {"A", "GO", "B"}, new String[] {"B", "BACK", "A"}, new String[] {"B", "END", "C"},
            new String[] {"A", "SKIP", "C"}));
    assertThat(l.layerOf("A")).isZero();
    assertThat(l.layerOf("B")).isEqualTo(1);
    assertThat(l.layerOf("C")).isEqualTo(2);
    assertThat(l.backEdges()).containsExactly(new Step("B", "A"));
    assertThat(StateMachineLayout.wrap("compensations settled with failures")).isEqualTo(
        "compensations settled\nwith failures");
  }
}
