package io.ares.mcp;

import io.quarkiverse.mcp.server.FilterContext;
import io.quarkiverse.mcp.server.PromptFilter;
import io.quarkiverse.mcp.server.PromptManager.PromptInfo;
import io.quarkiverse.mcp.server.ResourceTemplateFilter;
import io.quarkiverse.mcp.server.ResourceTemplateManager.ResourceTemplateInfo;
import io.quarkiverse.mcp.server.ToolFilter;
import io.quarkiverse.mcp.server.ToolManager.ToolInfo;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/**
 * Each caller sees (tools/list) and may call only its own tools (SPEC §9): a tool a caller does not see is, for the
 * extension, a tool that does not exist, so calling it answers the JSON-RPC error of an unknown tool. Resource
 * templates are for every authenticated caller (reading one checks access like REST); the agent loop prompt is for
 * agents.
 */
@Singleton
public class McpVisibility implements ToolFilter, ResourceTemplateFilter, PromptFilter {

  @Inject AresTools tools;
  @Inject CurrentIdentityAssociation identities;

  @Override
  public boolean test(ToolInfo tool, FilterContext context) {
    Audience audience = tools.audience(tool.name());
    return audience != null && audience.admits(caller());
  }

  @Override
  public boolean test(ResourceTemplateInfo template, FilterContext context) {
    McpCaller c = caller();
    return c.agent() || c.operator() || c.viewer();
  }

  @Override
  public boolean test(PromptInfo prompt, FilterContext context) {
    return !AresPrompts.AGENT_LOOP.equals(prompt.name()) || caller().agent();
  }

  private McpCaller caller() {
    // The transport has set the request's identity, resolved when /mcp's permission authenticated it.
    SecurityIdentity identity = identities.getIdentity();
    return McpCaller.of(identity);
  }
}
