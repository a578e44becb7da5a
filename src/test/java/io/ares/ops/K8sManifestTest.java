package io.ares.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checks the kustomize tree under {@code k8s/} without a cluster: every YAML document is parsed
 * (multi-document aware) and the Deployment, Service, Secret template, PodDisruptionBudget,
 * HorizontalPodAutoscaler and both database overlays are checked against each other, against
 * {@code application.properties} and against {@code src/main/docker/Dockerfile.jvm}.
 *
 * <p>Plain JUnit: no Quarkus application or database is started.
 */
class K8sManifestTest {

  private static final Path PROJECT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
  private static final Path K8S = PROJECT.resolve("k8s");
  private static final Path BASE = K8S.resolve("base");
  private static final Path OVERLAYS = K8S.resolve("overlays");
  /** Optional kustomize components an overlay opts into (the ServiceMonitor). */
  private static final Path COMPONENTS = K8S.resolve("components");
  private static final String PLACEHOLDER = "CHANGE_ME";
  private static final List<String> SECRET_KEYS = List.of(
      "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD", "ARES_ADMIN_USER", "ARES_ADMIN_PASSWORD");

  /** One YAML document and the file it came from. */
  record Doc(Path file, JsonNode node) {
    String kind() {
      return node.path("kind").asText();
    }

    String name() {
      return node.path("metadata").path("name").asText();
    }

    @Override
    public String toString() {
      return kind() + "/" + name() + " in " + K8S.relativize(file);
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static List<Doc> docs;
  /** Files some kustomization lists under {@code resources}: what `kubectl apply -k` creates. */
  private static Set<Path> appliedFiles;
  /** Files some kustomization lists as patches. */
  private static Set<Path> patchFiles;

  @BeforeAll
  static void load_every_yaml_document_under_k8s() throws IOException {
    assertThat(K8S).as("k8s/ directory (tests run from the project directory)").isDirectory();
    docs = new ArrayList<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path f : files.filter(K8sManifestTest::isYaml).sorted().toList()) {
        docs.addAll(parse(f));
      }
    }
    appliedFiles = new LinkedHashSet<>();
    patchFiles = new LinkedHashSet<>();
    for (Doc k : kustomizations()) {
      Path dir = k.file().getParent();
      for (String entry : texts(k.node().path("resources"))) {
        Path p = dir.resolve(entry).normalize();
        if (Files.isRegularFile(p)) {
          appliedFiles.add(p);
        }
      }
      for (String entry : patchPaths(k.node())) {
        patchFiles.add(dir.resolve(entry).normalize());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The tree itself
  // ---------------------------------------------------------------------------------------------

  @Test
  void every_yaml_document_under_k8s_names_its_api_version_kind_and_name() {
    assertThat(docs).as("YAML documents under k8s/").hasSizeGreaterThanOrEqualTo(8);
    for (Doc d : docs) {
      assertThat(d.node().path("apiVersion").asText()).as("apiVersion of " + d).isNotBlank();
      assertThat(d.kind()).as("kind in " + K8S.relativize(d.file())).isNotBlank();
      if (!d.kind().equals("Kustomization") && !d.kind().equals("Component")) {
        assertThat(d.name()).as("metadata.name of " + d).isNotBlank();
      }
    }
  }

  @Test
  void the_base_and_both_overlays_are_kustomizations() {
    assertThat(BASE.resolve("kustomization.yaml")).isRegularFile();
    assertThat(OVERLAYS.resolve("cnpg/kustomization.yaml")).isRegularFile();
    assertThat(OVERLAYS.resolve("external-db/kustomization.yaml")).isRegularFile();
    for (Doc k : kustomizations()) {
      if (k.file().startsWith(COMPONENTS)) {
        assertThat(k.node().path("apiVersion").asText()).as(k.toString())
            .isEqualTo("kustomize.config.k8s.io/v1alpha1");
        assertThat(k.kind()).as(k.toString()).isEqualTo("Component");
        continue;
      }
      assertThat(k.node().path("apiVersion").asText()).as(k.toString())
          .isEqualTo("kustomize.config.k8s.io/v1beta1");
      assertThat(k.kind()).as(k.toString()).isEqualTo("Kustomization");
    }
  }

  @Test
  void every_kustomization_lists_only_resources_and_patches_that_exist_on_disk() {
    List<Doc> ks = kustomizations();
    assertThat(ks).hasSizeGreaterThanOrEqualTo(3);
    for (Doc k : ks) {
      Path dir = k.file().getParent();
      List<String> resources = texts(k.node().path("resources"));
      assertThat(resources).as("resources of " + K8S.relativize(k.file())).isNotEmpty();
      for (String entry : resources) {
        Path p = dir.resolve(entry).normalize();
        assertThat(Files.isRegularFile(p) || Files.isRegularFile(p.resolve("kustomization.yaml")))
            .as("%s lists resource %s: a file, or a directory with a kustomization.yaml", K8S.relativize(k.file()), entry)
            .isTrue();
      }
      for (String entry : patchPaths(k.node())) {
        assertThat(dir.resolve(entry).normalize())
            .as("%s lists patch %s", K8S.relativize(k.file()), entry)
            .isRegularFile();
      }
    }
  }

  @Test
  void each_overlay_builds_on_the_base_and_patches_only_resources_the_base_declares() {
    for (String overlay : List.of("cnpg", "external-db")) {
      Path k = OVERLAYS.resolve(overlay).resolve("kustomization.yaml");
      Doc kd = docs.stream().filter(d -> d.file().equals(k)).findFirst().orElseThrow();
      assertThat(texts(kd.node().path("resources"))).as(overlay + " resources").contains("../../base");
      List<String> patches = patchPaths(kd.node());
      assertThat(patches).as(overlay + " patches").isNotEmpty();
      for (String p : patches) {
        for (Doc patch : docsIn(k.getParent().resolve(p).normalize())) {
          assertThat(applied().stream().filter(d -> d.file().startsWith(BASE))
                  .anyMatch(d -> d.kind().equals(patch.kind()) && d.name().equals(patch.name())))
              .as("%s patches %s/%s, which the base must declare", overlay, patch.kind(), patch.name())
              .isTrue();
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Deployment
  // ---------------------------------------------------------------------------------------------

  @Test
  void the_deployment_runs_at_least_two_replicas() {
    assertThat(deployment().node().path("spec").path("replicas").asInt(0)).isGreaterThanOrEqualTo(2);
  }

  @Test
  void the_container_port_is_the_applications_http_port() throws IOException {
    int appPort = applicationHttpPort();
    assertThat(containerPort()).as("container port named http").isEqualTo(appPort);
    // The port the app really listens on in the cluster may be overridden by the environment.
    for (Doc cm : all("ConfigMap")) {
      JsonNode p = cm.node().path("data").path("QUARKUS_HTTP_PORT");
      if (!p.isMissingNode()) {
        assertThat(Integer.parseInt(p.asText())).as("QUARKUS_HTTP_PORT in " + cm).isEqualTo(containerPort());
      }
    }
    for (JsonNode env : container().path("env")) {
      if (env.path("name").asText().equals("QUARKUS_HTTP_PORT")) {
        assertThat(Integer.parseInt(env.path("value").asText())).as("QUARKUS_HTTP_PORT env").isEqualTo(containerPort());
      }
    }
  }

  @Test
  void the_management_port_is_declared_and_is_the_applications_management_port() throws IOException {
    int appPort = applicationPort("quarkus.management.port", 9000);
    assertThat(managementPort()).as("container port named management").isEqualTo(appPort)
        .isNotEqualTo(containerPort());
    for (Doc cm : all("ConfigMap")) {
      JsonNode p = cm.node().path("data").path("QUARKUS_MANAGEMENT_PORT");
      if (!p.isMissingNode()) {
        assertThat(Integer.parseInt(p.asText())).as("QUARKUS_MANAGEMENT_PORT in " + cm).isEqualTo(managementPort());
      }
    }
    for (JsonNode env : container().path("env")) {
      if (env.path("name").asText().equals("QUARKUS_MANAGEMENT_PORT")) {
        assertThat(Integer.parseInt(env.path("value").asText())).as("QUARKUS_MANAGEMENT_PORT env")
            .isEqualTo(managementPort());
      }
    }
  }

  @Test
  void the_three_probes_hit_the_quarkus_health_endpoints_on_the_management_port() {
    // With the management interface on, the public port answers 404 for /q/health: a probe there would
    // restart every pod.
    Map<String, String> expected = Map.of(
        "livenessProbe", "/q/health/live",
        "readinessProbe", "/q/health/ready",
        "startupProbe", "/q/health/started");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      JsonNode get = container().path(e.getKey()).path("httpGet");
      assertThat(get.isObject()).as(e.getKey() + ".httpGet").isTrue();
      assertThat(get.path("path").asText()).as(e.getKey() + " path").isEqualTo(e.getValue());
      assertThat(resolvePort(get.path("port"))).as(e.getKey() + " port").isEqualTo(managementPort());
    }
  }

  @Test
  void the_prometheus_annotations_point_at_metrics_on_the_management_port() {
    JsonNode annotations = deployment().node().path("spec").path("template").path("metadata").path("annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/q/metrics");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(managementPort()));
  }

  @Test
  void every_container_sets_resource_requests_and_limits() {
    JsonNode containers = podSpec().path("containers");
    assertThat(containers.size()).isGreaterThanOrEqualTo(1);
    for (JsonNode c : containers) {
      for (String section : List.of("requests", "limits")) {
        for (String resource : List.of("cpu", "memory")) {
          assertThat(c.path("resources").path(section).path(resource).asText())
              .as("%s resources.%s.%s", c.path("name").asText(), section, resource)
              .isNotBlank();
        }
      }
    }
  }

  @Test
  void the_jvm_heap_is_set_deliberately_and_fits_under_the_memory_limit() {
    String javaOpts = null;
    for (JsonNode env : container().path("env")) {
      if (env.path("name").asText().equals("JAVA_OPTS")) {
        javaOpts = env.path("value").asText();
      }
    }
    assertThat(javaOpts).as("JAVA_OPTS env of the container").isNotNull();
    Matcher xmx = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)").matcher(javaOpts);
    assertThat(xmx.find()).as("-Xmx in JAVA_OPTS: " + javaOpts).isTrue();
    long heap = Long.parseLong(xmx.group(1)) * switch (xmx.group(2).toLowerCase()) {
      case "k" -> 1024L;
      case "m" -> 1024L * 1024;
      case "g" -> 1024L * 1024 * 1024;
      default -> 1L;
    };
    long limit = bytes(container().path("resources").path("limits").path("memory").asText());
    // Metaspace, threads, direct buffers and the code cache live outside the heap.
    assertThat(heap).as("heap vs memory limit").isLessThanOrEqualTo(limit * 3 / 4);
  }

  @Test
  void the_pods_run_as_a_non_root_user_with_a_locked_down_container() {
    JsonNode podSc = podSpec().path("securityContext");
    JsonNode sc = container().path("securityContext");
    assertThat(firstSet(sc, podSc, "runAsNonRoot").asBoolean(false)).as("runAsNonRoot").isTrue();
    assertThat(firstSet(sc, podSc, "runAsUser").asInt(0)).as("runAsUser").isEqualTo(185);
    assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as("allowPrivilegeEscalation").isFalse();
    assertThat(sc.path("readOnlyRootFilesystem").asBoolean(false)).as("readOnlyRootFilesystem").isTrue();
    assertThat(texts(sc.path("capabilities").path("drop"))).as("capabilities.drop").contains("ALL");
    assertThat(firstSet(sc, podSc, "seccompProfile").path("type").asText()).as("seccompProfile").isEqualTo("RuntimeDefault");
  }

  @Test
  void the_read_only_root_filesystem_leaves_tmp_writable_through_an_empty_dir() {
    String volume = null;
    for (JsonNode m : container().path("volumeMounts")) {
      if (m.path("mountPath").asText().equals("/tmp")) {
        volume = m.path("name").asText();
      }
    }
    assertThat(volume).as("volume mounted at /tmp").isNotNull();
    boolean emptyDir = false;
    for (JsonNode v : podSpec().path("volumes")) {
      if (v.path("name").asText().equals(volume)) {
        emptyDir = v.has("emptyDir");
      }
    }
    assertThat(emptyDir).as("volume " + volume + " is an emptyDir").isTrue();
  }

  @Test
  void the_deployment_reads_its_settings_from_the_configmap_and_the_secret() {
    List<String> configMaps = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    for (JsonNode from : container().path("envFrom")) {
      if (from.has("configMapRef")) {
        configMaps.add(from.path("configMapRef").path("name").asText());
      }
      if (from.has("secretRef")) {
        secrets.add(from.path("secretRef").path("name").asText());
      }
    }
    assertThat(configMaps).containsExactly("ares-config");
    assertThat(secrets).containsExactly("ares-secrets");
    assertThat(applied("ConfigMap")).extracting(Doc::name).contains("ares-config");
    assertThat(all("Secret")).extracting(Doc::name).contains("ares-secrets");
  }

  // ---------------------------------------------------------------------------------------------
  // Service, Secret, PDB, HPA
  // ---------------------------------------------------------------------------------------------

  @Test
  void the_service_sends_port_80_to_the_container_port_of_the_deployments_pods() {
    Doc svc = single(applied("Service"), "ares");
    JsonNode ports = svc.node().path("spec").path("ports");
    // Only the API and console: whoever exposes this Service (Ingress, LoadBalancer) never publishes
    // the management interface's health and metrics.
    assertThat(ports.size()).isEqualTo(1);
    assertThat(ports.get(0).path("port").asInt()).isEqualTo(80);
    assertThat(resolvePort(ports.get(0).path("targetPort"))).as("Service targetPort").isEqualTo(containerPort());
    assertSelects(svc.node().path("spec").path("selector"), "Service selector");
  }

  @Test
  void a_cluster_internal_service_exposes_the_management_port_by_name_for_scrapers() {
    Doc svc = single(applied("Service"), "ares-management");
    JsonNode spec = svc.node().path("spec");
    assertThat(spec.path("type").asText("ClusterIP")).as("management Service type").isEqualTo("ClusterIP");
    JsonNode ports = spec.path("ports");
    assertThat(ports.size()).isEqualTo(1);
    assertThat(ports.get(0).path("name").asText()).isEqualTo("management");
    assertThat(resolvePort(ports.get(0).path("targetPort"))).as("management Service targetPort")
        .isEqualTo(managementPort());
    assertSelects(spec.path("selector"), "management Service selector");
  }

  @Test
  void the_optional_service_monitor_scrapes_metrics_from_the_management_service_only() {
    Doc monitor = single(all("ServiceMonitor"), "ares");
    assertThat(monitor.file()).as("the ServiceMonitor is an opt-in component, not in the base")
        .startsWith(COMPONENTS);
    assertThat(monitor.node().path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    JsonNode selector = monitor.node().path("spec").path("selector").path("matchLabels");
    assertThat(selector.size()).isGreaterThanOrEqualTo(1);
    List<String> selected = new ArrayList<>();
    for (Doc svc : applied("Service")) {
      JsonNode labels = svc.node().path("metadata").path("labels");
      List<String> mismatched = new ArrayList<>();
      selector.properties().forEach(e -> {
        if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
          mismatched.add(e.getKey());
        }
      });
      if (mismatched.isEmpty()) {
        selected.add(svc.name());
      }
    }
    assertThat(selected).as("Services the ServiceMonitor selects").containsExactly("ares-management");
    JsonNode endpoints = monitor.node().path("spec").path("endpoints");
    assertThat(endpoints.size()).isEqualTo(1);
    assertThat(endpoints.get(0).path("port").asText()).isEqualTo("management");
    assertThat(endpoints.get(0).path("path").asText()).isEqualTo("/q/metrics");
  }

  @Test
  void the_secret_template_holds_nothing_but_placeholders() {
    List<Doc> secrets = all("Secret");
    assertThat(secrets).as("Secret documents under k8s/").isNotEmpty();
    for (Doc s : secrets) {
      Map<String, String> values = new LinkedHashMap<>();
      s.node().path("stringData").properties().forEach(e -> values.put(e.getKey(), e.getValue().asText()));
      s.node().path("data").properties().forEach(e -> values.put(e.getKey(),
          new String(Base64.getDecoder().decode(e.getValue().asText()), StandardCharsets.UTF_8)));
      assertThat(values).as(s.toString()).isNotEmpty();
      assertThat(values).as("values of " + s).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(PLACEHOLDER));
    }
    Doc template = single(secrets, "ares-secrets");
    assertThat(template.node().path("stringData").isObject() || template.node().path("data").isObject()).isTrue();
    List<String> keys = new ArrayList<>();
    template.node().path("stringData").fieldNames().forEachRemaining(keys::add);
    template.node().path("data").fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsAll(SECRET_KEYS);
  }

  @Test
  void no_kustomization_applies_the_secret_template_over_the_real_secret() {
    // `kubectl apply -k` would otherwise reset the real Secret to CHANGE_ME on every apply.
    assertThat(applied("Secret")).as("Secrets listed under some kustomization's resources").isEmpty();
  }

  @Test
  void the_pod_disruption_budget_keeps_one_pod_of_the_deployment_available() {
    Doc pdb = single(applied("PodDisruptionBudget"), "ares");
    assertThat(pdb.node().path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(pdb.node().path("spec").path("minAvailable").asInt(0)).isEqualTo(1);
    assertSelects(pdb.node().path("spec").path("selector").path("matchLabels"), "PDB selector");
  }

  @Test
  void the_autoscaler_scales_the_deployment_on_cpu_between_two_and_six_replicas() {
    Doc hpa = single(applied("HorizontalPodAutoscaler"), "ares");
    JsonNode spec = hpa.node().path("spec");
    assertThat(hpa.node().path("apiVersion").asText()).isEqualTo("autoscaling/v2");
    assertThat(spec.path("scaleTargetRef").path("apiVersion").asText()).isEqualTo("apps/v1");
    assertThat(spec.path("scaleTargetRef").path("kind").asText()).isEqualTo("Deployment");
    assertThat(spec.path("scaleTargetRef").path("name").asText()).isEqualTo(deployment().name());
    assertThat(spec.path("minReplicas").asInt(0)).isEqualTo(2);
    assertThat(spec.path("maxReplicas").asInt(0)).isEqualTo(6);
    int cpuTarget = -1;
    for (JsonNode m : spec.path("metrics")) {
      if (m.path("resource").path("name").asText().equals("cpu")) {
        assertThat(m.path("resource").path("target").path("type").asText()).isEqualTo("Utilization");
        cpuTarget = m.path("resource").path("target").path("averageUtilization").asInt();
      }
    }
    assertThat(cpuTarget).as("cpu averageUtilization").isEqualTo(70);
  }

  @Test
  void the_largest_fleet_fits_the_connections_of_a_default_postgresql() throws IOException {
    JsonNode config = single(applied("ConfigMap"), "ares-config").node().path("data");
    int main = config.path("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE").asInt(0);
    assertThat(main).as("QUARKUS_DATASOURCE_REACTIVE_MAX_SIZE in the ConfigMap").isPositive();
    Properties app = new Properties();
    try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
      app.load(in);
    }
    int jdbc = Integer.parseInt(app.getProperty("quarkus.datasource.jdbc.max-size"));
    // The reactive pool, the LISTEN connection, the JDBC pool (Flyway, the health check).
    int perPod = main + 1 + jdbc;
    JsonNode surge = deployment().node().path("spec").path("strategy").path("rollingUpdate").path("maxSurge");
    assertThat(surge.isInt()).as("maxSurge is a number of pods").isTrue();
    // The HPA's largest fleet, a rolling update's surge pods, and an old pod still terminating (not counted in
    // maxSurge, holding its connections through its grace period).
    int pods = single(applied("HorizontalPodAutoscaler"), "ares").node().path("spec").path("maxReplicas").asInt()
        + surge.asInt() + 1;
    // PostgreSQL's default max_connections (100), less its superuser_reserved_connections (3).
    assertThat(pods * perPod).as(pods + " pods x " + perPod + " connections").isLessThanOrEqualTo(97);
  }

  // ---------------------------------------------------------------------------------------------
  // Overlays
  // ---------------------------------------------------------------------------------------------

  @Test
  void the_cnpg_overlay_points_the_datasource_at_the_cluster_it_creates() {
    Path dir = OVERLAYS.resolve("cnpg");
    Doc cluster = applied("Cluster").stream().filter(d -> d.file().startsWith(dir)).findFirst()
        .orElseThrow(() -> new AssertionError("no CloudNativePG Cluster applied by the cnpg overlay"));
    JsonNode spec = cluster.node().path("spec");
    assertThat(cluster.node().path("apiVersion").asText()).isEqualTo("postgresql.cnpg.io/v1");
    assertThat(spec.path("instances").asInt(0)).isEqualTo(3);
    String database = spec.path("bootstrap").path("initdb").path("database").asText();
    assertThat(database).isEqualTo("ares");
    assertThat(spec.path("bootstrap").path("initdb").path("owner").asText()).isEqualTo("ares");

    Map<String, JsonNode> env = patchedEnv(dir);
    // CloudNativePG names the primary's Service <cluster>-rw and the owner's Secret <cluster>-app.
    assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_URL")).as("reactive URL env").isNotNull();
    assertThat(env.get("QUARKUS_DATASOURCE_REACTIVE_URL").path("value").asText())
        .isEqualTo("postgresql://" + cluster.name() + "-rw:5432/" + database);
    for (String[] pair : new String[][] {{"QUARKUS_DATASOURCE_USERNAME", "username"}, {"QUARKUS_DATASOURCE_PASSWORD", "password"}}) {
      JsonNode ref = env.getOrDefault(pair[0], YAML.missingNode()).path("valueFrom").path("secretKeyRef");
      assertThat(ref.path("name").asText()).as(pair[0] + " secret").isEqualTo(cluster.name() + "-app");
      assertThat(ref.path("key").asText()).as(pair[0] + " key").isEqualTo(pair[1]);
    }
  }

  @Test
  void the_external_db_overlay_takes_the_datasource_url_from_the_configmap() {
    Path dir = OVERLAYS.resolve("external-db");
    JsonNode ref = patchedEnv(dir).getOrDefault("QUARKUS_DATASOURCE_REACTIVE_URL", YAML.missingNode())
        .path("valueFrom").path("configMapKeyRef");
    assertThat(ref.path("name").asText()).as("configMapKeyRef name").isEqualTo("ares-config");
    String key = ref.path("key").asText();
    String url = null;
    for (Path p : patchFiles) {
      if (p.startsWith(dir)) {
        for (Doc d : docsIn(p)) {
          if (d.kind().equals("ConfigMap") && d.name().equals("ares-config") && d.node().path("data").has(key)) {
            url = d.node().path("data").path(key).asText();
          }
        }
      }
    }
    assertThat(url).as("ConfigMap patch of the external-db overlay sets " + key).isNotNull();
    assertThat(url).startsWith("postgresql://").doesNotStartWith("jdbc:");
  }

  // ---------------------------------------------------------------------------------------------
  // The image the Deployment runs
  // ---------------------------------------------------------------------------------------------

  @Test
  void the_container_image_runs_as_the_manifests_user_and_exposes_its_port() throws IOException {
    Path dockerfile = PROJECT.resolve("src/main/docker/Dockerfile.jvm");
    assertThat(dockerfile).isRegularFile();
    String text = Files.readString(dockerfile);
    assertThat(text).containsPattern("(?m)^USER " + firstSet(container().path("securityContext"),
        podSpec().path("securityContext"), "runAsUser").asInt() + "\\s*$");
    assertThat(text).containsPattern("(?m)^EXPOSE " + containerPort() + " " + managementPort() + "\\s*$");
    assertThat(text).contains("JAVA_APP_JAR=\"/deployments/quarkus-run.jar\"");
    assertThat(text).contains("-Dquarkus.http.host=0.0.0.0");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------------

  private static boolean isYaml(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p) && (n.endsWith(".yaml") || n.endsWith(".yml"));
  }

  private static List<Doc> parse(Path f) throws IOException {
    List<Doc> out = new ArrayList<>();
    try (Reader r = Files.newBufferedReader(f);
        MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(r)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          out.add(new Doc(f, n));
        }
      }
    }
    return out;
  }

  private static List<Doc> docsIn(Path file) {
    List<Doc> out = docs.stream().filter(d -> d.file().equals(file)).toList();
    assertThat(out).as("documents in " + file).isNotEmpty();
    return out;
  }

  private static List<Doc> kustomizations() {
    return docs.stream().filter(d -> d.file().getFileName().toString().startsWith("kustomization.")).toList();
  }

  private static List<String> patchPaths(JsonNode kustomization) {
    List<String> out = new ArrayList<>();
    for (JsonNode p : kustomization.path("patches")) {
      if (p.has("path")) {
        out.add(p.path("path").asText());
      }
    }
    out.addAll(texts(kustomization.path("patchesStrategicMerge")));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static List<Doc> applied() {
    return docs.stream().filter(d -> appliedFiles.contains(d.file())).toList();
  }

  private static List<Doc> applied(String kind) {
    return applied().stream().filter(d -> d.kind().equals(kind)).toList();
  }

  private static List<Doc> all(String kind) {
    return docs.stream().filter(d -> d.kind().equals(kind)).toList();
  }

  private static Doc single(List<Doc> candidates, String name) {
    List<Doc> named = candidates.stream().filter(d -> d.name().equals(name)).toList();
    assertThat(named).as("exactly one " + name + " among " + candidates).hasSize(1);
    return named.get(0);
  }

  private static Doc deployment() {
    return single(applied("Deployment"), "ares");
  }

  private static JsonNode podSpec() {
    return deployment().node().path("spec").path("template").path("spec");
  }

  private static JsonNode container() {
    for (JsonNode c : podSpec().path("containers")) {
      if (c.path("name").asText().equals("ares")) {
        return c;
      }
    }
    return fail("no container named ares in " + deployment());
  }

  private static int containerPort() {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals("http")) {
        return p.path("containerPort").asInt();
      }
    }
    return fail("no container port named http");
  }

  private static int managementPort() {
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals("management")) {
        return p.path("containerPort").asInt();
      }
    }
    return fail("no container port named management");
  }

  /** A probe or Service port, by name (looked up among the container's ports) or by number. */
  private static int resolvePort(JsonNode port) {
    if (port.asText().matches("\\d+")) {
      return Integer.parseInt(port.asText());
    }
    for (JsonNode p : container().path("ports")) {
      if (p.path("name").asText().equals(port.asText())) {
        return p.path("containerPort").asInt();
      }
    }
    return fail("port '" + port.asText() + "' names no container port");
  }

  private static JsonNode firstSet(JsonNode container, JsonNode pod, String field) {
    return container.has(field) ? container.path(field) : pod.path(field);
  }

  /** Every label a selector requires is on the Deployment's pods. */
  private static void assertSelects(JsonNode selector, String what) {
    assertThat(selector.size()).as(what + " labels").isGreaterThanOrEqualTo(1);
    JsonNode podLabels = deployment().node().path("spec").path("template").path("metadata").path("labels");
    selector.properties().forEach(e ->
        assertThat(podLabels.path(e.getKey()).asText()).as(what + " " + e.getKey()).isEqualTo(e.getValue().asText()));
  }

  /** The env entries the overlay's Deployment patches add to the ares container, by name. */
  private static Map<String, JsonNode> patchedEnv(Path overlay) {
    Map<String, JsonNode> env = new HashMap<>();
    for (Path p : patchFiles) {
      if (!p.startsWith(overlay)) {
        continue;
      }
      for (Doc d : docsIn(p)) {
        if (d.kind().equals("Deployment") && d.name().equals("ares")) {
          for (JsonNode c : d.node().path("spec").path("template").path("spec").path("containers")) {
            if (c.path("name").asText().equals("ares")) {
              c.path("env").forEach(e -> env.put(e.path("name").asText(), e));
            }
          }
        }
      }
    }
    assertThat(env).as("env set by the Deployment patches of " + K8S.relativize(overlay)).isNotEmpty();
    return env;
  }

  /** quarkus.http.port as the packaged (prod) application resolves it from application.properties. */
  private static int applicationHttpPort() throws IOException {
    return applicationPort("quarkus.http.port", 8080);
  }

  /** A port key as the packaged (prod) application resolves it from application.properties. */
  private static int applicationPort(String key, int quarkusDefault) throws IOException {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(PROJECT.resolve("src/main/resources/application.properties"))) {
      props.load(r);
    }
    String value = props.getProperty("%prod." + key, props.getProperty(key));
    if (value == null) {
      return quarkusDefault;
    }
    Matcher withDefault = Pattern.compile("\\$\\{[^:}]+:(\\d+)}").matcher(value.trim());
    return withDefault.matches() ? Integer.parseInt(withDefault.group(1)) : Integer.parseInt(value.trim());
  }

  /** A Kubernetes memory quantity (e.g. 768Mi, 1Gi, 500M) in bytes. */
  private static long bytes(String quantity) {
    Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi|k|M|G)?").matcher(quantity);
    assertThat(m.matches()).as("memory quantity " + quantity).isTrue();
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    return n * switch (unit) {
      case "Ki" -> 1024L;
      case "Mi" -> 1024L * 1024;
      case "Gi" -> 1024L * 1024 * 1024;
      case "k" -> 1000L;
      case "M" -> 1000L * 1000;
      case "G" -> 1000L * 1000 * 1000;
      default -> 1L;
    };
  }
}
