package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Secret;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.pki.Pki;
import birdbath.testing.KeyPathFields;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apps' objects against fabric8's mock API server in CRUD mode, and as rendered YAML. */
@EnableKubernetesMockClient(crud = true)
class AppObjectsTest {

    static KubernetesClient client;

    @TempDir
    Path dir;

    private static final Pki.ServiceTls TLS = new Pki.ServiceTls("-----BEGIN CERTIFICATE-----\nCA\n",
            "-----BEGIN CERTIFICATE-----\nSERVER\n", new Secret("-----BEGIN PRIVATE KEY-----\nKEY-MATERIAL-42\n"));

    private ClusterSpec cluster(String apps) throws Exception {
        Path file = dir.resolve("birdbath.yaml");
        Files.writeString(file, "cluster:\n  name: demo\n  nodes: 3\n  domain: example.com\napps:\n  acme_email: me@example.com\n"
                + apps);
        return new ConfigLoader(Map.of()).load(file, w -> { });
    }

    private List<HasMetadata> objects(ClusterSpec c) {
        return AppObjects.build(c, new AppSecrets(c.stateDir(), new SecureRandom()), TLS, "admin:$2y$10$abc\n");
    }

    /**
     * Traefik's static configuration, a template, uses only keys of Traefik v3.5's static configuration with values
     * of their types, as recorded from Traefik's source in src/test/resources/upstream/ (Traefik would refuse an
     * unknown key only when the pod starts); a misspelt key is caught.
     */
    @Test
    void traefiksStaticConfigurationUsesOnlyUpstreamKeys() throws Exception {
        String staticConfig = objects(cluster("")).stream()
                .filter(o -> o instanceof io.fabric8.kubernetes.api.model.ConfigMap
                        && o.getMetadata().getName().equals("traefik-config"))
                .map(o -> ((io.fabric8.kubernetes.api.model.ConfigMap) o).getData().get("traefik.yaml"))
                .findFirst().orElseThrow();
        KeyPathFields traefik = new KeyPathFields("/upstream/traefik-v3.5-static-fields.txt");
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        assertThat(traefik.problems("", yaml.readTree(staticConfig))).isEmpty();
        assertThat(traefik.problems("", yaml.readTree(staticConfig.replace("certResolver:", "certResolvers:"))))
                .containsExactly("entryPoints.websecure.http.tls.certResolvers: no such key upstream");
    }

    @Test
    void deployCreatesEveryObjectThenChangesNothingThenOnlyWhatAHostnameIsIn() throws Exception {
        ClusterSpec c = cluster("");
        List<ClusterApply.Applied> first = ClusterApply.apply(client, objects(c));
        assertThat(first).extracting(a -> a.kind() + "/" + a.name().replaceFirst("^postgres-roles-[0-9a-f]{10}$",
                "postgres-roles-DIGEST")).containsExactly(
                "ServiceAccount/traefik", "ClusterRole/traefik", "ClusterRoleBinding/traefik", "IngressClass/traefik",
                "ConfigMap/traefik-config", "Secret/traefik-dashboard-auth", "PersistentVolumeClaim/traefik-acme",
                "Deployment/traefik",
                "Secret/postgres", "Service/postgres", "StatefulSet/postgres",
                "Secret/mosquitto-secrets", "ConfigMap/mosquitto-config", "PersistentVolumeClaim/mosquitto-data",
                "Service/mosquitto", "Deployment/mosquitto",
                "Secret/owntracks2db-configuration", "Service/owntracks2db", "Deployment/owntracks2db",
                "Secret/haircolor", "Service/haircolor", "Deployment/haircolor", "Ingress/haircolor",
                "ConfigMap/postgres-roles", "Job/postgres-roles-DIGEST");
        assertThat(first).allMatch(a -> a.outcome() == ClusterApply.Outcome.CREATED);
        // each service logs in as its own role (PostgresRolesTest: what the Job makes of them), never the superuser
        var haircolorEnv = client.apps().deployments().inNamespace("default").withName("haircolor").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(haircolorEnv).filteredOn(e -> e.getName().equals("HAIRCOLOR_DB_USER")).singleElement()
                .extracting(io.fabric8.kubernetes.api.model.EnvVar::getValue).isEqualTo("haircolor");
        assertThat(haircolorEnv).filteredOn(e -> e.getName().equals("HAIRCOLOR_DB_URL")).singleElement()
                .extracting(io.fabric8.kubernetes.api.model.EnvVar::getValue)
                .isEqualTo("jdbc:postgresql://postgres:5432/haircolor");

        var haircolor = client.apps().deployments().inNamespace("default").withName("haircolor").get().getSpec()
                .getTemplate().getSpec().getContainers().get(0);
        assertThat(haircolor.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(haircolor.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        Deployment traefik = client.apps().deployments().inNamespace("kube-system").withName("traefik").get();
        assertThat(traefik.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
        assertThat(traefik.getSpec().getTemplate().getSpec().getNodeSelector())
                .containsEntry("kubernetes.io/hostname", "demo-1");
        String staticConfig = client.configMaps().inNamespace("kube-system").withName("traefik-config").get()
                .getData().get("traefik.yaml");
        assertThat(new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(staticConfig)
                .at("/certificatesResolvers/letsencrypt/acme/email").asText()).isEqualTo("me@example.com");
        assertThat(staticConfig).contains("storage: /data/acme.json").contains("to: websecure");
        StatefulSet pg = client.apps().statefulSets().inNamespace("default").withName("postgres").get();
        assertThat(pg.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName()).isEqualTo("glusterfs");
        assertThat(pg.getSpec().getVolumeClaimTemplates().get(0).getSpec().getResources().getRequests().get("storage")
                .toString()).isEqualTo("3Gi");
        Deployment mqtt = client.apps().deployments().inNamespace("default").withName("mosquitto").get();
        assertThat(mqtt.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0).getHostPort())
                .isEqualTo(8883);
        Map<String, String> o2 = client.secrets().inNamespace("default").withName("owntracks2db-configuration").get()
                .getData();
        assertThat(o2.keySet()).containsExactlyInAnyOrder("OWNTRACKS2DB_MQTT_HOST", "OWNTRACKS2DB_MQTT_PORT",
                "OWNTRACKS2DB_MQTT_SSL", "OWNTRACKS2DB_MQTT_CA", "OWNTRACKS2DB_MQTT_USERNAME",
                "OWNTRACKS2DB_MQTT_PASSWORD", "OWNTRACKS2DB_DB_HOST", "OWNTRACKS2DB_DB_PORT", "OWNTRACKS2DB_DB_USERNAME",
                "OWNTRACKS2DB_DB_PASSWORD", "OWNTRACKS2DB_DB_NAME", "OWNTRACKS2DB_METRICS_PORT");
        assertThat(decode(o2.get("OWNTRACKS2DB_MQTT_HOST"))).isEqualTo("mosquitto.default.svc.cluster.local");
        assertThat(decode(o2.get("OWNTRACKS2DB_DB_USERNAME"))).isEqualTo("owntracks2db");
        assertThat(decode(o2.get("OWNTRACKS2DB_DB_PASSWORD"))).isNotEqualTo(decode(client.secrets()
                .inNamespace("default").withName("postgres").get().getData().get("password")));
        Ingress ingress = client.network().v1().ingresses().inNamespace("default").withName("haircolor").get();
        assertThat(ingress.getSpec().getRules().get(0).getHost()).isEqualTo("haircolor.example.com");
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("traefik");

        Map<String, String> versions = resourceVersions(objects(c));
        assertThat(ClusterApply.apply(client, objects(c))).allMatch(a -> a.outcome() == ClusterApply.Outcome.UNCHANGED);
        assertThat(resourceVersions(objects(c))).isEqualTo(versions);

        ClusterSpec renamed = cluster("  haircolor:\n    host: hair\n");
        List<ClusterApply.Applied> third = ClusterApply.apply(client, objects(renamed));
        assertThat(third).filteredOn(a -> a.outcome() != ClusterApply.Outcome.UNCHANGED)
                .extracting(a -> a.kind() + "/" + a.name() + " " + a.outcome())
                .containsExactly("Ingress/haircolor UPDATED");
        assertThat(client.network().v1().ingresses().inNamespace("default").withName("haircolor").get().getSpec()
                .getRules().get(0).getHost()).isEqualTo("hair.example.com");
    }

    /**
     * kubeadm taints control-plane nodes `node-role.kubernetes.io/control-plane:NoSchedule`; the ingress node is node 1
     * by default, the only control-plane node of a default cluster. The pods pinned there must tolerate the taint or
     * they are never scheduled (the mock API server does not schedule: this holds the spec to it).
     */
    @Test
    void podsPinnedToTheIngressNodeTolerateTheControlPlaneTaint() throws Exception {
        List<Deployment> pinned = objects(cluster("")).stream().filter(o -> o instanceof Deployment)
                .map(o -> (Deployment) o).filter(d -> !d.getSpec().getTemplate().getSpec().getNodeSelector().isEmpty())
                .toList();
        assertThat(pinned).extracting(d -> d.getMetadata().getName()).containsExactlyInAnyOrder("traefik", "mosquitto");
        for (Deployment d : pinned) {
            assertThat(d.getSpec().getTemplate().getSpec().getTolerations()).as(d.getMetadata().getName())
                    .anySatisfy(t -> {
                        assertThat(t.getKey()).isEqualTo("node-role.kubernetes.io/control-plane");
                        assertThat(t.getOperator()).isEqualTo("Exists");
                        assertThat(t.getEffect()).isEqualTo("NoSchedule");
                    });
        }
    }

    @Test
    void renderedYamlParsesBackWithEveryObjectNamedAndNoSecretInPlainText() throws Exception {
        ClusterSpec c = cluster("");
        AppSecrets secrets = new AppSecrets(c.stateDir(), new SecureRandom());
        String yaml = AppObjects.render(AppObjects.build(c, secrets, TLS, "admin:$2y$10$abc\n"), false);
        List<JsonNode> docs = new ArrayList<>();
        ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
        try (YAMLParser p = new YAMLFactory().createParser(yaml)) {
            mapper.readValues(p, JsonNode.class).forEachRemaining(docs::add);
        }
        assertThat(docs).hasSize(25);
        Set<String> clusterScoped = Set.of("ClusterRole", "ClusterRoleBinding", "IngressClass");
        for (JsonNode d : docs) {
            assertThat(d.path("apiVersion").asText()).as(d.toString()).isNotEmpty();
            assertThat(d.path("kind").asText()).isNotEmpty();
            assertThat(d.path("metadata").path("name").asText()).isNotEmpty();
            if (!clusterScoped.contains(d.path("kind").asText())) {
                assertThat(d.path("metadata").path("namespace").asText()).as(d.path("kind") + " namespace")
                        .isIn("default", "kube-system");
            }
        }
        List<String> generated = new ArrayList<>();
        try (var files = Files.list(c.stateDir().resolve("secrets/apps"))) {
            for (Path f : files.toList()) {
                generated.add(Files.readString(f).strip());
                assertThat(Files.getPosixFilePermissions(f)).extracting(Object::toString)
                        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
            }
        }
        assertThat(generated).hasSizeGreaterThanOrEqualTo(4);
        Base64.Encoder b64 = Base64.getEncoder();
        for (String s : generated) {
            assertThat(yaml).doesNotContain(s).doesNotContain(b64.encodeToString(s.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(yaml).doesNotContain("KEY-MATERIAL-42").doesNotContain("stringData");
        for (JsonNode d : docs) {
            if (d.path("kind").asText().equals("Secret")) {
                d.path("data").forEach(v -> assertThat(v.asText()).isEqualTo(AppObjects.REDACTED));
            }
        }
        // a second render with the same .birdbath/ gives the same text
        List<HasMetadata> again = AppObjects.build(c, new AppSecrets(c.stateDir(), new SecureRandom()), TLS,
                "admin:$2y$10$abc\n");
        assertThat(AppObjects.render(again, false)).isEqualTo(yaml);
        // asked for, every value is there, as the API wants it (base64)
        String shown = AppObjects.render(again, true);
        int values = 0;
        for (HasMetadata o : again) {
            if (o instanceof io.fabric8.kubernetes.api.model.Secret secret) {
                for (String v : secret.getData().values()) {
                    assertThat(shown).contains(v);
                    values++;
                }
            }
        }
        assertThat(values).isGreaterThanOrEqualTo(generated.size());
        assertThat(shown).doesNotContain(AppObjects.REDACTED);
    }

    @Test
    void withoutPostgresHaircolorKeepsItsHistoryOnAVolume() throws Exception {
        ClusterSpec c = cluster("  postgres: {enabled: false}\n  owntracks2db: {enabled: false}\n");
        List<HasMetadata> objects = objects(c);
        assertThat(objects).extracting(o -> o.getKind() + "/" + o.getMetadata().getName())
                .contains("PersistentVolumeClaim/haircolor-data").doesNotContain("StatefulSet/postgres");
        Deployment hair = (Deployment) objects.stream().filter(o -> o instanceof Deployment
                && o.getMetadata().getName().equals("haircolor")).findFirst().orElseThrow();
        assertThat(hair.getSpec().getReplicas()).isEqualTo(1);
        var container = hair.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getEnv()).anyMatch(e -> e.getName().equals("HAIRCOLOR_DATA_DIR")
                && e.getValue().equals("/data")).noneMatch(e -> e.getName().startsWith("HAIRCOLOR_DB"));
        assertThat(container.getVolumeMounts()).singleElement().satisfies(m -> assertThat(m.getMountPath())
                .isEqualTo("/data"));
        assertThat(hair.getSpec().getTemplate().getSpec().getVolumes()).singleElement().satisfies(v ->
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("haircolor-data"));
    }

    private Map<String, String> resourceVersions(List<HasMetadata> objects) {
        Map<String, String> out = new HashMap<>();
        for (HasMetadata o : objects) {
            out.put(o.getKind() + "/" + o.getMetadata().getName(),
                    client.resource(o).get().getMetadata().getResourceVersion());
        }
        return out;
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
}
