package io.ares.console;

import io.ares.platform.fsm.TransitionTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lays out a state machine from its {@link TransitionTable} alone, so the drawing can never disagree with the
 * engine: states go into layers (columns, left to right) by the longest path from the initial states, edges that
 * skip layers run through shared "bus" points in the layers between, and back edges (a retry that returns to an
 * earlier state) loop underneath. Pure: no Quarkus, no I/O; {@link #draw} marks a session's current state and the
 * path it took.
 */
public final class StateMachineLayout {

  /** One drawn transition between two states: every event that leads from {@code from} to {@code to}. */
  public record Step(String from, String to) {}

  /** A state box. {@code css} holds the classes (state, current, visited, terminal, initial). */
  public record Node(String name, int x, int y, int w, int h, int textX, int textY, String css, String badge,
      String title) {}

  /** An arrow: an SVG path, drawn with an arrow head at its end. */
  public record Edge(String d, String css, String marker, String title) {}

  /** A label of one or more lines, drawn once per target and text. */
  public record Label(int x, int y, List<LabelLine> lines, String css) {}

  public record LabelLine(int x, int y, String text) {}

  /** Everything a template needs to draw the machine as inline SVG. */
  public record Diagram(String id, String machine, int width, int height, List<Node> nodes, List<Edge> edges,
      List<Label> labels, int startX, int startY, int startToX, String description) {}

  static final int NODE_H = 34;
  static final int CHAR_W = 7;
  static final int NODE_PAD = 22;
  static final int LAYER_GAP = 150;
  static final int MARGIN = 24;
  static final int START_SPACE = 26;
  static final int SEP_NODES = 74;
  static final int SEP_MIXED = 44;
  static final int SEP_BUSES = 16;
  static final int LOOP_DEPTH = 34;

  /** A real state or a bus point of a long edge. */
  private static final class Item {
    final String name; // state name, or null for a bus
    final String busKey; // target|label for buses
    final int layer;
    double order;
    int v; // position along the column (y)
    final List<Item> up = new ArrayList<>();
    final List<Item> down = new ArrayList<>();

    Item(String name, String busKey, int layer) {
      this.name = name;
      this.busKey = busKey;
      this.layer = layer;
    }

    boolean real() {
      return name != null;
    }
  }

  /** A drawn edge with its route through bus points. */
  private record Route(Step step, String label, String events, List<Item> points, boolean back) {}

  private final String machine;
  private final List<String> states;
  private final Set<String> initial;
  private final Set<String> terminal;
  private final Map<String, Item> nodes = new LinkedHashMap<>();
  private final List<List<Item>> layers = new ArrayList<>();
  private final List<Route> routes = new ArrayList<>();
  private final int[] layerX;
  private final int[] layerW;
  private final int width;
  private final int height;
  private final int bottom;

  private StateMachineLayout(String machine, List<String> states, List<String[]> rows) {
    this.machine = machine;
    this.states = states;
    // 1. edges grouped by (from, to), events in declaration order
    Map<Step, List<String>> grouped = new LinkedHashMap<>();
    for (String[] r : rows) {
      if (!r[0].equals(r[2])) {
        grouped.computeIfAbsent(new Step(r[0], r[2]), k -> new ArrayList<>()).add(r[1]);
      }
    }
    Set<String> withIncoming = grouped.keySet().stream().map(Step::to).collect(Collectors.toSet());
    Set<String> withOutgoing = grouped.keySet().stream().map(Step::from).collect(Collectors.toSet());
    Set<String> init = new LinkedHashSet<>();
    for (String s : states) {
      if (!withIncoming.contains(s)) {
        init.add(s);
      }
    }
    if (init.isEmpty()) {
      init.add(states.get(0));
    }
    this.initial = init;
    this.terminal = states.stream().filter(s -> !withOutgoing.contains(s)).collect(Collectors.toSet());

    // 2. back edges: a depth-first walk from the initial states in declaration order
    Map<String, List<Step>> out = new LinkedHashMap<>();
    for (Step s : grouped.keySet()) {
      out.computeIfAbsent(s.from(), k -> new ArrayList<>()).add(s);
    }
    Set<Step> back = new HashSet<>();
    Set<String> done = new HashSet<>();
    Set<String> onStack = new HashSet<>();
    List<String> roots = new ArrayList<>(init);
    roots.addAll(states);
    for (String root : roots) {
      dfs(root, out, back, done, onStack);
    }

    // 3. layers: longest path over the forward edges
    Map<String, Integer> layer = new HashMap<>();
    states.forEach(s -> layer.put(s, 0));
    boolean changed = true;
    for (int guard = 0; changed && guard <= states.size(); guard++) {
      changed = false;
      for (Step s : grouped.keySet()) {
        if (!back.contains(s) && layer.get(s.to()) < layer.get(s.from()) + 1) {
          layer.put(s.to(), layer.get(s.from()) + 1);
          changed = true;
        }
      }
    }
    int maxLayer = layer.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    for (int i = 0; i <= maxLayer; i++) {
      layers.add(new ArrayList<>());
    }
    for (String s : states) {
      Item it = new Item(s, null, layer.get(s));
      it.order = layers.get(it.layer).size();
      nodes.put(s, it);
      layers.get(it.layer).add(it);
    }

    // 4. routes; edges skipping layers share one bus per (target, label) and layer
    Map<String, Item> buses = new HashMap<>();
    for (Map.Entry<Step, List<String>> e : grouped.entrySet()) {
      Step s = e.getKey();
      String label = e.getValue().stream().map(StateMachineLayout::human).map(StateMachineLayout::wrap)
          .collect(Collectors.joining("\n"));
      Item from = nodes.get(s.from());
      Item to = nodes.get(s.to());
      List<Item> points = new ArrayList<>();
      points.add(from);
      boolean isBack = back.contains(s);
      if (!isBack) {
        Item prev = from;
        for (int l = from.layer + 1; l < to.layer; l++) {
          String key = s.to() + "|" + label + "|" + l;
          int ll = l;
          Item bus = buses.computeIfAbsent(key, k -> {
            Item b = new Item(null, k, ll);
            b.order = 1000 + layers.get(ll).size();
            layers.get(ll).add(b);
            return b;
          });
          link(prev, bus);
          points.add(bus);
          prev = bus;
        }
        link(prev, to);
      }
      points.add(to);
      routes.add(new Route(s, label, e.getValue().stream().map(StateMachineLayout::human)
          .collect(Collectors.joining(", ")), points, isBack));
    }

    // 5. order within layers: barycentre of the upstream neighbours, real states before buses on ties, so the
    //    first-declared path (the happy path) runs straight along the top
    for (int l = 1; l < layers.size(); l++) {
      sortBy(layers.get(l), true);
    }

    // 6. positions along the columns: as close to the upstream neighbour as the spacing allows
    for (List<Item> col : layers) {
      int prevV = Integer.MIN_VALUE;
      Item prev = null;
      for (Item it : col) {
        int want = it.up.isEmpty() ? 0 : it.up.stream().mapToInt(u -> u.v).min().orElse(0);
        int v = prev == null ? Math.max(0, want) : Math.max(prevV + sep(prev, it), want);
        it.v = v;
        prevV = v;
        prev = it;
      }
    }

    // 7. columns: width from the longest state name in the layer
    layerX = new int[layers.size()];
    layerW = new int[layers.size()];
    int x = MARGIN + START_SPACE;
    for (int l = 0; l < layers.size(); l++) {
      int w = 60;
      for (Item it : layers.get(l)) {
        if (it.real()) {
          w = Math.max(w, it.name.length() * CHAR_W + NODE_PAD);
        }
      }
      layerX[l] = x;
      layerW[l] = w;
      x += w + LAYER_GAP;
    }
    int maxV = layers.stream().flatMap(List::stream).mapToInt(i -> i.v).max().orElse(0);
    this.bottom = MARGIN + 14 + maxV + NODE_H;
    this.width = x - LAYER_GAP + MARGIN;
    int deepest = bottom;
    for (Route r : routes) {
      if (r.back()) {
        Item a = r.points().get(0);
        Item b = r.points().get(r.points().size() - 1);
        int y0 = (top(a) + top(b)) / 2 + NODE_H;
        int labelBottom = y0 + (loopDepth(r) - y0) * 3 / 4 + 12 + 12 * (int) r.label().chars().filter(c -> c == '\n').count();
        deepest = Math.max(deepest, labelBottom + 4);
      }
    }
    this.height = deepest + MARGIN;
  }

  private static void link(Item a, Item b) {
    if (!a.down.contains(b)) {
      a.down.add(b);
    }
    if (!b.up.contains(a)) {
      b.up.add(a);
    }
  }

  private static int sep(Item a, Item b) {
    if (a.real() && b.real()) {
      return SEP_NODES;
    }
    return a.real() || b.real() ? SEP_MIXED : SEP_BUSES;
  }

  private static void dfs(String s, Map<String, List<Step>> out, Set<Step> back, Set<String> done, Set<String> onStack) {
    if (done.contains(s)) {
      return;
    }
    Deque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {s, 0});
    onStack.add(s);
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      String cur = (String) top[0];
      int i = (int) top[1];
      List<Step> edges = out.getOrDefault(cur, List.of());
      if (i < edges.size()) {
        top[1] = i + 1;
        Step e = edges.get(i);
        if (onStack.contains(e.to())) {
          back.add(e);
        } else if (!done.contains(e.to())) {
          onStack.add(e.to());
          stack.push(new Object[] {e.to(), 0});
        }
      } else {
        stack.pop();
        onStack.remove(cur);
        done.add(cur);
      }
    }
  }

  private static void sortBy(List<Item> col, boolean upstream) {
    Map<Item, Double> key = new HashMap<>();
    for (Item it : col) {
      List<Item> n = upstream ? it.up : it.down;
      double k = n.isEmpty() ? it.order : n.stream().collect(java.util.stream.Collectors.averagingDouble(x -> x.order));
      key.put(it, k);
    }
    col.sort(Comparator.comparingDouble((Item it) -> key.get(it))
        .thenComparing(it -> it.real() ? 0 : 1)
        .thenComparingDouble(it -> it.order));
    for (int i = 0; i < col.size(); i++) {
      col.get(i).order = i;
    }
  }

  /** Breaks a long label into lines of at most about 22 characters, at spaces. */
  static String wrap(String text) {
    if (text.length() <= 22) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    int line = 0;
    for (String w : text.split(" ")) {
      if (line > 0 && line + 1 + w.length() > 22) {
        out.append('\n');
        line = 0;
      } else if (line > 0) {
        out.append(' ');
        line++;
      }
      out.append(w);
      line += w.length();
    }
    return out.toString();
  }

  /** {@code QUORUM_VALIDATED} → {@code quorum validated}. */
  static String human(String event) {
    return event.toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  /** The layout of a transition table (compute once, draw many times). */
  public static <S extends Enum<S>, E extends Enum<E>> StateMachineLayout of(TransitionTable<S, E> table) {
    List<String> states = table.states().stream().map(Enum::name).toList();
    List<String[]> rows = table.transitions().stream()
        .map(t -> new String[] {t.from().name(), t.event().name(), t.to().name()})
        .toList();
    return new StateMachineLayout(table.machine(), states, rows);
  }

  /** For tests and other machines: states in order and rows of (from, event, to). */
  static StateMachineLayout of(String machine, List<String> states, List<String[]> rows) {
    return new StateMachineLayout(machine, states, rows);
  }

  // ------------------------------------------------------------------ geometry

  private int top(Item it) {
    return MARGIN + 14 + it.v;
  }

  private int cy(Item it) {
    return top(it) + NODE_H / 2;
  }

  private int left(Item it) {
    return it.real() ? layerX[it.layer] : layerX[it.layer] - 4;
  }

  private int right(Item it) {
    return it.real() ? layerX[it.layer] + layerW[it.layer] : layerX[it.layer] + layerW[it.layer] + 4;
  }

  /** The column index of a state (tests). */
  int layerOf(String state) {
    return nodes.get(state).layer;
  }

  /** The states in the order they are drawn in a column (tests). */
  List<String> column(int layer) {
    return layers.get(layer).stream().filter(Item::real).map(i -> i.name).toList();
  }

  Set<Step> backEdges() {
    return routes.stream().filter(Route::back).map(Route::step).collect(Collectors.toSet());
  }

  Set<Step> steps() {
    return routes.stream().map(Route::step).collect(Collectors.toCollection(LinkedHashSet::new));
  }

  public String machine() {
    return machine;
  }

  /**
   * Draws the machine. {@code counts}: how many instances are in each state now (the session: one; a session's
   * assignments: one per assignment); {@code taken}: the transitions that happened, from the event log.
   */
  public Diagram draw(String id, Map<String, Integer> counts, Set<Step> taken) {
    Set<String> visited = new HashSet<>();
    for (Step s : taken) {
      visited.add(s.from());
      visited.add(s.to());
    }
    visited.addAll(counts.keySet());
    List<Node> drawnNodes = new ArrayList<>();
    for (String s : states) {
      Item it = nodes.get(s);
      int w = layerW[it.layer];
      int n = counts.getOrDefault(s, 0);
      StringBuilder css = new StringBuilder("state");
      if (n > 0) {
        css.append(" current");
      } else if (visited.contains(s)) {
        css.append(" visited");
      }
      if (terminal.contains(s)) {
        css.append(" terminal");
      }
      if (initial.contains(s)) {
        css.append(" initial");
      }
      String badge = n > 1 ? "×" + n : "";
      String title = s + (n > 0 ? (n > 1 ? " — current state of " + n : " — current state") : visited.contains(s)
          ? " — visited" : "") + (terminal.contains(s) ? " (terminal)" : "");
      drawnNodes.add(new Node(s, left(it), top(it), w, NODE_H, left(it) + w / 2, top(it) + NODE_H / 2 + 4,
          css.toString(), badge, title));
    }

    List<Edge> plain = new ArrayList<>();
    List<Edge> highlighted = new ArrayList<>();
    List<Label> labels = new ArrayList<>();
    Set<String> labelled = new HashSet<>();
    for (Route r : routes) {
      boolean isTaken = taken.contains(r.step());
      String d = r.back() ? backPath(r) : forwardPath(r);
      String title = r.step().from() + " → " + r.step().to() + ": " + r.events();
      Edge e = new Edge(d, isTaken ? "edge taken" : "edge", isTaken ? id + "-arrow-taken" : id + "-arrow", title);
      (isTaken ? highlighted : plain).add(e);
      String key = r.step().to() + "|" + r.label() + "|" + r.back();
      if (labelled.add(key) || isTaken) {
        labels.add(label(r, isTaken));
      }
    }
    List<Edge> edges = new ArrayList<>(plain);
    edges.addAll(highlighted); // taken edges on top
    // A label drawn twice (once plain, once taken) keeps only the taken one.
    Map<String, Label> byPos = new LinkedHashMap<>();
    for (Label l : labels) {
      String k = l.x() + ":" + l.y() + ":" + l.lines().get(0).text();
      if (!byPos.containsKey(k) || l.css().contains("taken")) {
        byPos.put(k, l);
      }
    }
    Item first = nodes.get(initial.iterator().next());
    int sx = MARGIN;
    int sy = cy(first);
    String description = "State machine of a " + machine + ", drawn from its transition table: "
        + states.size() + " states, " + routes.size() + " transitions"
        + (counts.isEmpty() ? "" : "; current: " + String.join(", ", counts.keySet()));
    return new Diagram(id, machine, width, height, drawnNodes, edges, new ArrayList<>(byPos.values()), sx, sy,
        left(first) - 2, description);
  }

  private String forwardPath(Route r) {
    List<Item> p = r.points();
    StringBuilder d = new StringBuilder();
    Item a = p.get(0);
    d.append("M").append(right(a)).append(',').append(cy(a));
    for (int i = 1; i < p.size(); i++) {
      Item prev = p.get(i - 1);
      Item b = p.get(i);
      int x0 = right(prev);
      int y0 = cy(prev);
      int x1 = left(b) - (b.real() ? 2 : 0);
      int y1 = cy(b);
      int dx = Math.max(20, (x1 - x0) / 2);
      d.append(" C").append(x0 + dx).append(',').append(y0).append(' ')
          .append(x1 - dx).append(',').append(y1).append(' ')
          .append(x1).append(',').append(y1);
      if (!b.real()) {
        d.append(" L").append(right(b)).append(',').append(y1);
      }
    }
    return d.toString();
  }

  /**
   * How deep a back edge loops below the drawing: under everything in the columns it spans (states and bus points),
   * and deeper the more columns it spans, so nested loops do not overlap.
   */
  private int loopDepth(Route r) {
    Item a = r.points().get(0);
    Item b = r.points().get(r.points().size() - 1);
    int lo = Math.min(a.layer, b.layer);
    int hi = Math.max(a.layer, b.layer);
    int lowest = 0;
    for (int l = lo; l <= hi; l++) {
      for (Item it : layers.get(l)) {
        lowest = Math.max(lowest, it.real() ? top(it) + NODE_H : cy(it));
      }
    }
    return lowest + LOOP_DEPTH + 22 * (hi - lo - 1);
  }

  private String backPath(Route r) {
    Item a = r.points().get(0);
    Item b = r.points().get(r.points().size() - 1);
    int x0 = left(a) + layerW[a.layer] / 2;
    int y0 = top(a) + NODE_H;
    int x1 = left(b) + layerW[b.layer] / 2 + 12;
    int y1 = top(b) + NODE_H + 2;
    int depth = loopDepth(r);
    return "M" + x0 + ',' + y0 + " C" + x0 + ',' + depth + ' ' + x1 + ',' + depth + ' ' + x1 + ',' + y1;
  }

  private Label label(Route r, boolean isTaken) {
    String[] lines = r.label().split("\n");
    List<Item> p = r.points();
    Item b = p.get(p.size() - 1);
    String css = isTaken ? "edge-label taken" : "edge-label";
    List<LabelLine> ll = new ArrayList<>();
    if (r.back()) {
      Item a = p.get(0);
      int x = (left(a) + layerW[a.layer] / 2 + left(b) + layerW[b.layer] / 2) / 2 + 6;
      // the curve's lowest point is three quarters of the way to its control points
      int y0 = (top(a) + top(b)) / 2 + NODE_H;
      int y = y0 + (loopDepth(r) - y0) * 3 / 4 + 12;
      for (int i = 0; i < lines.length; i++) {
        ll.add(new LabelLine(x, y + i * 12, lines[i]));
      }
      return new Label(x, y, ll, css + " middle");
    }
    // right-aligned just before the target, lines stacked upwards from the arrow's end
    int x = left(b) - 10;
    int y = cy(b) - 6;
    int n = lines.length;
    for (int i = 0; i < n; i++) {
      ll.add(new LabelLine(x, y - (n - 1 - i) * 12, lines[i]));
    }
    return new Label(x, y, ll, css + " end");
  }
}
