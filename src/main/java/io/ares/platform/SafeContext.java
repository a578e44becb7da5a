package io.ares.platform;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Runs reactive work (Hibernate Reactive needs it) on a fresh, safe duplicated Vert.x context. */
public final class SafeContext {

  private SafeContext() {}

  public static <T> Uni<T> run(Vertx vertx, Supplier<Uni<T>> work) {
    return Uni.createFrom().emitter(em -> {
      Context ctx = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
      VertxContextSafetyToggle.setContextSafe(ctx, true);
      ctx.runOnContext(v -> {
        try {
          work.get().subscribe().with(em::complete, em::fail);
        } catch (RuntimeException e) {
          em.fail(e);
        }
      });
    });
  }
}
