package birdbath.stage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.host.Host;
import birdbath.pki.Pki;
import birdbath.provider.Node;
import birdbath.Secret;
import birdbath.stage.apps.AppObjects;
import birdbath.stage.apps.AppSecrets;
import birdbath.stage.kubernetes.KubeadmConfigs;
import birdbath.stage.storage.StorageStage;
import birdbath.testkit.TestHost;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every value that reaches a file birdbath writes, replaced in turn by hostile values, is refused by the
 * template's writer or lands inert. The renderings are the real ones: every template as the stages, the
 * kubeadm configs, the storage manifests and the apps render it for the golden 3-node Linode cluster (see
 * {@link StageRenderTest}), recorded by {@link Template#observe}; then each String value of each template, one at
 * a time, becomes each hostile value. What "inert" means depends on the language:
 * <ul>
 * <li>shell: the rendered script runs in a sandbox (as nobody, without network, without PATH, so nothing but
 * the shell's builtins runs) and the marker, which the payloads only print when they are executed, never
 * appears. The same scripts filled by plain text substitution (what Template did before) do print it: the
 * sandbox can see an injection;</li>
 * <li>YAML: the document parses to the same tree as with the real value, with the hostile value as the very
 * scalar the real one was;</li>
 * <li>anything else: refused, since every hostile value has characters outside {@link Template#INERT}.</li>
 * </ul>
 */
class TemplateHostileValuesTest {

    /** Each prints PWNED only if executed (the text itself holds "PW%sED", never the marker). */
    static final List<String> HOSTILE = List.of(
            "x'; printf 'PW%sED' N; echo '",
            "$(printf 'PW%sED' N >&2)",
            "`printf 'PW%sED' N >&2`",
            "x\nprintf 'PW%sED' N\n",
            "x; printf 'PW%sED' N",
            "x\" && printf 'PW%sED' N && \"",
            "x || printf 'PW%sED' N #",
            "{{version}}",
            "x\\",
            "a b",
            "\uff44\uff45\uff4d\uff4f-1",
            "%n",
            "x: {y: z}\n- w",
            "a long value " + "with spaces, past the 80 columns where a YAML writer may fold it, ".repeat(3));
    static final String MARKER = "PWNED";

    @TempDir
    Path dir;

    @Test
    void everyTemplatedValueIsRefusedOrLandsInert() throws Exception {
        TestHost.requireRoot("runs rendered scripts as nobody in a network namespace of their own");
        Map<String, Template.Rendering> renderings = recordRenderings();
        assertThat(renderings.keySet()).as("every template under src/main/resources/birdbath/stage is rendered")
                .containsExactlyInAnyOrderElementsOf(allTemplates());
        int refused = 0;
        int quoted = 0;
        for (Template.Rendering r : renderings.values()) {
            for (Map.Entry<String, Object> var : r.vars().entrySet()) {
                if (!(var.getValue() instanceof String real)) {
                    continue; // a Fragment: made only of values that were themselves checked
                }
                String baseline = Template.render(r.path(), r.vars());
                for (String hostile : HOSTILE) {
                    Map<String, Object> vars = new LinkedHashMap<>(r.vars());
                    vars.put(var.getKey(), hostile);
                    String what = r.path() + " {{" + var.getKey() + "}} = " + hostile.replace("\n", "\\n");
                    String rendered;
                    try {
                        rendered = Template.render(r.path(), vars);
                    } catch (BirdbathException e) {
                        assertThat(e.getMessage()).as(what).contains(r.path()).contains("{{" + var.getKey() + "}}")
                                .doesNotContain("\n");
                        refused++;
                        continue;
                    }
                    quoted++;
                    switch (Template.Language.of(r.path())) {
                        case SHELL -> assertThat(runSandboxed(rendered)).as(what).doesNotContain(MARKER);
                        case YAML -> assertSameTreeWithScalar(baseline, rendered, real, hostile, what);
                        default -> throw new AssertionError(what + ": accepted by a writer that cannot quote:\n"
                                + rendered);
                    }
                }
            }
        }
        assertThat(refused).as("refusals").isPositive();
        assertThat(quoted).as("values quoted, then run or parsed").isPositive();
    }

    /** The control: the old plain substitution lets the sandbox see the payload run. */
    @Test
    void theSandboxSeesAnInjectionThatPlainSubstitutionLetsThrough() throws Exception {
        TestHost.requireRoot("runs rendered scripts as nobody in a network namespace of their own");
        Template.Rendering r = recordRenderings().get("etcd/install-etcd.sh");
        Map<String, Object> vars = new LinkedHashMap<>(r.vars());
        vars.put("url", "$(printf 'PW%sED' N >&2)");
        String text = new String(Template.class.getResourceAsStream("/birdbath/stage/etcd/install-etcd.sh")
                .readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = java.util.regex.Pattern.compile("\\{\\{([a-z0-9_]+)}}").matcher(text);
        String plain = m.replaceAll(v -> Matcher.quoteReplacement(String.valueOf(vars.get(v.group(1)))));
        assertThat(runSandboxed(plain)).contains(MARKER);
        assertThat(runSandboxed(Template.render(r.path(), vars))).doesNotContain(MARKER);
    }

    /** Whole YAML scalars stay strings: what YAML would read as a date, time, number or boolean is quoted. */
    @Test
    void aYamlScalarThatLooksLikeAnotherTypeIsQuoted() {
        for (String s : List.of("2024-01-01", "12:30", "0o17", "1e3", "017", "yes", "null", "~")) {
            assertThat(Template.yamlScalar(s)).as(s).isIn("\"" + s + "\"", "'" + s + "'");
        }
        for (String s : List.of("demo-1", "198.18.5.11", "10.244.0.0/16", "/var/lib/etcd", "sha256:00ff",
                "docker.io/flannel/flannel:v0.26.1")) {
            assertThat(Template.yamlScalar(s)).as(s).isEqualTo(s);
        }
    }

    @Test
    void aFragmentTakesOnlyInertValues() {
        assertThatThrownBy(() -> Template.Fragment.of("%s\tdemo\n", "198.18.0.1\n0.0.0.0 evil"))
                .isInstanceOf(BirdbathException.class).hasMessageContaining("fragment");
        assertThat(Template.Fragment.join(", ", List.of("198.18.0.1", "198.18.0.2")).text())
                .isEqualTo("198.18.0.1, 198.18.0.2");
    }

    /** The first rendering of each template, as the stages, kubeadm, storage and the apps make them. */
    private Map<String, Template.Rendering> recordRenderings() throws Exception {
        StageContext context = StageRenderTest.linodeCluster(dir.resolve("linode"));
        ClusterSpec apps = appsCluster();
        Map<String, Template.Rendering> first = new LinkedHashMap<>();
        List<Exception> failures = new ArrayList<>();
        Template.observe(r -> first.putIfAbsent(r.path(), r), () -> {
            try {
                for (Stage stage : Pipeline.STAGES) {
                    for (Node node : context.nodes()) {
                        stage.files(context, node);
                    }
                }
                StageContext duo = StageRenderTest.localDuo(dir); // libipsec's files
                duo.nodes().forEach(n -> Pipeline.named("ipsec").files(duo, n));
                KubeadmConfigs.scripts(context.spec());
                Node last = context.nodes().get(context.nodes().size() - 1);
                KubeadmConfigs.join(context.spec(), last, "abcdef.0123456789abcdef", "sha256:00ff", true);
                StorageStage.manifests();
                AppObjects.build(apps, new AppSecrets(apps.stateDir(), new SecureRandom()), new Pki.ServiceTls(
                        "-----BEGIN CERTIFICATE-----\nCA\n", "-----BEGIN CERTIFICATE-----\nSERVER\n",
                        new Secret("-----BEGIN PRIVATE KEY-----\nK\n")), "admin:$2y$10$abc\n");
                // what etcd's membership and restore write at run time, with the values they use
                Template.render("etcd/initial.env", Map.of("name", "demo-1", "initial_cluster",
                        "demo-1=https://198.18.5.11:2380", "state", "new", "token", "birdbath-demo"));
                Template.render("etcd/restore.sh", Map.of("name", "demo-1", "snapshot", "/root/etcd.snapshot",
                        "data_dir", "/var/lib/etcd", "stamp", "20261130T220000", "initial_cluster",
                        "demo-1=https://198.18.5.11:2380", "token", "birdbath-demo", "peer_url",
                        "https://198.18.5.11:2380"));
            } catch (Exception e) {
                failures.add(e);
            }
        });
        assertThat(failures).isEmpty();
        return first;
    }

    private ClusterSpec appsCluster() throws Exception {
        Path file = dir.resolve("apps/birdbath.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "cluster:\n  name: demo\n  nodes: 3\n  domain: example.com\napps:\n"
                + "  acme_email: me@example.com\nbackups:\n  keep: 3\n");
        return new ConfigLoader(Map.of()).load(file, w -> { });
    }

    private static List<String> allTemplates() throws Exception {
        Path root = Path.of("src/main/resources/birdbath/stage");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /**
     * Runs {@code script} with /bin/sh as nobody, in a network namespace of its own, with an empty environment
     * and no PATH (only builtins run), for at most half a second; returns what it printed on both streams.
     */
    private String runSandboxed(String script) throws Exception {
        // not under the test's own directory, which nobody cannot enter
        Path box = Files.createTempDirectory("birdbath-sandbox");
        try {
            Files.setPosixFilePermissions(box, PosixFilePermissions.fromString("rwxrwxrwx"));
            Path file = box.resolve("script.sh");
            Files.writeString(file, script);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            // ipsec-keeper.sh loops for ever: half a second is long past its assignments, where a payload runs
            Host.Result r = Host.run(Duration.ofSeconds(10), "timeout", "0.5", "unshare", "--net", "--", "setpriv",
                    "--reuid=65534",
                    "--regid=65534", "--clear-groups", "--", "env", "-i", "PATH=/nonexistent", "HOME=" + box,
                    "/bin/sh", "-c", "cd \"$HOME\" && . ./script.sh", "sandbox");
            return r.out() + r.err();
        } finally {
            Host.check(Duration.ofSeconds(10), "rm", "-rf", box.toString());
        }
    }

    /** The two documents parse to the same trees but for the scalar(s) that were {@code real}, now {@code hostile}. */
    private static void assertSameTreeWithScalar(String baseline, String rendered, String real, String hostile,
                                                 String what) throws Exception {
        List<JsonNode> before = documents(baseline);
        List<JsonNode> after = documents(rendered);
        assertThat(after).as(what + ": documents").hasSameSizeAs(before);
        int[] swapped = {0};
        for (int i = 0; i < before.size(); i++) {
            compare(before.get(i), after.get(i), real, hostile, what, swapped);
        }
        assertThat(swapped[0]).as(what + ": the scalar that holds it").isPositive();
    }

    private static void compare(JsonNode a, JsonNode b, String real, String hostile, String what, int[] swapped) {
        assertThat(b.getNodeType()).as(what).isEqualTo(a.getNodeType());
        if (a.isValueNode()) {
            if (a.isTextual() && a.asText().equals(real) && b.asText().equals(hostile)) {
                swapped[0]++;
            } else if (a.isTextual() && !b.equals(a) && a.asText().contains(real)) {
                // YAML inside a string (a ConfigMap's file): the same comparison, one level down
                List<JsonNode> inner = documents(a.asText());
                List<JsonNode> hostileInner = documents(b.asText());
                assertThat(hostileInner).as(what + ": documents inside a string").hasSameSizeAs(inner);
                for (int i = 0; i < inner.size(); i++) {
                    compare(inner.get(i), hostileInner.get(i), real, hostile, what, swapped);
                }
            } else {
                assertThat(b).as(what).isEqualTo(a);
            }
            return;
        }
        assertThat(new TreeSet<>(names(b))).as(what + ": keys").isEqualTo(new TreeSet<>(names(a)));
        assertThat(b.size()).as(what).isEqualTo(a.size());
        if (a.isArray()) {
            for (int i = 0; i < a.size(); i++) {
                compare(a.get(i), b.get(i), real, hostile, what, swapped);
            }
        } else {
            a.fieldNames().forEachRemaining(f -> compare(a.get(f), b.get(f), real, hostile, what, swapped));
        }
    }

    private static List<String> names(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static List<JsonNode> documents(String yaml) {
        List<JsonNode> docs = new ArrayList<>();
        YAMLMapper mapper = new YAMLMapper();
        try (var it = mapper.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("not YAML: " + e.getMessage() + "\n" + yaml, e);
        }
        return docs;
    }
}
