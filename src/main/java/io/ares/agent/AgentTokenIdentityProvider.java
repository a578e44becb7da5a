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

/** Resolves a bearer token to its agent by one index probe on the token's SHA-256; deregistered agents fail. */
@ApplicationScoped
public class AgentTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

  public static final String AGENT_STATUS = "ares.agent.status";

  @Inject Pool pool;

  @Override
  public Class<TokenAuthenticationRequest> getRequestType() {
    return TokenAuthenticationRequest.class;
  }

  /** The live agent a token belongs to, or null. */
  public Uni<String> agentFor(String token) {
    return pool.preparedQuery("SELECT agent_id FROM agent WHERE token_hash = $1 AND status <> 'DEREGISTERED'")
        .execute(Tuple.of(Buffer.buffer(AgentService.tokenHash(token))))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("agent_id"));
  }

  @Override
  public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
    byte[] hash = AgentService.tokenHash(request.getToken().getToken());
    return pool.preparedQuery("SELECT agent_id, status FROM agent WHERE token_hash = $1 AND status <> 'DEREGISTERED'")
        .execute(Tuple.of(Buffer.buffer(hash)))
        .map(rows -> {
          RowIterator<Row> it = rows.iterator();
          if (!it.hasNext()) {
            throw new AuthenticationFailedException();
          }
          Row r = it.next();
          return (SecurityIdentity) QuarkusSecurityIdentity.builder()
              .setPrincipal(new QuarkusPrincipal(r.getString("agent_id")))
              .addRole(Roles.AGENT)
              .addAttribute(AGENT_STATUS, r.getString("status"))
              .build();
        });
  }
}
