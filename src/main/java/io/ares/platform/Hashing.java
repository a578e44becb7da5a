package io.ares.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.erdtman.jcs.JsonCanonicalizer;

/** SHA-256, RFC 8785 canonical JSON (via the JCS reference implementation) and random tokens. */
public final class Hashing {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ObjectMapper PLAIN = new ObjectMapper();

  private Hashing() {}

  public static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256(bytes));
  }

  public static String sha256Hex(String s) {
    return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * RFC 8785 canonical form of any JSON value. The JCS implementation takes an object or an array only, so the value
   * is canonicalised as the one element of an array and the brackets are taken off: RFC 8785 writes an array as its
   * elements' canonical forms between {@code [} and {@code ]}, separated by commas, so what is left is exactly the
   * value's canonical form ({@code null}, {@code true}, {@code 42}, {@code 1e+21}, a string, an object...). A number
   * that is no finite IEEE 754 double ({@code 1e400}) has no canonical form: refused (the JSON parser would have
   * read it as infinity, and infinity would have been written as the string {@code "Infinity"}).
   */
  public static String canonical(JsonNode node) {
    if (!finite(node)) {
      throw notCanonicalisable();
    }
    String wrapped;
    try {
      wrapped = new JsonCanonicalizer("[" + PLAIN.writeValueAsString(node) + "]").getEncodedString();
    } catch (IOException | RuntimeException e) {
      throw notCanonicalisable();
    }
    return wrapped.substring(1, wrapped.length() - 1);
  }

  private static ApiException notCanonicalisable() {
    return ApiException.validation("JSON value cannot be canonicalised (RFC 8785 needs finite IEEE 754 numbers)")
        .with("errors", java.util.List.of("a number is out of the range of IEEE 754 double precision"));
  }

  /** Whether every number in the value is a finite double (an integer beyond about 1.8e308 is not). */
  private static boolean finite(JsonNode node) {
    if (node.isNumber()) {
      return Double.isFinite(node.doubleValue());
    }
    if (node.isContainerNode()) {
      for (JsonNode child : node) {
        if (!finite(child)) {
          return false;
        }
      }
    }
    return true;
  }

  /** SHA-256 hex of the RFC 8785 canonical JSON of a value. */
  public static String canonicalHash(JsonNode node) {
    return sha256Hex(canonical(node));
  }

  /** A bearer token with 256 random bits, URL-safe. */
  public static String newToken() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "ares_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  public static boolean constantTimeEquals(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(a.getBytes(StandardCharsets.UTF_8)), sha256(b.getBytes(StandardCharsets.UTF_8)));
  }
}
