package io.ares.platform.db;

import java.util.Optional;

/**
 * Which database ARES uses when it starts, as a pure rule (SPEC §1): a configured URL always wins; in dev mode and
 * tests Quarkus Dev Services wins where a container runtime exists; otherwise an embedded PostgreSQL — except for the
 * packaged application inside Kubernetes, which refuses to start rather than run a private database per replica
 * (unless {@code ARES_EMBEDDED_DB=true} says that is wanted).
 */
public enum DatabaseChoice {
  /** A datasource URL is configured: ARES uses it and does nothing else. */
  CONFIGURED,
  /** Dev mode or tests with a container runtime: Quarkus Dev Services starts a throw-away PostgreSQL. */
  DEV_SERVICES,
  /** The embedded PostgreSQL is turned off ({@code ARES_EMBEDDED_DB=false}): Quarkus decides, and fails if it must. */
  OFF,
  /** The packaged application is being built, not run: nothing to start. */
  BUILDING,
  /** Start the embedded PostgreSQL. */
  EMBEDDED,
  /** The packaged application inside Kubernetes with no URL: refuse to start. */
  REFUSE;

  /** How ARES was started. */
  public enum Mode {
    DEV,
    TEST,
    /** The packaged application ({@code java -jar}), or any profile other than dev and test. */
    PACKAGED
  }

  /**
   * @param mode how ARES was started
   * @param urlConfigured whether {@code quarkus.datasource.reactive.url} is set anywhere
   * @param embedded {@code ares.embedded-db}: empty for the automatic choice, true to use the embedded database
   *     whenever no URL is configured, false never to
   * @param devServicesEnabled whether Quarkus Dev Services for the datasource are left on
   * @param containerRuntime whether a container runtime (Docker, Podman) was found
   * @param inKubernetes whether {@code KUBERNETES_SERVICE_HOST} is set
   * @param building whether this is the build of the packaged application (Quarkus' deployment classes present)
   */
  public static DatabaseChoice decide(
      Mode mode,
      boolean urlConfigured,
      Optional<Boolean> embedded,
      boolean devServicesEnabled,
      boolean containerRuntime,
      boolean inKubernetes,
      boolean building) {
    if (urlConfigured) {
      return CONFIGURED;
    }
    if (embedded.isPresent() && !embedded.get()) {
      return OFF;
    }
    boolean forced = embedded.orElse(false);
    if (mode == Mode.PACKAGED) {
      if (building) {
        return BUILDING;
      }
      return forced || !inKubernetes ? EMBEDDED : REFUSE;
    }
    if (!forced && devServicesEnabled && containerRuntime) {
      return DEV_SERVICES;
    }
    return EMBEDDED;
  }
}
