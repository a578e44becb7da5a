package io.ares.platform.fsm;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One explicit (state, event) → state table. Anything not in the table is refused with an {@link
 * InvalidTransitionException} naming the current state and the allowed next states. Pure: no Quarkus.
 */
public final class TransitionTable<S extends Enum<S>, E extends Enum<E>> {

  /** One row of the table. */
  public record Transition<S, E>(S from, E event, S to) {}

  private final String machine;
  private final Class<S> stateType;
  private final Map<S, Map<E, S>> table;
  private final List<Transition<S, E>> transitions;

  private TransitionTable(String machine, Class<S> stateType, Map<S, Map<E, S>> table, List<Transition<S, E>> rows) {
    this.machine = machine;
    this.stateType = stateType;
    this.table = table;
    this.transitions = List.copyOf(rows);
  }

  public static <S extends Enum<S>, E extends Enum<E>> Builder<S, E> builder(String machine, Class<S> s, Class<E> e) {
    return new Builder<>(machine, s, e);
  }

  public String machine() {
    return machine;
  }

  /** The state the event leads to, or an {@link InvalidTransitionException}. */
  public S next(S current, E event) {
    S to = table.getOrDefault(current, Map.of()).get(event);
    if (to == null) {
      throw new InvalidTransitionException(machine, current.name(), event.name(), allowedNextStateNames(current));
    }
    return to;
  }

  public Optional<S> tryNext(S current, E event) {
    return Optional.ofNullable(table.getOrDefault(current, Map.of()).get(event));
  }

  public boolean allows(S current, E event) {
    return tryNext(current, event).isPresent();
  }

  public Set<S> allowedNextStates(S current) {
    Set<S> out = EnumSet.noneOf(stateType);
    out.addAll(table.getOrDefault(current, Map.of()).values());
    return out;
  }

  public List<String> allowedNextStateNames(S current) {
    return allowedNextStates(current).stream().map(Enum::name).sorted().collect(Collectors.toList());
  }

  public boolean isTerminal(S state) {
    return table.getOrDefault(state, Map.of()).isEmpty();
  }

  /** Every row, in declaration order (used to draw the machine and to check test coverage). */
  public List<Transition<S, E>> transitions() {
    return transitions;
  }

  public Set<S> states() {
    return Collections.unmodifiableSet(EnumSet.allOf(stateType));
  }

  /** Builds a table row by row; a duplicate (state, event) is a programming error. */
  public static final class Builder<S extends Enum<S>, E extends Enum<E>> {
    private final String machine;
    private final Class<S> stateType;
    private final Map<S, Map<E, S>> table;
    private final Class<E> eventType;
    private final Set<Transition<S, E>> rows = new LinkedHashSet<>();

    private Builder(String machine, Class<S> s, Class<E> e) {
      this.machine = machine;
      this.stateType = s;
      this.eventType = e;
      this.table = new EnumMap<>(s);
    }

    @SafeVarargs
    public final Builder<S, E> on(E event, S to, S... from) {
      for (S f : from) {
        Map<E, S> row = table.computeIfAbsent(f, k -> new EnumMap<>(eventType));
        if (row.putIfAbsent(event, to) != null) {
          throw new IllegalStateException(machine + ": duplicate transition " + f + " --" + event + "-->");
        }
        rows.add(new Transition<>(f, event, to));
      }
      return this;
    }

    public TransitionTable<S, E> build() {
      return new TransitionTable<>(machine, stateType, table, List.copyOf(rows));
    }
  }
}
