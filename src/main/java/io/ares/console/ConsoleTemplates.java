package io.ares.console;

import io.ares.console.ConsoleViews.AgentDetail;
import io.ares.console.ConsoleViews.AgentList;
import io.ares.console.ConsoleViews.Confirm;
import io.ares.console.ConsoleViews.Dashboard;
import io.ares.console.ConsoleViews.SessionDetail;
import io.ares.console.ConsoleViews.SessionList;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

/**
 * The console's typed Qute templates, in {@code ui-templates/templates/console/}. A method named
 * {@code page$live} renders only the {@code live} fragment of {@code page}: the part htmx polls.
 */
@CheckedTemplate(basePath = "console")
public final class ConsoleTemplates {

  private ConsoleTemplates() {}

  public static native TemplateInstance login(String error, String notice);

  public static native TemplateInstance dashboard(ConsoleUser user, Dashboard d);

  public static native TemplateInstance dashboard$live(Dashboard d);

  public static native TemplateInstance sessions(ConsoleUser user, SessionList list);

  public static native TemplateInstance session(ConsoleUser user, SessionDetail detail);

  public static native TemplateInstance session$live(SessionDetail detail);

  public static native TemplateInstance agents(ConsoleUser user, AgentList list);

  public static native TemplateInstance agents$live(AgentList list);

  public static native TemplateInstance agent(ConsoleUser user, AgentDetail detail);

  public static native TemplateInstance agent$live(AgentDetail detail);

  public static native TemplateInstance confirm(ConsoleUser user, Confirm c);

  public static native TemplateInstance token(ConsoleUser user, String agentId, String agentHref, String token);

  public static native TemplateInstance value(ConsoleUser user, String title, String backHref, String text);

  public static native TemplateInstance error(ConsoleUser user, int status, String title, String message);
}
