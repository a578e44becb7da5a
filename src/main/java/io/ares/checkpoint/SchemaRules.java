package io.ares.checkpoint;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.ares.platform.ApiException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shape rules a task's schema must meet before it is compiled (issue 18), each a 400 with the reason. Pure.
 *
 * <ul>
 *   <li>The document nests at most {@link #MAX_DEPTH} JSON levels (the library's own checks recurse per level).
 *   <li>Its dialect is draft 2020-12: a {@code $schema} anywhere names it or is absent.
 *   <li>Every {@code $ref} and {@code $dynamicRef} resolves inside the document (a JSON pointer, an {@code $anchor}
 *       or {@code $dynamicAnchor}, an embedded {@code $id}), or names a draft 2020-12 meta-schema.
 *   <li>No reference cycle stays on the same value: a cycle of keywords that apply to the value in place ({@code
 *       $ref}, {@code $dynamicRef}, {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}, {@code if}/{@code
 *       then}/{@code else}, {@code dependentSchemas}) would evaluate forever ({@code {"$ref": "#"}}). A cycle that
 *       passes through a keyword reading deeper into the value ({@code properties}, {@code items}, {@code
 *       additionalProperties}…) is a legal recursive schema (a tree): it ends with the value, and the evaluation's
 *       nesting is bounded at run time ({@link ValidationBudget}).
 * </ul>
 *
 * <p>A {@code $dynamicRef} is taken to reach every subschema with a matching {@code $dynamicAnchor} (the dynamic scope
 * is only known at run time), which errs on the side of refusing.
 */
final class SchemaRules {

  /** The deepest JSON nesting of a schema document. */
  static final int MAX_DEPTH = 100;

  static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";

  private static final URI DOCUMENT = URI.create("https://ares.invalid/task-schema.json");

  private static final Set<String> IN_PLACE_ONE = Set.of("not", "if", "then", "else");
  private static final Set<String> IN_PLACE_LIST = Set.of("allOf", "anyOf", "oneOf");
  private static final Set<String> IN_PLACE_MAP = Set.of("dependentSchemas", "dependencies");
  private static final Set<String> DESCEND_ONE = Set.of(
      "additionalProperties", "items", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties");
  private static final Set<String> DESCEND_LIST = Set.of("prefixItems");
  private static final Set<String> DESCEND_MAP = Set.of("properties", "patternProperties");
  private static final Set<String> DEFINITIONS = Set.of("$defs", "definitions");

  private SchemaRules() {}

  /** Refuses a document nested deeper than {@link #MAX_DEPTH} (iteratively: no recursion on hostile input). */
  static void checkDepth(JsonNode document) {
    Deque<Object[]> stack = new ArrayDeque<>();
    stack.push(new Object[] {document, 1});
    while (!stack.isEmpty()) {
      Object[] top = stack.pop();
      JsonNode node = (JsonNode) top[0];
      int depth = (Integer) top[1];
      if (!node.isContainerNode()) {
        continue;
      }
      if (depth > MAX_DEPTH) {
        throw refused("schema nests deeper than " + MAX_DEPTH + " levels");
      }
      for (JsonNode child : node) {
        if (child.isContainerNode()) {
          stack.push(new Object[] {child, depth + 1});
        }
      }
    }
  }

  /** Applies the dialect, reference and cycle rules (the depth rule first). */
  static void check(JsonNode root) {
    checkDepth(root);
    new Analysis(root).run();
  }

  static ApiException refused(String why) {
    return ApiException.validation("schema refused: " + why);
  }

  /** One analysis of one document. */
  private static final class Analysis {
    private final JsonNode root;
    private final Map<JsonNode, URI> base = new IdentityHashMap<>();
    private final Map<JsonNode, String> where = new IdentityHashMap<>();
    private final Map<URI, JsonNode> resources = new HashMap<>();
    private final Map<String, JsonNode> anchors = new HashMap<>();
    private final Map<String, List<JsonNode>> dynamicAnchors = new HashMap<>();
    private final Map<JsonNode, List<JsonNode>> inPlace = new IdentityHashMap<>();

    Analysis(JsonNode root) {
      this.root = root;
    }

    void run() {
      resources.put(DOCUMENT, root);
      index(root, DOCUMENT, "");
      // Every schema reachable from the root by any applicator, with its in-place edges.
      Deque<JsonNode> pending = new ArrayDeque<>();
      pending.push(root);
      while (!pending.isEmpty()) {
        JsonNode s = pending.pop();
        if (inPlace.containsKey(s)) {
          continue;
        }
        List<JsonNode> same = new ArrayList<>();
        List<JsonNode> deeper = new ArrayList<>();
        edges(s, same, deeper);
        inPlace.put(s, same);
        same.forEach(pending::push);
        deeper.forEach(pending::push);
      }
      findInPlaceCycle();
    }

    /** Records bases, resources and anchors along the schema positions of the document. */
    private void index(JsonNode node, URI parentBase, String pointer) {
      Deque<Object[]> stack = new ArrayDeque<>();
      stack.push(new Object[] {node, parentBase, pointer});
      while (!stack.isEmpty()) {
        Object[] top = stack.pop();
        JsonNode n = (JsonNode) top[0];
        String at = (String) top[2];
        if (!n.isObject() || base.containsKey(n)) {
          continue;
        }
        URI b = baseOf(n, (URI) top[1]);
        base.put(n, b);
        where.putIfAbsent(n, at.isEmpty() ? "#" : "#" + at);
        JsonNode anchor = n.get("$anchor");
        if (anchor != null && anchor.isTextual()) {
          anchors.put(b + "#" + anchor.textValue(), n);
        }
        JsonNode dynamic = n.get("$dynamicAnchor");
        if (dynamic != null && dynamic.isTextual()) {
          anchors.putIfAbsent(b + "#" + dynamic.textValue(), n);
          dynamicAnchors.computeIfAbsent(dynamic.textValue(), k -> new ArrayList<>()).add(n);
        }
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          String k = e.getKey();
          JsonNode v = e.getValue();
          String p = at + "/" + escape(k);
          if (IN_PLACE_ONE.contains(k) || DESCEND_ONE.contains(k)) {
            stack.push(new Object[] {v, b, p});
          } else if ((IN_PLACE_LIST.contains(k) || DESCEND_LIST.contains(k)) && v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
              stack.push(new Object[] {v.get(i), b, p + "/" + i});
            }
          } else if ((IN_PLACE_MAP.contains(k) || DESCEND_MAP.contains(k) || DEFINITIONS.contains(k)) && v.isObject()) {
            for (Map.Entry<String, JsonNode> m : v.properties()) {
              stack.push(new Object[] {m.getValue(), b, p + "/" + escape(m.getKey())});
            }
          }
        }
      }
    }

    private URI baseOf(JsonNode n, URI parentBase) {
      JsonNode id = n.get("$id");
      if (id == null || !id.isTextual()) {
        return parentBase;
      }
      try {
        URI resolved = withoutFragment(parentBase.resolve(new URI(id.textValue())));
        resources.putIfAbsent(resolved, n);
        return resolved;
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw refused("$id " + quote(id.textValue()) + " is not a valid URI reference");
      }
    }

    /** The schemas applied to the same value ({@code same}) and to values inside it ({@code deeper}). */
    private void edges(JsonNode s, List<JsonNode> same, List<JsonNode> deeper) {
      if (!s.isObject()) {
        return; // true, false, or something the library refuses when it compiles
      }
      if (!base.containsKey(s)) {
        index(s, DOCUMENT, "");
      }
      JsonNode dialect = s.get("$schema");
      if (dialect != null && !(dialect.isTextual()
          && (dialect.textValue().equals(DIALECT) || dialect.textValue().equals(DIALECT + "#")))) {
        throw refused("only JSON Schema draft 2020-12 is accepted ($schema " + quote(String.valueOf(dialect)) + ")");
      }
      URI b = base.get(s);
      for (Map.Entry<String, JsonNode> e : s.properties()) {
        String k = e.getKey();
        JsonNode v = e.getValue();
        if (k.equals("$ref") || k.equals("$dynamicRef")) {
          if (!v.isTextual()) {
            continue; // the meta-schema refuses it
          }
          JsonNode target = resolve(v.textValue(), b, s);
          if (target != null) {
            same.add(target);
          }
          if (k.equals("$dynamicRef") && v.textValue().startsWith("#") && !v.textValue().startsWith("#/")) {
            same.addAll(dynamicAnchors.getOrDefault(v.textValue().substring(1), List.of()));
          }
        } else if (IN_PLACE_ONE.contains(k)) {
          same.add(v);
        } else if (IN_PLACE_LIST.contains(k) && v.isArray()) {
          v.forEach(same::add);
        } else if (IN_PLACE_MAP.contains(k) && v.isObject()) {
          for (JsonNode m : v) {
            if (m.isObject() || m.isBoolean()) {
              same.add(m); // dependencies: an array value lists property names, not a schema
            }
          }
        } else if (DESCEND_ONE.contains(k)) {
          deeper.add(v);
        } else if (DESCEND_LIST.contains(k) && v.isArray()) {
          v.forEach(deeper::add);
        } else if (DESCEND_MAP.contains(k) && v.isObject()) {
          v.forEach(deeper::add);
        }
      }
    }

    /** The node a reference names, null for a meta-schema (outside, and known to end); 400 when it names nothing. */
    private JsonNode resolve(String ref, URI b, JsonNode from) {
      URI target;
      try {
        URI r = new URI(ref);
        target = ref.isEmpty() || ref.startsWith("#") ? new URI(b.getScheme(), b.getSchemeSpecificPart(), r.getFragment())
            : b.resolve(r);
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw refused("$ref " + quote(ref) + " at " + where(from) + " is not a valid URI reference");
      }
      URI document = withoutFragment(target);
      if (document.toString().startsWith("https://json-schema.org/draft/2020-12/")) {
        return null;
      }
      JsonNode resource = resources.get(document);
      String fragment = target.getFragment();
      JsonNode found = null;
      if (resource != null) {
        if (fragment == null || fragment.isEmpty()) {
          found = resource;
        } else if (fragment.startsWith("/")) {
          try {
            JsonNode at = resource.at(JsonPointer.compile(fragment));
            found = at.isMissingNode() ? null : at;
          } catch (IllegalArgumentException e) {
            found = null;
          }
          if (found != null && found.isObject() && !base.containsKey(found)) {
            index(found, document, fragment);
          }
        } else {
          found = anchors.get(document + "#" + fragment);
        }
      }
      if (found == null) {
        throw refused("$ref " + quote(ref) + " at " + where(from)
            + " does not resolve inside the schema (only references inside it, or to the draft 2020-12"
            + " meta-schemas, are allowed)");
      }
      return found;
    }

    /** Depth-first search of the in-place graph; a back edge is a cycle that never reads deeper into the value. */
    private void findInPlaceCycle() {
      Map<JsonNode, Integer> color = new IdentityHashMap<>();
      for (JsonNode start : inPlace.keySet()) {
        if (color.containsKey(start)) {
          continue;
        }
        Deque<JsonNode> path = new ArrayDeque<>();
        Deque<java.util.Iterator<JsonNode>> iterators = new ArrayDeque<>();
        color.put(start, 1);
        path.push(start);
        iterators.push(inPlace.getOrDefault(start, List.of()).iterator());
        while (!iterators.isEmpty()) {
          java.util.Iterator<JsonNode> it = iterators.peek();
          if (!it.hasNext()) {
            color.put(path.pop(), 2);
            iterators.pop();
            continue;
          }
          JsonNode next = it.next();
          Integer c = color.get(next);
          if (c == null) {
            color.put(next, 1);
            path.push(next);
            iterators.push(inPlace.getOrDefault(next, List.of()).iterator());
          } else if (c == 1) {
            List<String> cycle = new ArrayList<>();
            for (java.util.Iterator<JsonNode> p = path.descendingIterator(); p.hasNext(); ) {
              JsonNode n = p.next();
              if (!cycle.isEmpty() || n == next) {
                cycle.add(where(n));
              }
            }
            cycle.add(where(next));
            throw refused("it refers to itself without reading deeper into the value ("
                + String.join(" -> ", cycle) + "), so its evaluation would never end; a recursive schema must"
                + " recurse through properties, items or another keyword that applies to the values inside");
          }
        }
      }
    }

    private String where(JsonNode n) {
      return where.getOrDefault(n, n.isObject() ? "a subschema" : String.valueOf(n));
    }
  }

  private static URI withoutFragment(URI u) {
    try {
      return new URI(u.getScheme(), u.getSchemeSpecificPart(), null);
    } catch (URISyntaxException e) {
      return u;
    }
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String quote(String s) {
    String cut = s.length() > 200 ? s.substring(0, 200) + "…" : s;
    return "\"" + cut + "\"";
  }
}
