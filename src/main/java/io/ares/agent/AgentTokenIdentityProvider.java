package io.ares.agent;

import io.ares.platform.security.Roles;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowIterator;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Resolves a bearer token to its agent by one index probe on the token's SHA-256 (remembered for a few seconds by
 * {@link TokenCache}); deregistered agents fail.
 */
@ApplicationScoped
public class AgentTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

  @Inject Pool pool;
  @Inject TokenCache cache;

  @Override
  public Class<TokenAuthenticationRequest> getRequestType() {
    return TokenAuthenticationRequest.class;
  }

  /** The live agent a token belongs to, or null. */
  public Uni<String> agentFor(String token) {
    return resolve(AgentService.tokenHash(token));
  }

  private Uni<String> resolve(byte[] hash) {
    String cached = cache.agentFor(hash);
    if (cached != null) {
      return Uni.createFrom().item(cached);
    }
    long epoch = cache.epoch();
    return pool.preparedQuery("SELECT agent_id FROM agent WHERE token_hash = $1 AND status <> 'DEREGISTERED'")
        .execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> {
          RowIterator<Row> it = rows.iterator();
          if (!it.hasNext()) {
            return null;
          }
          String agentId = it.next().getString("agent_id");
          cache.remember(hash, agentId, epoch);
          return agentId;
        });
  }

  @Override
  public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
    return resolve(AgentService.tokenHash(request.getToken().getToken())).map(agentId -> {
      if (agentId == null) {
        throw new AuthenticationFailedException();
      }
      return (SecurityIdentity) QuarkusSecurityIdentity.builder()
          .setPrincipal(new QuarkusPrincipal(agentId))
          .addRole(Roles.AGENT)
          .build();
    });
  }
}
