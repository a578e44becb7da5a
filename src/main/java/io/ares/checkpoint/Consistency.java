package io.ares.checkpoint;

import java.util.UUID;

/**
 * A task's consistency report. {@code consistent}: the current state hashes to the hash of the latest
 * checkpoint event ({@code checkpointId}: the newest checkpoint taken, or the one last restored, whichever
 * came later). {@code chainIntact}: every checkpoint's content still matches its hash and every
 * previous_hash the hash before it; {@code chainProblem} says where it breaks first.
 */
public record Consistency(
    String taskId,
    boolean consistent,
    String checkpointHash,
    String currentHash,
    boolean chainIntact,
    UUID checkpointId,
    int checkpoints,
    String chainProblem) {}
