package io.ares.platform.db;

import static io.ares.platform.db.DatabaseChoice.Mode.DEV;
import static io.ares.platform.db.DatabaseChoice.Mode.PACKAGED;
import static io.ares.platform.db.DatabaseChoice.Mode.TEST;
import static org.assertj.core.api.Assertions.assertThat;

import io.ares.platform.db.DatabaseChoice.Mode;
import io.quarkus.runtime.LaunchMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The start-up database rule of SPEC §1, case by case. */
class DatabaseChoiceTest {

  static final Optional<Boolean> AUTO = Optional.empty();

  static DatabaseChoice decide(Mode mode, boolean url, Optional<Boolean> embedded, boolean docker, boolean k8s) {
    return DatabaseChoice.decide(mode, url, embedded, true, docker, k8s, false);
  }

  @Test
  void a_configured_url_always_wins() {
    for (Mode mode : Mode.values()) {
      assertThat(decide(mode, true, AUTO, false, false)).isEqualTo(DatabaseChoice.CONFIGURED);
      assertThat(decide(mode, true, Optional.of(true), true, true)).isEqualTo(DatabaseChoice.CONFIGURED);
    }
  }

  @Test
  void dev_mode_and_tests_leave_it_to_dev_services_where_a_container_runtime_exists() {
    assertThat(decide(DEV, false, AUTO, true, false)).isEqualTo(DatabaseChoice.DEV_SERVICES);
    assertThat(decide(TEST, false, AUTO, true, false)).isEqualTo(DatabaseChoice.DEV_SERVICES);
  }

  @Test
  void a_bare_machine_gets_the_embedded_database_in_dev_mode_tests_and_the_packaged_jar() {
    assertThat(decide(DEV, false, AUTO, false, false)).isEqualTo(DatabaseChoice.EMBEDDED);
    assertThat(decide(TEST, false, AUTO, false, false)).isEqualTo(DatabaseChoice.EMBEDDED);
    assertThat(decide(PACKAGED, false, AUTO, false, false)).isEqualTo(DatabaseChoice.EMBEDDED);
    // the packaged jar never uses Dev Services, so a container runtime changes nothing
    assertThat(decide(PACKAGED, false, AUTO, true, false)).isEqualTo(DatabaseChoice.EMBEDDED);
  }

  @Test
  void dev_services_turned_off_means_the_embedded_database_even_with_a_container_runtime() {
    assertThat(DatabaseChoice.decide(TEST, false, AUTO, false, true, false, false)).isEqualTo(DatabaseChoice.EMBEDDED);
  }

  @Test
  void a_pod_without_a_url_refuses_to_start_unless_told_otherwise() {
    assertThat(decide(PACKAGED, false, AUTO, false, true)).isEqualTo(DatabaseChoice.REFUSE);
    assertThat(decide(PACKAGED, false, Optional.of(true), false, true)).isEqualTo(DatabaseChoice.EMBEDDED);
    // tests and dev mode in a CI pod are not a deployment
    assertThat(decide(TEST, false, AUTO, false, true)).isEqualTo(DatabaseChoice.EMBEDDED);
  }

  @Test
  void ares_embedded_db_true_forces_it_and_false_turns_it_off() {
    assertThat(decide(DEV, false, Optional.of(true), true, false)).isEqualTo(DatabaseChoice.EMBEDDED);
    for (Mode mode : Mode.values()) {
      assertThat(decide(mode, false, Optional.of(false), false, false)).isEqualTo(DatabaseChoice.OFF);
    }
  }

  @Test
  void building_the_packaged_application_starts_nothing() {
    assertThat(DatabaseChoice.decide(PACKAGED, false, AUTO, true, false, false, true)).isEqualTo(DatabaseChoice.BUILDING);
    // dev mode and tests always run with Quarkus' build classes present
    assertThat(DatabaseChoice.decide(TEST, false, AUTO, true, false, false, true)).isEqualTo(DatabaseChoice.EMBEDDED);
  }

  @Test
  void the_mode_comes_from_the_profiles_and_the_data_folder_from_the_mode() {
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of("test"), LaunchMode.NORMAL)).isEqualTo(TEST);
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of("dev"), LaunchMode.NORMAL)).isEqualTo(DEV);
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of("prod"), LaunchMode.NORMAL)).isEqualTo(PACKAGED);
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of("staging"), LaunchMode.NORMAL)).isEqualTo(PACKAGED);
    // a test profile of its own is still a test
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of("mine"), LaunchMode.TEST)).isEqualTo(TEST);
    assertThat(EmbeddedDatabaseConfigSourceFactory.mode(List.of(), LaunchMode.DEVELOPMENT)).isEqualTo(DEV);
    assertThat(EmbeddedDatabaseConfigSourceFactory.dataDirectory(DEV, Optional.empty()))
        .isEqualTo(Path.of("target", "ares-dev-db"));
    assertThat(EmbeddedDatabaseConfigSourceFactory.dataDirectory(PACKAGED, Optional.empty()))
        .isEqualTo(Path.of("ares-data"));
    assertThat(EmbeddedDatabaseConfigSourceFactory.dataDirectory(TEST, Optional.empty())).isNull();
    assertThat(EmbeddedDatabaseConfigSourceFactory.dataDirectory(TEST, Optional.of("/tmp/x"))).isEqualTo(Path.of("/tmp/x"));
  }
}
