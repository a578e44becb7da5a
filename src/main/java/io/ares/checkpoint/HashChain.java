package io.ares.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.ares.platform.Hashing;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The checkpoint hash chain (SPEC §2), pure: a checkpoint's {@code hash} is the lowercase hex SHA-256 of its
 * state's RFC 8785 canonical JSON alone (key order and number spelling do not change it), and its {@code
 * previous_hash} is the hash of the task's checkpoint before it (null for the first). A changed history
 * breaks one of the two rules at the first changed checkpoint.
 */
public final class HashChain {

  private HashChain() {}

  /** One checkpoint as the chain sees it. {@code seq} counts from 1 per task. */
  public record Link(UUID checkpointId, int seq, JsonNode state, String hash, String previousHash) {}

  /** Where and why the chain does not hold. */
  public record Break(UUID checkpointId, int seq, String reason) {}

  /** The hash of a state: SHA-256 of its RFC 8785 canonical JSON, lowercase hex. */
  public static String hashOf(JsonNode state) {
    return Hashing.canonicalHash(state);
  }

  /** The previous_hash a new checkpoint gets after {@code newest} (null when it is the first). */
  public static String previousHashAfter(Link newest) {
    return newest == null ? null : newest.hash();
  }

  /**
   * Verifies links ordered by seq (a whole chain, or a prefix of it up to a checkpoint): seqs run 1, 2, 3…,
   * each stored hash matches its state recomputed, and each previous_hash equals the stored hash of the link
   * before it. Returns the first break, or empty when the chain is intact.
   */
  public static Optional<Break> verify(List<Link> links) {
    Link before = null;
    for (Link link : links) {
      int expectedSeq = before == null ? 1 : before.seq() + 1;
      if (link.seq() != expectedSeq) {
        return Optional.of(new Break(link.checkpointId(), link.seq(),
            "chain broken at checkpoint " + link.checkpointId() + " (#" + link.seq() + "): checkpoint #"
                + expectedSeq + " is missing"));
      }
      String recomputed = recompute(link.state());
      if (!link.hash().equals(recomputed)) {
        return Optional.of(new Break(link.checkpointId(), link.seq(),
            "hash mismatch at checkpoint " + link.checkpointId() + " (#" + link.seq() + "): stored "
                + link.hash() + ", content hashes to " + recomputed));
      }
      String expectedPrevious = previousHashAfter(before);
      if (!Objects.equals(link.previousHash(), expectedPrevious)) {
        return Optional.of(new Break(link.checkpointId(), link.seq(),
            "chain broken at checkpoint " + link.checkpointId() + " (#" + link.seq() + "): previous_hash "
                + link.previousHash() + " but "
                + (before == null ? "the first checkpoint has none" : "checkpoint #" + before.seq() + " has hash " + before.hash())));
      }
      before = link;
    }
    return Optional.empty();
  }

  private static String recompute(JsonNode state) {
    if (state == null) {
      return "(no content)";
    }
    try {
      return hashOf(state);
    } catch (IllegalArgumentException e) {
      return "(content not canonicalisable)";
    }
  }
}
