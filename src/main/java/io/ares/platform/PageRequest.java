package io.ares.platform;

/** Validated paging parameters: page from 0, size 1..500 (default 50). */
public record PageRequest(int page, int size) {

  /** Parses the raw query parameters (strings, so that bad values are a 400, not a 404). */
  public static PageRequest of(String page, String size) {
    int p = Params.intParam("page", page, 0);
    int s = Params.intParam("size", size, 50);
    if (p < 0) {
      throw ApiException.validation("page must be 0 or more");
    }
    if (s < 1 || s > 500) {
      throw ApiException.validation("size must be between 1 and 500");
    }
    if ((long) p * s > 1_000_000_000L) {
      throw ApiException.validation("page × size is too large");
    }
    return new PageRequest(p, s);
  }

  public int offset() {
    return page * size;
  }
}
