package io.ares.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ares.agent.rest.AgentResource;
import io.ares.agent.rest.AgentView;
import io.ares.checkpoint.rest.TaskResource;
import io.ares.checkpoint.rest.TaskViews;
import io.ares.delivery.MessageView;
import io.ares.delivery.rest.AgentFeedResource;
import io.ares.platform.ApiException;
import io.ares.platform.security.Caller;
import io.ares.reliability.ReliabilityReport;
import io.ares.reliability.rest.ReliabilityResource;
import io.ares.session.rest.AssignmentResource;
import io.ares.session.rest.SessionResource;
import io.ares.session.rest.SessionViews;
import io.quarkiverse.mcp.server.ToolManager;
import io.quarkiverse.mcp.server.ToolManager.ToolAnnotations;
import io.quarkiverse.mcp.server.ToolManager.ToolArguments;
import io.quarkiverse.mcp.server.ToolResponse;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The ARES tools of the MCP server (SPEC §9). Each tool is another door into a REST endpoint: it takes the
 * endpoint's path parameters and body from the tool's arguments and calls the endpoint's own method (same parsing,
 * same authorisation, same service, transaction, events and metrics), and its answer is the endpoint's JSON (see
 * {@link ToolResults}). Who sees which tool is {@link Audience}'s business, applied by {@link McpVisibility}.
 */
@ApplicationScoped
public class AresTools {

  /** The longest wait an MCP client may ask of {@code ares_next_assignments}: MCP clients time out at 20–60 s. */
  static final int MAX_WAIT_SECONDS = 15;
  static final int DEFAULT_WAIT_SECONDS = 10;

  static final String CHECKSUM_RULE = "checksum = lowercase hex SHA-256 of the output: of its UTF-8 bytes when the "
      + "output is a JSON string, else of its RFC 8785 canonical JSON (keys sorted, no whitespace, shortest numbers).";

  @Inject ToolManager tools;
  @Inject ToolResults results;
  @Inject ObjectMapper mapper;
  @Inject SecurityIdentity identity;
  @Inject HttpServerRequest request;
  @Inject Clock clock;

  @Inject AgentResource agentApi;
  @Inject AgentFeedResource feedApi;
  @Inject AssignmentResource assignmentApi;
  @Inject TaskResource taskApi;
  @Inject ReliabilityResource reliabilityApi;
  @Inject SessionResource sessionApi;

  /** Which callers each tool is for, by name. */
  private final Map<String, Audience> audiences = new LinkedHashMap<>();

  Audience audience(String tool) {
    return audiences.get(tool);
  }

  void register(@Observes StartupEvent start) {
    agentTools();
    sessionTools();
    agentAdminTools();
  }

  // ------------------------------------------------------------------------------------------- agent tools

  private void agentTools() {
    define("ares_heartbeat", Audience.AGENT, false, false, true,
        "Renew your lease with ARES (a sign of life). Call it at least every heartbeat_interval_seconds while you are "
            + "working on something long; polling with ares_next_assignments also counts as a sign of life. Answers "
            + "your status, lease_expires_at and pending_assignments (messages waiting for you).",
        Schemas.input().schema(),
        Schemas.of(AgentResource.HeartbeatView.class),
        (a, c) -> agentApi.heartbeat(c.name(), request.getHeader("Authorization")).map(results::success));

    define("ares_next_assignments", Audience.AGENT, false, false, false,
        "Fetch your next messages from ARES, waiting up to wait_seconds (0..15, default 10) for one to arrive. Answers "
            + "{\"messages\": [...]} (empty when nothing came). Each message has a type: 'task_delegation' (do the "
            + "task: call ares_ack with its assignment_id at once, do the work described in task, then call "
            + "ares_submit_evidence, or ares_report_failure if you cannot), 'compensation' (undo the work of that "
            + "assignment, idempotently by idempotency_key, then call ares_confirm_compensation), or 'cancellation' "
            + "(stop working on that assignment; no answer needed). A message you do not act on is delivered again "
            + "later. Call this in a loop; it shares your agent's limit of open channels with the REST long-poll and "
            + "WebSocket stream (a newer one ends the oldest with no messages).",
        Schemas.input().integer("wait_seconds", "seconds to wait for a message when none is ready, 0..15 (default 10)", false)
            .schema(),
        Schemas.wrappedList("messages", MessageView.class),
        (a, c) -> {
          String wait = a.text("wait_seconds");
          int w = wait == null ? DEFAULT_WAIT_SECONDS : io.ares.platform.Params.intParam("wait_seconds", wait, DEFAULT_WAIT_SECONDS);
          if (w < 0 || w > MAX_WAIT_SECONDS) {
            throw ApiException.validation("wait_seconds must be between 0 and " + MAX_WAIT_SECONDS);
          }
          return feedApi.poll(c.name(), Integer.toString(w), request.getHeader("Authorization"))
              .map(m -> results.wrapped("messages", m));
        });

    define("ares_ack", Audience.AGENT, false, false, true,
        "Acknowledge a task_delegation message: you accept the assignment and start working. Call it as soon as you "
            + "receive the delegation (before its deadline); unacknowledged delegations time out and go to another agent. "
            + "Answers the assignment (state ACKED).",
        Schemas.input().string("assignment_id", "the assignment_id of the task_delegation message", true).schema(),
        Schemas.of(SessionViews.AssignmentView.class),
        (a, c) -> assignmentApi.ack(a.id("assignment_id")).map(results::success));

    define("ares_submit_evidence", Audience.AGENT, false, false, false,
        "Submit the result of an acknowledged assignment as evidence. ARES validates it against the task's success "
            + "criteria and answers the verdict (accepted or rejected, with reasons). Fields: assignment_id; task_id "
            + "(the message's task_id); output (your result, any JSON value); checksum (" + CHECKSUM_RULE + "); "
            + "completion_time (RFC 3339 with offset, optional: now); metrics (optional object of numbers, e.g. "
            + "{\"latency_ms\": 120}).",
        Schemas.input()
            .string("assignment_id", "the assignment_id of the task_delegation message", true)
            .string("task_id", "the task_id of the task_delegation message", true)
            .any("output", "your result: any JSON value (string, number, object, array)", true)
            .string("checksum", CHECKSUM_RULE, true)
            .string("completion_time", "when you finished, RFC 3339 with an offset, e.g. 2026-01-31T12:00:00Z (optional: now)", false)
            .object("metrics", "optional numeric measurements, e.g. {\"latency_ms\": 120, \"tokens\": 512}", false)
            .schema(),
        Schemas.anyObject(),
        (a, c) -> {
          ObjectNode body = a.body("assignment_id");
          if (!a.has("completion_time")) {
            body.put("completion_time", clock.instant().toString());
          }
          return assignmentApi.evidence(a.id("assignment_id"), body).map(results::success);
        });

    define("ares_report_failure", Audience.AGENT, false, true, false,
        "Report that you cannot complete an acknowledged assignment (give up the task). ARES may hand it to another "
            + "agent; it counts against your reliability. code: a short machine-readable reason (1..64 characters, "
            + "e.g. TOOL_UNAVAILABLE); message: optional explanation (at most 4000 characters). Answers the assignment.",
        Schemas.input()
            .string("assignment_id", "the assignment you give up", true)
            .string("code", "short reason code, 1..64 characters", true)
            .string("message", "optional explanation, at most 4000 characters", false)
            .schema(),
        Schemas.of(SessionViews.AssignmentView.class),
        (a, c) -> assignmentApi.failure(a.id("assignment_id"),
                mapper.treeToValue(a.body("assignment_id"), AssignmentResource.FailureBody.class))
            .map(results::success));

    define("ares_confirm_compensation", Audience.AGENT, false, false, true,
        "Answer a 'compensation' message after undoing the work of that assignment: ok true when it is undone (or "
            + "there was nothing to undo), ok false when you could not undo it (an operator will look). detail: "
            + "optional explanation (at most 4000 characters). Answers the assignment.",
        Schemas.input()
            .string("assignment_id", "the assignment_id of the compensation message", true)
            .bool("ok", "true when the work is undone, false when it could not be", true)
            .string("detail", "optional explanation, at most 4000 characters", false)
            .schema(),
        Schemas.of(SessionViews.AssignmentView.class),
        (a, c) -> assignmentApi.compensated(a.id("assignment_id"),
                mapper.treeToValue(a.body("assignment_id"), AssignmentResource.CompensatedBody.class))
            .map(results::success));

    define("ares_put_task_state", Audience.AGENT, false, true, true,
        "Replace the saved state of one of your tasks (a JSON object, e.g. your progress) so that work can resume "
            + "after a crash; checkpoint it with ares_checkpoint. Overwrites the previous state. Refused (422) when "
            + "the task's schema rejects it.",
        Schemas.input()
            .string("task_id", "the task_id of your assignment", true)
            .object("state", "the task's new state, a JSON object", true)
            .schema(),
        Schemas.of(TaskViews.StateView.class),
        (a, c) -> taskApi.putState(a.id("task_id"), mapper.treeToValue(a.body("task_id"), TaskViews.StateBody.class))
            .map(results::success));

    define("ares_checkpoint", Audience.AGENT, false, false, false,
        "Checkpoint the current state of one of your tasks (set with ares_put_task_state): a snapshot chained by hash "
            + "to the previous one, which ares_rollback can restore. An identical state answers the latest checkpoint.",
        Schemas.input().string("task_id", "the task_id of your assignment", true).schema(),
        Schemas.of(TaskViews.CheckpointView.class),
        (a, c) -> taskApi.checkpoint(a.id("task_id")).map(results::success));

    define("ares_rollback", Audience.AGENT, false, true, false,
        "Restore one of your tasks' state from a checkpoint (the newest, or checkpoint_id), after ARES verified it; "
            + "the current state is overwritten. reason: optional, why.",
        Schemas.input()
            .string("task_id", "the task_id of your assignment", true)
            .string("checkpoint_id", "optional: the checkpoint to restore (default: the newest)", false)
            .string("reason", "optional: why you roll back", false)
            .schema(),
        Schemas.of(TaskViews.RollbackView.class),
        (a, c) -> taskApi.rollback(a.id("task_id"), mapper.treeToValue(a.body("task_id"), TaskViews.RollbackBody.class))
            .map(results::success));

    define("ares_my_reliability", Audience.AGENT, true, false, true,
        "Your reliability analysis as ARES sees it: success rate, response-time trend, completion pattern, "
            + "anomalies and reliability_score (0..1; a low score can get you quarantined).",
        Schemas.input().schema(),
        Schemas.of(ReliabilityReport.class),
        (a, c) -> reliabilityApi.reliability(c.name()).map(results::success));
  }

  // ----------------------------------------------------------------------------------------- session tools

  private void sessionTools() {
    define("ares_create_session", Audience.COORDINATOR, false, false, false,
        "Create a coordination session: a task delegated to agents, named (agent_ids) or chosen by capability "
            + "(capability + count). The task is an object with type (required), input, success_criteria, "
            + "completion_timeout_seconds, retry. quorum: how many must succeed (default all). deadline_seconds, "
            + "queue_timeout_seconds, priority: optional. idempotency_key: the same key with the same arguments "
            + "answers the first session instead of creating another. A coordinator agent coordinates as itself.",
        Schemas.input()
            .object("task", "the task: {\"type\": ..., \"input\": ..., \"success_criteria\": ..., "
                + "\"completion_timeout_seconds\": ..., \"retry\": ...}", true)
            .prop("agent_ids", new JsonObject().put("type", "array").put("items", new JsonObject().put("type", "string"))
                .put("description", "the agents to delegate to (or give capability and count)"), false)
            .string("capability", "a capability the chosen agents must have (with count)", false)
            .integer("count", "how many agents to choose by capability, 1..1000", false)
            .integer("quorum", "how many assignments must succeed (default: all)", false)
            .integer("deadline_seconds", "optional deadline of the whole session, 1..2592000", false)
            .integer("queue_timeout_seconds", "optional: how long the session may wait in the queue", false)
            .integer("priority", "optional priority in the queue", false)
            .string("coordinator_id", "optional: for an agent, its own id", false)
            .string("idempotency_key", "optional: makes a retried creation safe (1..200 characters)", false)
            .schema(),
        Schemas.of(SessionViews.SessionView.class),
        (a, c) -> sessionApi.create(a.body("idempotency_key"), a.text("idempotency_key")).map(results::success));

    define("ares_list_sessions", Audience.STAFF, true, false, true,
        "List coordination sessions, newest first, paged (page from 0, size 1..500, default 50); filter by state "
            + "(e.g. RUNNING, COMPLETED, FAILED, COMPENSATING), agent_id, since (RFC 3339).",
        Schemas.input()
            .string("state", "optional session state filter", false)
            .string("agent_id", "optional: sessions this agent takes part in", false)
            .string("since", "optional: created at or after this instant (RFC 3339)", false)
            .integer("page", "page number from 0", false)
            .integer("size", "page size 1..500 (default 50)", false)
            .schema(),
        Schemas.page(SessionViews.SessionView.class),
        (a, c) -> sessionApi.list(a.text("state"), a.text("agent_id"), a.text("since"), a.text("page"), a.text("size"))
            .map(results::success));

    define("ares_get_session", Audience.STAFF_OR_COORDINATOR, true, false, true,
        "A coordination session with its state and assignments (a coordinator agent reads its own sessions).",
        Schemas.input().string("session_id", "the session's id", true).schema(),
        Schemas.of(SessionViews.SessionView.class),
        (a, c) -> sessionApi.get(a.id("session_id")).map(results::success));

    define("ares_session_events", Audience.STAFF, true, false, true,
        "A session's timeline (state changes of the session and its assignments), oldest first, paged.",
        Schemas.input()
            .string("session_id", "the session's id", true)
            .integer("page", "page number from 0", false)
            .integer("size", "page size 1..500 (default 50)", false)
            .schema(),
        Schemas.page(SessionViews.EventView.class),
        (a, c) -> sessionApi.events(a.id("session_id"), a.text("page"), a.text("size")).map(results::success));

    define("ares_cancel_session", Audience.OPERATOR_OR_COORDINATOR, false, true, false,
        "Cancel a coordination session: open assignments are cancelled and completed work is compensated (undone) "
            + "by the agents. Irreversible. reason: optional (at most 2000 characters).",
        Schemas.input()
            .string("session_id", "the session's id", true)
            .string("reason", "optional: why (at most 2000 characters)", false)
            .schema(),
        Schemas.of(SessionViews.SessionView.class),
        (a, c) -> sessionApi.cancel(a.id("session_id"),
                mapper.treeToValue(a.body("session_id"), SessionResource.ReasonBody.class))
            .map(results::success));

    define("ares_retry_compensation", Audience.OPERATOR, false, false, false,
        "Retry the failed compensations of a COMPENSATION_FAILED session (it goes back to COMPENSATING).",
        Schemas.input().string("session_id", "the session's id", true).schema(),
        Schemas.of(SessionViews.SessionView.class),
        (a, c) -> sessionApi.retryCompensation(a.id("session_id")).map(results::success));
  }

  // ----------------------------------------------------------------------------------- agent administration

  private void agentAdminTools() {
    define("ares_list_agents", Audience.STAFF, true, false, true,
        "List registered agents, paged (page from 0, size 1..500); filter by status (e.g. ACTIVE, QUARANTINED) and "
            + "capability.",
        Schemas.input()
            .string("status", "optional agent status filter", false)
            .string("capability", "optional: agents with this capability", false)
            .integer("page", "page number from 0", false)
            .integer("size", "page size 1..500 (default 50)", false)
            .schema(),
        Schemas.page(AgentView.class),
        (a, c) -> agentApi.list(a.text("status"), a.text("capability"), a.text("page"), a.text("size"))
            .map(results::success));

    define("ares_get_agent", Audience.STAFF, true, false, true,
        "An agent's detail: capabilities, status, lease, reliability_score, open assignments, grants.",
        Schemas.input().string("agent_id", "the agent's id", true).schema(),
        Schemas.of(AgentView.class),
        (a, c) -> agentApi.get(a.id("agent_id")).map(results::success));

    define("ares_quarantine_agent", Audience.OPERATOR, false, true, true,
        "Quarantine an agent by hand: it gets no new work until released. reason is required (at most 2000 "
            + "characters).",
        Schemas.input()
            .string("agent_id", "the agent's id", true)
            .string("reason", "why (required, at most 2000 characters)", true)
            .schema(),
        Schemas.of(AgentView.class),
        (a, c) -> agentApi.quarantine(a.id("agent_id"),
                mapper.treeToValue(a.body("agent_id"), AgentResource.ReasonBody.class))
            .map(results::success));

    define("ares_release_agent", Audience.OPERATOR, false, false, true,
        "Release a quarantined agent so that it may receive work again. reason is required (at most 2000 "
            + "characters).",
        Schemas.input()
            .string("agent_id", "the agent's id", true)
            .string("reason", "why (required, at most 2000 characters)", true)
            .schema(),
        Schemas.of(AgentView.class),
        (a, c) -> agentApi.release(a.id("agent_id"),
                mapper.treeToValue(a.body("agent_id"), AgentResource.ReasonBody.class))
            .map(results::success));
  }

  // ------------------------------------------------------------------------------------------------ plumbing

  /** A tool's work: from its arguments and caller to the REST endpoint's answer. May throw. */
  @FunctionalInterface
  interface Work extends BiFunction<ToolArgs, Caller, Uni<ToolResponse>> {
    Uni<ToolResponse> call(ToolArgs args, Caller caller) throws Exception;

    @Override
    default Uni<ToolResponse> apply(ToolArgs args, Caller caller) {
      try {
        return call(args, caller);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new java.util.concurrent.CompletionException(e);
      }
    }
  }

  private void define(String name, Audience audience, boolean readOnly, boolean destructive, boolean idempotent,
      String description, JsonObject input, JsonObject output, Work work) {
    audiences.put(name, audience);
    tools.newTool(name)
        .setDescription(description)
        .setInputSchema(input)
        .setOutputSchema(output)
        .setAnnotations(new ToolAnnotations(null, readOnly, destructive && !readOnly, idempotent, false))
        .setAsyncHandler(call -> Uni.createFrom()
            .deferred(() -> work.apply(ToolArgs.of(call, mapper), Caller.of(identity)))
            .onFailure().recoverWithItem(results::failure))
        .register();
  }
}
