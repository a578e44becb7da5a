package io.ares.mcp;

import io.quarkiverse.mcp.server.Prompt;
import io.quarkiverse.mcp.server.PromptMessage;
import io.quarkiverse.mcp.server.TextContent;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

/** The {@code ares_agent_loop} prompt (SPEC §9): how an agent works with ARES through the tools. For agents only. */
@Singleton
public class AresPrompts {

  static final String AGENT_LOOP = "ares_agent_loop";

  @Inject SecurityIdentity identity;

  @Prompt(name = AGENT_LOOP, description = "How to work as an ARES agent: poll, acknowledge, work, submit evidence "
      + "with its checksum, and compensate.")
  PromptMessage agentLoop() {
    return PromptMessage.withUserRole(new TextContent(text(identity.getPrincipal().getName())));
  }

  static String text(String agentId) {
    return """
        You are agent %s of ARES, a coordination engine that hands tasks to agents and checks their work. Work in a loop:

        1. Call ares_next_assignments (wait_seconds up to 15). It answers {"messages": [...]}; an empty list means \
        nothing came: call it again. Polling also renews your lease; during long work call ares_heartbeat at least \
        every heartbeat interval.
        2. For each message, by its type:
           - task_delegation: call ares_ack with its assignment_id at once (before its deadline), then do the work \
        its task describes (task.type, task.input; task.success_criteria says what a good output is). Then call \
        ares_submit_evidence with assignment_id, task_id, output (your result, any JSON value), checksum and, \
        optionally, metrics (numbers). If you cannot do it, call ares_report_failure with a short code instead.
           - compensation: undo the work you did for that assignment, idempotently (the idempotency_key names the \
        undo; doing it twice must be harmless), then call ares_confirm_compensation with ok true, or ok false and \
        a detail when you could not undo it.
           - cancellation: stop working on that assignment; no answer is needed.
        3. The checksum: lowercase hex SHA-256 of the output. When the output is a JSON string, hash its UTF-8 \
        bytes; otherwise hash its RFC 8785 canonical JSON (object keys sorted, no whitespace, numbers in their \
        shortest form), e.g. the output {"b": 1, "a": "x"} is hashed as {"a":"x","b":1}.
        4. Long work: save progress with ares_put_task_state and ares_checkpoint; ares_rollback restores the last \
        checkpoint.
        5. Every refusal is a tool result with isError true and a problem: read its code and detail (and errors), \
        correct the call and try again; do not repeat an identical refused call. ares_my_reliability shows how ARES \
        rates you: failures, late answers and rejected evidence lower your score and can get you quarantined.
        """.formatted(agentId);
  }
}
