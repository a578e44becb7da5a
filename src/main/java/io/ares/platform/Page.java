package io.ares.platform;

import java.util.List;
import java.util.function.Function;

/** A page of a list: {@code {"items": [...], "page", "size", "total"}}. */
public record Page<T>(List<T> items, int page, int size, long total) {

  public <R> Page<R> map(Function<T, R> f) {
    return new Page<>(items.stream().map(f).toList(), page, size, total);
  }
}
