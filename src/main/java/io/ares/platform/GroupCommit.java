package io.ares.platform;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Group commit: callers queue an item and get a {@link Uni} of its result; one flush at a time takes up to
 * {@code maxBatch} queued entries and writes them together, then the next flush starts with whatever queued
 * meanwhile. Under load many callers share one statement or transaction; when idle an item is written at once.
 * The flush answers each entry (or hands it back with {@link #resubmit}); entries it left unanswered when it failed
 * get its failure. Callers resume on their own Vert.x context, not the one the batch completed on.
 */
public final class GroupCommit<I, O> {

  /** One queued item and the caller's pending answer. */
  public static final class Entry<I, O> {
    private final I item;
    private final CompletableFuture<O> result = new CompletableFuture<>();

    Entry(I item) {
      this.item = item;
    }

    public I item() {
      return item;
    }

    public void complete(O value) {
      result.complete(value);
    }

    public void fail(Throwable error) {
      result.completeExceptionally(error);
    }
  }

  private final int maxBatch;
  private final Function<List<Entry<I, O>>, Uni<Void>> flush;
  private final ConcurrentLinkedQueue<Entry<I, O>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushing = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();

  public GroupCommit(int maxBatch, Function<List<Entry<I, O>>, Uni<Void>> flush) {
    this.maxBatch = maxBatch;
    this.flush = flush;
  }

  /** The metric of flush sizes: entries per flush, tagged with the writer's name. */
  public static final String SIZE_METRIC = "ares_group_commit_size";

  private volatile io.micrometer.core.instrument.DistributionSummary sizes;

  /** Records the number of entries of every flush from now on in {@link #SIZE_METRIC}{@code {writer}}. */
  public void measure(io.micrometer.core.instrument.MeterRegistry registry, String writer) {
    sizes = io.micrometer.core.instrument.DistributionSummary.builder(SIZE_METRIC).tag("writer", writer)
        .description("Entries written by one group-commit flush (callers that shared one statement)")
        .register(registry);
  }

  /** Queues the item; the answer comes after the flush that wrote it. */
  public Uni<O> submit(I item) {
    Entry<I, O> e = new Entry<>(item);
    resubmit(e);
    Context caller = Vertx.currentContext();
    Uni<O> result = Uni.createFrom().completionStage(e.result);
    return caller == null ? result : result.emitOn(cmd -> caller.runOnContext(x -> cmd.run()));
  }

  /** Queues an entry again (e.g. one a flush could not write yet); its caller keeps waiting. */
  public void resubmit(Entry<I, O> entry) {
    queued.incrementAndGet();
    queue.add(entry);
    drain();
  }

  /** Entries queued and not yet taken by a flush. */
  public int backlog() {
    return queued.get();
  }

  private void drain() {
    if (!flushing.compareAndSet(false, true)) {
      return;
    }
    List<Entry<I, O>> batch = new ArrayList<>();
    Entry<I, O> e;
    while (batch.size() < maxBatch && (e = queue.poll()) != null) {
      queued.decrementAndGet();
      batch.add(e);
    }
    if (batch.isEmpty()) {
      flushing.set(false);
      if (!queue.isEmpty()) {
        drain();
      }
      return;
    }
    io.micrometer.core.instrument.DistributionSummary measured = sizes;
    if (measured != null) {
      measured.record(batch.size());
    }
    Uni<Void> run;
    try {
      run = flush.apply(batch);
    } catch (RuntimeException err) {
      run = Uni.createFrom().failure(err);
    }
    run.subscribe().with(
        ok -> next(),
        err -> {
          batch.forEach(x -> x.fail(err)); // no effect on entries the flush already answered
          next();
        });
  }

  private void next() {
    flushing.set(false);
    drain();
  }
}
