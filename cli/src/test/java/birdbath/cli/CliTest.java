package birdbath.cli;

import birdbath.host.Host;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.sim.LinodeSim;
import birdbath.sim.SimOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: help, exit codes, one-line errors, no secrets in output. */
class CliTest {

    @TempDir
    Path dir;

    private LinodeSim sim;
    private final String token = "tok-" + UUID.randomUUID();

    @BeforeEach
    void start() throws Exception {
        sim = LinodeSim.start(SimOptions.defaults().withBootMs(200).withDomains(List.of("example.com")));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private Map<String, String> env() {
        return Map.of("LINODE_API_URL", sim.baseUrl(), "LINODE_TOKEN", token);
    }

    private Host.Result birdbath(String... args) throws Exception {
        return CliProcess.run(dir, env(), args);
    }

    @Test
    void everyCommandHasHelp() throws Exception {
        for (String command : List.of("init", "plan", "up", "down", "check", "nodes", "ssh", "render", "pki",
                "etcd", "backup", "storage", "repair", "kubeconfig", "apps", "image", "linode-sim", "generate-completion")) {
            Host.Result r = birdbath(command, "--help");
            assertThat(r.exit()).as(command).isZero();
            assertThat(r.out()).as(command).startsWith("Usage: birdbath " + command);
        }
        Host.Result top = birdbath("--help");
        assertThat(top.out()).contains("init", "plan", "up", "down", "check", "nodes", "ssh", "render", "linode-sim",
                "generate-completion");
        assertThat(birdbath("generate-completion").out()).contains("complete -F");
    }

    @Test
    void appsRenderPrintsEveryObjectAndAShortDashboardPasswordIsRefused() throws Exception {
        Files.writeString(dir.resolve("birdbath.yaml"), "provider: local\ncluster:\n  name: demo\n  domain: example.com\n"
                + "apps:\n  acme_email: me@example.com\n  haircolor:\n    enabled: false\n");
        Host.Result render = birdbath("apps", "render");
        assertThat(render.exit()).as(render.err()).isZero();
        // 21 objects of the apps (with the postgres-roles ConfigMap and Job) and the 7 of the storage stage's
        // StorageClass: what `up` and `apps deploy` send
        assertThat(render.out().lines().filter(l -> l.startsWith("kind: ")).count()).isEqualTo(28);
        assertThat(render.out()).doesNotContain("haircolor").contains("kind: \"StatefulSet\"",
                "kind: \"StorageClass\"", "<redacted: apps render --show-secrets>");
        assertThat(render.err()).isEmpty();
        Host.Result shown = birdbath("apps", "render", "--show-secrets");
        assertThat(shown.exit()).isZero();
        assertThat(shown.out()).doesNotContain("<redacted");
        assertThat(shown.err()).startsWith("warning: this output holds every app password");
        Host.Result deploy = birdbath("apps", "deploy");
        assertThat(deploy.exit()).isEqualTo(1);
        assertThat(deploy.err()).startsWith("error: the local provider runs no Kubernetes");
        Host.Result auth = birdbath("apps", "auth", "add", "traefik-dashboard", "admin");
        assertThat(auth.exit()).as("no password on stdin").isEqualTo(1);
        assertThat(auth.err()).contains("shorter than 8 characters").doesNotContain("Exception");
    }

    @Test
    void initPlanUpPlanDownWithExitCodes() throws Exception {
        assertThat(birdbath("init").exit()).isZero();
        assertThat(birdbath("init").err()).contains("birdbath.yaml already exists; pass --force");
        Files.writeString(dir.resolve("birdbath.yaml"), Files.readString(dir.resolve("birdbath.yaml"))
                .replace("nodes: 3", "nodes: 2"));

        Host.Result plan = birdbath("plan", "--exit-code");
        assertThat(plan.exit()).as(plan.err()).isEqualTo(2);
        assertThat(plan.out()).contains("+ instance  fancy-birdbath-1").contains("Plan: 9 to add, 0 to change, 0 to destroy.")
                .contains("Monthly cost: $52.00");
        Host.Result up = birdbath("up", "--only", "provision");
        assertThat(up.exit()).as(up.err()).isZero();
        assertThat(up.out()).contains("provision: changed");
        assertThat(birdbath("plan", "--exit-code").exit()).isZero();
        Host.Result again = birdbath("up", "--only", "provision");
        assertThat(again.out()).contains("provision: ok, nothing to change (2 nodes)");

        Host.Result nodes = birdbath("nodes", "--json");
        assertThat(nodes.out()).contains("\"name\" : \"fancy-birdbath-1\"", "\"private_ip\" : \"10.42.0.2\"",
                "\"roles\" : [ \"control-plane\", \"etcd\", \"storage\" ]", "\"user\" : \"root\"");

        Host.Result refused = birdbath("down");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("pass --yes");
        assertThat(birdbath("down", "--yes").exit()).isZero();
        assertThat(sim.counts()).containsEntry("instances", 0).containsEntry("volumes", 0).containsEntry("records", 0);
        for (String out : List.of(plan.out(), plan.err(), up.out(), up.err(), nodes.out(), refused.err())) {
            assertThat(out).doesNotContain(token).doesNotContain("Exception");
        }
    }

    @Test
    void pkiCommandsIssueListAndNeverPrintKeys() throws Exception {
        Files.writeString(dir.resolve("birdbath.yaml"), "cluster:\n  name: demo\n  nodes: 2\n  domain: example.com\n");
        assertThat(birdbath("pki", "list").err()).contains("no nodes yet").contains("run `birdbath up` first");
        Host.Result etcd = birdbath("etcd", "status");
        assertThat(etcd.exit()).isEqualTo(1);
        assertThat(etcd.err()).startsWith("error: ").contains("no nodes yet").doesNotContain("Exception");
        assertThat(birdbath("up", "--only", "provision").exit()).isZero();
        assertThat(birdbath("pki", "list").err()).contains("no cluster CA").contains("pki init");
        Host.Result init = birdbath("pki", "init");
        assertThat(init.out()).contains("created CN=birdbath demo CA,O=birdbath");
        assertThat(birdbath("pki", "init").err()).contains("already exists");
        Host.Result issue = birdbath("pki", "issue");
        assertThat(issue.out()).contains("nodes/demo-1", "issued (missing)", "clients/apiserver-etcd-client");
        assertThat(birdbath("pki", "issue").out()).doesNotContain("issued");
        Host.Result list = birdbath("pki", "list");
        assertThat(list.out()).contains("nodes/demo-2", "ok", "SANs:    DNS:demo-2, DNS:demo-2.example.com, IP:10.42.0.3");
        assertThat(birdbath("pki", "rotate").out()).contains("nodes/demo-1                   issued (rotated)");
        Host.Result render = birdbath("render", "pki", "--node", "demo-1");
        assertThat(render.out()).contains("/etc/birdbath/pki/node.key", "not shown", "BEGIN CERTIFICATE");
        for (Host.Result r : List.of(init, issue, list, render)) {
            assertThat(r.out() + r.err()).doesNotContain("PRIVATE KEY");
        }
        Host.Result bad = birdbath("pki", "import", "--cert", "nope.crt", "--key", "nope.key");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err().strip()).isEqualTo("error: nope.crt: no such file");
    }

    @Test
    void badConfigIsOneLineOnStderrAndExitOne() throws Exception {
        Files.writeString(dir.resolve("birdbath.yaml"), "cluster:\n  name: demo\n  nodes: many\n  domain: example.com\n");
        Host.Result r = birdbath("plan", "--exit-code");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("error: birdbath.yaml:3: cluster.nodes: expected a whole number, got 'many'");
        Host.Result missing = birdbath("plan", "-c", "nope.yaml");
        assertThat(missing.err().strip()).isEqualTo("error: nope.yaml: no such file; run `birdbath init` to write one,"
                + " or pass -c FILE");
        Host.Result usage = birdbath("up", "--frobnicate");
        assertThat(usage.exit()).isEqualTo(1);
        assertThat(usage.err()).contains("Unknown option: '--frobnicate'");
    }

    @Test
    void aRefusedTokenFailsFastAndIsNeverPrinted() throws Exception {
        sim.close();
        sim = LinodeSim.start(SimOptions.defaults().withTokens(java.util.Set.of("another")));
        Files.writeString(dir.resolve("birdbath.yaml"), "cluster:\n  name: demo\n  domain: example.com\n");
        Host.Result r = birdbath("plan");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("(401): Invalid Token").doesNotContain(token);
        assertThat(Files.readString(dir.resolve(".birdbath/logs/linode-api.log"))).doesNotContain(token);
    }
}
