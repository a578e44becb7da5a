package io.ares.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/** Formatting for the console's pages: times, durations, ids, JSON previews and URLs. Pure. */
public final class Fmt {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Text previews longer than this are cut, with a link to the whole value. */
  public static final int PREVIEW = 240;

  private Fmt() {}

  public static String time(Instant i) {
    return i == null ? "—" : TIME.format(i);
  }

  public static String clock(Instant i) {
    return i == null ? "—" : CLOCK.format(i);
  }

  public static String iso(Instant i) {
    return i == null ? "" : i.toString();
  }

  /** "12 s ago", "3 min ago", "in 40 s"; "never" for null. */
  public static String ago(Instant then, Instant now) {
    if (then == null) {
      return "never";
    }
    Duration d = Duration.between(then, now);
    if (d.abs().toMillis() < 1000) {
      return "just now";
    }
    boolean future = d.isNegative();
    String span = span(d.abs());
    return future ? "in " + span : span + " ago";
  }

  /** A short human duration: "850 ms", "12 s", "3 min", "2 h 5 min", "4 d". */
  public static String span(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    long s = d.toSeconds();
    if (s < 120) {
      return s + " s";
    }
    long m = d.toMinutes();
    if (m < 120) {
      return m + " min";
    }
    long h = d.toHours();
    if (h < 48) {
      long rest = m - h * 60;
      return rest == 0 ? h + " h" : h + " h " + rest + " min";
    }
    return d.toDays() + " d";
  }

  public static String shortId(UUID id) {
    return id == null ? "" : id.toString().substring(0, 8);
  }

  public static String score(double s) {
    return String.format(java.util.Locale.ROOT, "%.2f", s);
  }

  /** Any JSON-ish value as text: strings as they are, everything else as indented JSON. */
  public static String text(Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }

  /** A value cut for display; {@code cut} tells the template to offer the whole value. */
  public record Preview(String text, boolean cut, int length) {}

  public static Preview preview(Object value) {
    return preview(text(value), PREVIEW);
  }

  public static Preview preview(String text, int max) {
    if (text == null) {
      return new Preview("", false, 0);
    }
    if (text.length() <= max) {
      return new Preview(text, false, text.length());
    }
    return new Preview(text.substring(0, max) + "…", true, text.length());
  }

  /** {@code path?k=v&…} with every present value URL-encoded (the template then HTML-escapes the whole). */
  public static String url(String path, Map<String, ?> params) {
    StringJoiner q = new StringJoiner("&");
    params.forEach((k, v) -> {
      if (v != null && !String.valueOf(v).isEmpty()) {
        q.add(k + "=" + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8));
      }
    });
    return q.length() == 0 ? path : path + "?" + q;
  }

  public static String url(String path, String k1, Object v1) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(k1, v1);
    return url(path, m);
  }

  public static String sessionHref(UUID id) {
    return "/console/sessions/" + id;
  }

  public static String agentHref(String agentId) {
    return "/console/agents/" + URLEncoder.encode(agentId, StandardCharsets.UTF_8);
  }
}
