package io.ares.checkpoint;

import io.ares.platform.ApiException;
import java.util.regex.Pattern;

/** A task's id: an assignment's (a UUID) or any client-chosen {@code ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$}. Pure. */
public final class TaskId {

  public static final Pattern PATTERN = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$");

  private TaskId() {}

  public static boolean isValid(String raw) {
    return raw != null && PATTERN.matcher(raw).matches();
  }

  /** The id from a path segment; one that cannot be a task id names nothing (404). */
  public static String fromPath(String raw) {
    if (!isValid(raw)) {
      throw ApiException.notFound("task");
    }
    return raw;
  }
}
