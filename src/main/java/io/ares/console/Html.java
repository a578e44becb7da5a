package io.ares.console;

import io.ares.platform.ApiException;
import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.OptimisticLockException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/** Rendering of console pages: templates rendered without blocking, failures shown as HTML pages. */
final class Html {

  private static final Logger LOG = Logger.getLogger(Html.class);

  static final String TYPE = "text/html;charset=UTF-8";

  private Html() {}

  static Uni<Response> render(TemplateInstance template, int status) {
    return template.createUni().map(html -> Response.status(status).type(TYPE).entity(html).build());
  }

  static Uni<Response> render(TemplateInstance template) {
    return render(template, 200);
  }

  /**
   * Runs a page's work (synchronous throws included) and turns a failure into an error page with the failure's
   * status: 403 for a viewer's action, 404 for an unknown id, 409 for a transition the machine refuses.
   */
  static Uni<Response> page(ConsoleUser user, Supplier<Uni<? extends Response>> work) {
    return Uni.createFrom().<Response>deferred(work).onFailure().recoverWithUni(t -> error(user, t));
  }

  static Uni<Response> error(ConsoleUser user, Throwable t) {
    int status;
    String message;
    if (t instanceof ApiException e) {
      status = e.status();
      message = e.getMessage();
    } else if (isConflict(t)) {
      status = 409;
      message = "Someone else changed this at the same moment. Reload the page and try again.";
    } else {
      LOG.error("console page failed", t);
      status = 500;
      message = "The page could not be shown because of an internal error.";
    }
    return render(ConsoleTemplates.error(user, status, title(status), message), status);
  }

  private static boolean isConflict(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof OptimisticLockException || c.getClass().getSimpleName().contains("StaleState")) {
        return true;
      }
    }
    return false;
  }

  static String title(int status) {
    return switch (status) {
      case 400 -> "That request is not valid";
      case 403 -> "Not allowed";
      case 404 -> "Not found";
      case 409 -> "Not possible now";
      default -> "Something went wrong";
    };
  }

  /** Whether the request was sent by htmx (a boosted form that already asked for confirmation). */
  static boolean htmx(HttpHeaders headers) {
    return "true".equals(headers.getHeaderString("HX-Request"));
  }

  /** After an action: htmx navigates with HX-Redirect, a plain form follows a 303 (post/redirect/get). */
  static Response redirectAfterPost(HttpHeaders headers, String location) {
    if (htmx(headers)) {
      return Response.ok().header("HX-Redirect", location).build();
    }
    return Response.status(303).header("Location", location).build();
  }
}
