package io.ares.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonValidator;
import com.networknt.schema.Keyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.ValidationContext;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.Vocabularies;
import com.networknt.schema.Vocabulary;
import com.networknt.schema.regex.RegularExpression;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Bounds on one JSON Schema evaluation, so that no schema can hold the event loop or overflow its stack (issue 18):
 * a wall-clock time limit and a limit on nested keyword evaluations. Pure (no Quarkus).
 *
 * <p>The draft 2020-12 dialect used by {@link TaskSchemas} is the library's own with every keyword (but {@code type}
 * and {@code format}, which never descend) wrapped by a counter: each evaluation of a keyword counts one step and one
 * level of nesting while it runs. Regular expressions ({@code pattern}, {@code patternProperties}) read their input
 * through a character sequence that counts too, so a catastrophic backtracking pattern is stopped as well. Past a
 * bound the evaluation ends with {@link LimitExceeded}; a {@link StackOverflowError} (which the bounds should make
 * impossible) ends it the same way. The time bound is a computation timeout, read from {@link System#nanoTime()}, not
 * domain time.
 */
final class ValidationBudget {

  /** Keyword evaluations nested inside one another, at most (a value nested deeply under a recursive schema). */
  static final int MAX_NESTING = 1_000;

  /** Wall-clock time one evaluation may take. */
  static final Duration MAX_TIME = Duration.ofMillis(1_000);

  /** Why an evaluation was stopped. */
  static final class LimitExceeded extends RuntimeException {
    LimitExceeded(String message) {
      super(message, null, false, false);
    }
  }

  private static final ThreadLocal<ValidationBudget> CURRENT = new ThreadLocal<>();

  private final long deadline;
  private final int maxNesting;
  private int nesting;
  private long ticks;

  private ValidationBudget(Duration time, int maxNesting) {
    this.deadline = System.nanoTime() + time.toNanos();
    this.maxNesting = maxNesting;
  }

  /** Runs {@code work} under the default bounds. */
  static <T> T run(Supplier<T> work) {
    return run(MAX_TIME, MAX_NESTING, work);
  }

  /** Runs {@code work} under a budget (the one already running on this thread, when it is nested in another). */
  static <T> T run(Duration time, int maxNesting, Supplier<T> work) {
    if (CURRENT.get() != null) {
      return work.get();
    }
    CURRENT.set(new ValidationBudget(time, maxNesting));
    try {
      return work.get();
    } catch (StackOverflowError e) {
      throw new LimitExceeded("the schema evaluation nests too deeply");
    } catch (RuntimeException e) {
      LimitExceeded limit = limitIn(e);
      throw limit != null ? limit : e;
    } finally {
      CURRENT.remove();
    }
  }

  /** The bound that stopped an evaluation, when {@code e} or one of its causes is one (the library wraps them). */
  static LimitExceeded limitIn(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof LimitExceeded l) {
        return l;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static void enter() {
    ValidationBudget b = CURRENT.get();
    if (b == null) {
      return;
    }
    if (++b.nesting > b.maxNesting) {
      throw new LimitExceeded("the evaluation nests deeper than " + b.maxNesting + " keywords");
    }
    b.tick(1);
  }

  private static void exit() {
    ValidationBudget b = CURRENT.get();
    if (b != null) {
      b.nesting--;
    }
  }

  private void tick(int n) {
    long before = ticks;
    ticks += n;
    if ((before >>> 8) != (ticks >>> 8) && System.nanoTime() - deadline > 0) {
      throw new LimitExceeded("the evaluation takes longer than " + MAX_TIME.toMillis() + " ms");
    }
  }

  // ------------------------------------------------------------------------------------------- the dialect

  /** The library's draft 2020-12 dialect with every keyword but {@code type} and {@code format} counted. */
  static JsonMetaSchema dialect() {
    return JsonMetaSchema.builder(JsonMetaSchema.getV202012())
        .keywords(keywords -> keywords.replaceAll((name, keyword) -> counted(keyword)))
        .vocabularyFactory(iri -> {
          Vocabulary v = Vocabularies.getVocabulary(iri);
          return v == null
              ? null
              : new Vocabulary(v.getIri(), v.getKeywords().stream().map(ValidationBudget::counted).toArray(Keyword[]::new));
        })
        .build();
  }

  private static Keyword counted(Keyword k) {
    String name = k.getValue();
    if (name.equals("type") || name.equals("format") || k instanceof Counted) {
      return k;
    }
    return new Counted(k);
  }

  /** A keyword whose validators count their evaluations. */
  private record Counted(Keyword delegate) implements Keyword {
    @Override
    public String getValue() {
      return delegate.getValue();
    }

    @Override
    public JsonValidator newValidator(SchemaLocation schemaLocation, JsonNodePath evaluationPath, JsonNode schemaNode,
        JsonSchema parentSchema, ValidationContext validationContext) throws Exception {
      // Compiling counts too: references are compiled per place of use, so a schema that uses a subschema twice at
      // each of 40 levels would otherwise compile 2^40 validators before any value is validated.
      ValidationBudget b = CURRENT.get();
      if (b != null) {
        b.tick(1);
      }
      JsonValidator v = delegate.newValidator(schemaLocation, evaluationPath, schemaNode, parentSchema, validationContext);
      return v == null ? null : new CountedValidator(v);
    }
  }

  /** Delegates everything; {@link #validate} counts. The library finds validators by keyword name only. */
  private record CountedValidator(JsonValidator delegate) implements JsonValidator {
    @Override
    public Set<ValidationMessage> validate(ExecutionContext executionContext, JsonNode node, JsonNode rootNode,
        JsonNodePath instanceLocation) {
      enter();
      try {
        return delegate.validate(executionContext, node, rootNode, instanceLocation);
      } finally {
        exit();
      }
    }

    @Override
    public Set<ValidationMessage> walk(ExecutionContext executionContext, JsonNode node, JsonNode rootNode,
        JsonNodePath instanceLocation, boolean shouldValidateSchema) {
      return delegate.walk(executionContext, node, rootNode, instanceLocation, shouldValidateSchema);
    }

    @Override
    public void preloadJsonSchema() {
      delegate.preloadJsonSchema();
    }

    @Override
    public SchemaLocation getSchemaLocation() {
      return delegate.getSchemaLocation();
    }

    @Override
    public JsonNodePath getEvaluationPath() {
      return delegate.getEvaluationPath();
    }

    @Override
    public String getKeyword() {
      return delegate.getKeyword();
    }
  }

  // --------------------------------------------------------------------------------- regular expressions

  /**
   * ECMA-262-like matching as the library does it with the JDK ({@code find}, not anchored), reading the input
   * through a counting sequence so that backtracking is bounded by the time limit.
   */
  static RegularExpression regex(String regex) {
    Pattern p = Pattern.compile(regex);
    return value -> p.matcher(new CountedChars(value)).find();
  }

  private record CountedChars(String s) implements CharSequence {
    @Override
    public int length() {
      return s.length();
    }

    @Override
    public char charAt(int index) {
      ValidationBudget b = CURRENT.get();
      if (b != null) {
        b.tick(1);
      }
      return s.charAt(index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new CountedChars(s.substring(start, end));
    }

    @Override
    public String toString() {
      return s;
    }
  }
}
