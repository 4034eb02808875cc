package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.BackupsSpec;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.pki.Pki;
import birdbath.pki.TlsContexts;
import birdbath.stage.CheckResult;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apps' checks: rollouts against the mock API server, Ingress hosts against a real HTTPS server here. */
@EnableKubernetesMockClient(crud = true)
class AppsCheckTest {

    static KubernetesClient client;

    @TempDir
    Path dir;

    private ClusterSpec cluster() throws Exception {
        Path file = dir.resolve("birdbath.yaml");
        Files.writeString(file, "cluster:\n  name: demo\n  nodes: 3\n  domain: example.com\napps:\n  acme_email: me@example.com\n"
                + "  mosquitto:\n    enabled: false\n  owntracks2db:\n    enabled: false\n");
        return new ConfigLoader(Map.of()).load(file, w -> { });
    }

    @Test
    void rolloutsAreReadyOnlyWhenEveryReplicaIs() throws Exception {
        ClusterSpec c = cluster();
        List<HasMetadata> objects = AppObjects.build(c, new AppSecrets(c.stateDir(), new SecureRandom()), null, "");
        assertThat(AppsCheck.rollouts(client, objects, c.backups())).extracting(CheckResult::detail)
                .containsExactly("not deployed (run `birdbath apps deploy`)", "not deployed (run `birdbath apps deploy`)",
                        "not deployed (run `birdbath apps deploy`)");
        ClusterApply.apply(client, objects);
        assertThat(AppsCheck.rollouts(client, objects, c.backups())).extracting(r -> r.probe() + ": " + r.detail()).containsExactly(
                "Deployment kube-system/traefik ready: 0 of 1 replicas ready",
                "StatefulSet default/postgres ready: 0 of 1 replicas ready",
                "Deployment default/haircolor ready: 0 of 2 replicas ready");
        Deployment hair = client.apps().deployments().inNamespace("default").withName("haircolor").get();
        hair.setStatus(new DeploymentStatusBuilder().withReadyReplicas(2).withReplicas(2)
                .withObservedGeneration(hair.getMetadata().getGeneration()).build());
        client.apps().deployments().inNamespace("default").resource(hair).updateStatus();
        assertThat(AppsCheck.rollouts(client, objects, c.backups())).filteredOn(CheckResult::ok).extracting(CheckResult::probe)
                .containsExactly("Deployment default/haircolor ready");
    }

    /**
     * The backup CronJob (daily): fine while younger than two days with no run yet, or with a run that succeeded
     * within two days; after that the check names the last success (or the creation) and where the pods' logs are.
     */
    @Test
    void theBackupCronJobFailsTheCheckWhenNoRunSucceededWithinTwoPeriods() {
        Instant now = Instant.parse("2026-12-02T12:00:00Z");
        Duration stale = Duration.ofDays(2);
        CronJob job = (CronJob) PostgresBackup.objects(new BackupsSpec(true, "daily", 7)).get(0);
        job.getMetadata().setCreationTimestamp("2026-12-01T00:00:00Z");
        assertThat(AppsCheck.notLately(job, stale, now)).isNull();
        job.getMetadata().setCreationTimestamp("2026-11-29T00:00:00Z");
        assertThat(AppsCheck.notLately(job, stale, now)).isEqualTo("no run has succeeded since it was created at"
                + " 2026-11-29T00:00:00Z; `kubectl -n default logs -l app.kubernetes.io/name=postgres-backup` says why");
        job.setStatus(new CronJobStatusBuilder().withLastSuccessfulTime("2026-12-02T00:00:05Z").build());
        assertThat(AppsCheck.notLately(job, stale, now)).isNull();
        job.getStatus().setLastSuccessfulTime("2026-11-30T00:00:05Z");
        assertThat(AppsCheck.notLately(job, stale, now)).startsWith("the last run that succeeded was at"
                + " 2026-11-30T00:00:05Z; ");
    }

    @Test
    void anIngressHostAnswersWithACertificateForItsNameOrTheCheckSaysWhyNot() throws Exception {
        ClusterSpec c = cluster();
        Pki pki = new Pki(c);
        pki.serviceTls("hair", List.of("hair.example.com"));
        Path services = c.stateDir().resolve("pki/services");
        SSLContext tls = TlsContexts.of(pki.bundle(), services.resolve("hair.crt"), services.resolve("hair.key"));
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", ex -> {
            // Traefik's way: a route per host, 404 for the others
            boolean known = "hair.example.com".equals(ex.getRequestHeaders().getFirst("Host"));
            byte[] body = (known ? "hello" : "404 page not found").getBytes();
            ex.sendResponseHeaders(known ? 200 : 404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            InetSocketAddress ingress = server.getAddress();
            CheckResult ok = AppsCheck.answers("hair.example.com", ingress, tls);
            assertThat(ok.ok()).as(ok.detail()).isTrue();
            assertThat(ok.probe()).isEqualTo("https://hair.example.com/ answers through Traefik");
            CheckResult wrongName = AppsCheck.answers("other.example.com", ingress, tls);
            assertThat(wrongName.ok()).isFalse();
            assertThat(wrongName.detail()).startsWith("TLS failed").contains("default certificate");
            try (ServerSocket closed = new ServerSocket(0)) {
                InetSocketAddress nobody = new InetSocketAddress("127.0.0.1", closed.getLocalPort());
                closed.close();
                assertThat(AppsCheck.answers("hair.example.com", nobody, tls).detail()).startsWith("no answer from 127.0.0.1");
            }
        } finally {
            server.stop(0);
        }
        // a server with a certificate for the name that has no route for it
        pki.serviceTls("both", List.of("hair.example.com", "lost.example.com"));
        SSLContext both = TlsContexts.of(pki.bundle(), services.resolve("both.crt"), services.resolve("both.key"));
        HttpsServer traefik = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        traefik.setHttpsConfigurator(new HttpsConfigurator(both));
        traefik.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        traefik.start();
        try {
            assertThat(AppsCheck.answers("lost.example.com", traefik.getAddress(), both).detail())
                    .startsWith("404: Traefik has no route for lost.example.com");
        } finally {
            traefik.stop(0);
        }
    }
}
