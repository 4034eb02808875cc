package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Reporter;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.provider.Node;
import birdbath.stage.CheckResult;
import birdbath.stage.Pipeline;
import birdbath.stage.StageRun;
import birdbath.stage.kubernetes.KubernetesStage;
import birdbath.testing.MockKubeconfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apps stage of `up` against the mock API server (CRUD), through a kubeconfig file as in use. */
@EnableKubernetesMockClient(crud = true)
class AppsStageTest {

    static KubernetesClient client;
    static KubernetesMockServer server;

    @TempDir
    Path dir;

    private final List<String> output = Collections.synchronizedList(new ArrayList<>());

    private StageRun run(String provider, String apps) throws Exception {
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "provider: " + provider + "\ncluster:\n  name: demo\n  nodes: 2\n  domain: example.com\n"
                + apps);
        ClusterSpec spec = new ConfigLoader(Map.of()).load(config, w -> { });
        List<Node> nodes = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            // loopback addresses where nothing listens on 443: the Ingress probe must find nobody there
            nodes.add(new Node(spec.nodeLabel(n), n, spec.roles(n), "127.0.0." + (n + 10), "10.42.0." + (n + 1),
                    spec.fqdn(n), null, new Node.Ssh("127.0.0." + (n + 10), 22, "birdbath"), null));
        }
        MockKubeconfig.write(KubernetesStage.kubeconfig(spec), client.getConfiguration().getMasterUrl());
        return new StageRun(spec, nodes, null, null, null, Reporter.into(output::add), false);
    }

    @Test
    void appliesTheStorageClassAndTheAppsThenNothingTheSecondTime() throws Exception {
        StageRun run = run("linode", "apps:\n  acme_email: me@example.com\n");
        new AppsStage().converge(run);
        assertThat(client.storage().v1().storageClasses().withName("glusterfs").get()).isNotNull();
        assertThat(client.apps().deployments().inNamespace("default").withName("owntracks2db").get()).isNotNull();
        assertThat(output).last().asString().matches("  \\d+ objects, \\d+ changed").doesNotContain(", 0 changed");
        output.clear();
        new AppsStage().converge(run);
        assertThat(output).last().asString().endsWith(" 0 changed");

        List<CheckResult> checks = new AppsStage().check(run);
        assertThat(checks).filteredOn(r -> r.probe().endsWith(" ready")).hasSize(5)
                .allMatch(r -> r.detail().contains("replicas ready"));
        assertThat(new Apps(run.spec()).status(client)).contains(
                "NOT READY  Deployment default/haircolor: 0 of 2 replicas ready",
                "haircolor          https://haircolor.example.com/",
                "mosquitto          mqtts://mqtt.example.com:8883",
                "traefik dashboard  https://traefik.example.com/dashboard/");
        assertThat(checks).filteredOn(r -> r.probe().startsWith("https://haircolor.example.com/"))
                .singleElement().satisfies(r -> assertThat(r.detail()).startsWith("no answer from 127.0.0.11:443"));
    }

    /**
     * backups on: the CronJob is applied and checked (young, none run yet: fine). Turned off, as the etcd timers
     * go, the next `up` deletes it (and the API server's garbage collector its Jobs); the run after finds nothing
     * to delete.
     */
    @Test
    void turningBackupsOffDeletesThePostgresBackupCronJob() throws Exception {
        String apps = "apps:\n  acme_email: me@example.com\n";
        StageRun on = run("linode", apps + "backups:\n  schedule: hourly\n");
        new AppsStage().converge(on);
        assertThat(output).contains("  created CronJob postgres-backup");
        assertThat(new AppsStage().check(on)).filteredOn(r -> r.probe().startsWith("CronJob")).singleElement()
                .satisfies(r -> assertThat(r.probe()).isEqualTo("CronJob default/postgres-backup succeeded lately"))
                .satisfies(r -> assertThat(r.ok()).as(r.detail()).isTrue());
        output.clear();

        StageRun off = run("linode", apps);
        new AppsStage().converge(off);
        assertThat(output).contains("  deleted CronJob postgres-backup").last().asString().endsWith(", 1 changed");
        assertThat(client.batch().v1().cronjobs().inNamespace("default").withName("postgres-backup").get()).isNull();
        assertThat(new AppsStage().check(off)).noneMatch(r -> r.probe().startsWith("CronJob"));
        output.clear();
        new AppsStage().converge(off);
        assertThat(output).noneMatch(l -> l.contains("deleted")).last().asString().endsWith(" 0 changed");
    }

    @Test
    void withoutAnAppsSectionOrOnTheLocalProviderNothingIsDeployed() throws Exception {
        Pipeline.converge(new AppsStage(), run("linode", ""));
        assertThat(output).containsExactly("  nothing to do: birdbath.yaml has no apps section");
        assertThat(Pipeline.check(new AppsStage(), run("linode", ""))).isEmpty();
        output.clear();
        Pipeline.converge(new AppsStage(), run("local", "apps:\n  acme_email: me@example.com\n"));
        assertThat(output).singleElement().asString().contains("the local provider runs no Kubernetes");
    }
}
