package birdbath.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.config.ClusterSpec.NetworkMode;
import birdbath.config.ClusterSpec.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final String VALID = """
            provider: linode
            cluster:
              name: demo
              nodes: 3
              domain: example.com
            """;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private ClusterSpec load(String yaml, Map<String, String> env) throws IOException {
        Path file = dir.resolve("birdbath.yaml");
        Files.writeString(file, yaml);
        return new ConfigLoader(env).load(file, warnings::add);
    }

    /**
     * Each bad config gives exactly one line naming the file, the line, the field and what was expected.
     * Columns: YAML (\n for newlines), expected line number, expected start after "file:line: ", expected phrase.
     */
    /** Values meant to change what a file on the nodes means, or to pass for something they are not. */
    static final List<String> HOSTILE = List.of("a\"b", "a'b", "$(touch /tmp/pwned)", "`id`", "a\nb", "a;b",
            "{{acme_email}}", "a\\b", "a b", "\uff45xample");

    /** Each config field whose value reaches a file on the nodes, as a YAML document with the value in it. */
    static final Map<String, java.util.function.Function<String, String>> NODE_FIELDS = Map.ofEntries(
            Map.entry("cluster.name", v -> "cluster:\n  name: " + q("demo" + v) + "\n  domain: example.com\n"),
            Map.entry("cluster.domain", v -> "cluster:\n  name: demo\n  domain: " + q("ex" + v + ".com") + "\n"),
            Map.entry("etcd.download_url", v -> "cluster:\n  name: demo\n  domain: example.com\netcd:\n  version: 3.5.24\n"
                    + "  sha256: " + "a".repeat(64) + "\n  download_url: " + q("https://example.com/" + v + "/x.tgz")
                    + "\n"),
            Map.entry("etcd.version", v -> "cluster:\n  name: demo\n  domain: example.com\netcd:\n  version: "
                    + q("3.5.24" + v) + "\n  sha256: " + "a".repeat(64) + "\n"),
            Map.entry("kubernetes.version", v -> "cluster:\n  name: demo\n  domain: example.com\nkubernetes:\n  version: "
                    + q("1.36.4" + v) + "\n"),
            Map.entry("kubernetes.pod_cidr", v -> "cluster:\n  name: demo\n  domain: example.com\nkubernetes:\n  pod_cidr: "
                    + q("10.244.0.0/16" + v) + "\n"),
            Map.entry("networking.vpc_subnet", v -> "cluster:\n  name: demo\n  domain: example.com\nnetworking:\n"
                    + "  vpc_subnet: " + q("10.42.0.0/24" + v) + "\n"),
            Map.entry("apps.acme_email", v -> "cluster:\n  name: demo\n  domain: example.com\napps:\n  acme_email: "
                    + q("me" + v + "@example.com") + "\n"),
            Map.entry("apps.haircolor.host", v -> "cluster:\n  name: demo\n  domain: example.com\napps:\n  acme_email: a@b.io\n"
                    + "  haircolor:\n    host: " + q("hair" + v + ".example.com") + "\n"),
            Map.entry("backups.schedule", v -> "cluster:\n  name: demo\n  domain: example.com\nbackups:\n  schedule: "
                    + q("07:30" + v) + "\n"),
            Map.entry("local.mirror", v -> "provider: local\ncluster:\n  name: demo\nlocal:\n  mirror: "
                    + q("http://deb.example.org/" + v) + "\n"));

    /** A YAML double-quoted scalar holding exactly {@code v} (JSON's string syntax is YAML's too). */
    private static String q(String v) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * No config value can change the meaning of a file birdbath writes on a node: every field that reaches one,
     * given each hostile value (quotes, $(...), backticks, a newline, ;, a template's {{...}}, a backslash, a
     * space, a look-alike letter), is refused at load with one line naming the field.
     */
    @Test
    void everyHostileValueInAFieldThatReachesANodeIsRefusedAtLoadNamingTheField() {
        List<String> accepted = new ArrayList<>();
        NODE_FIELDS.forEach((field, yaml) -> {
            for (String v : HOSTILE) {
                try {
                    load(yaml.apply(v), Map.of());
                    accepted.add(field + " = " + q(v));
                } catch (ConfigException e) {
                    assertThat(e.problems()).as(field + " " + q(v)).anySatisfy(p -> assertThat(p)
                            .contains(field + ":").doesNotContain("\n"));
                } catch (Exception e) {
                    throw new AssertionError(field + " " + q(v) + ": " + e, e);
                }
            }
        });
        assertThat(accepted).as("hostile values a node file would have received").isEmpty();
    }

    @ParameterizedTest(name = "{index}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            ''                                                                 | 1 | the file is empty         | cluster.name
            'cluster: [unclosed'                                               | 1 | not valid YAML            | ''
            'clusterr:\\n  name: x'                                            | 1 | unknown field 'clusterr'  | expected one of: apps, backups, cluster, etcd, ipsec, kubernetes, linode, local, networking, provider, storage
            'cluster:\\n  name: demo\\n  nodez: 3'                             | 3 | unknown field 'cluster.nodez' | expected one of: domain, name, nodes
            'cluster:\\n  name: demo\\n  nodes: three\\n  domain: example.com' | 3 | cluster.nodes: expected a whole number | got 'three'
            'cluster:\\n  name: demo\\n  nodes: 2.5\\n  domain: example.com'   | 3 | cluster.nodes: expected a whole number | ''
            'cluster:\\n  name: demo\\n  nodes: 0\\n  domain: example.com'     | 3 | cluster.nodes: expected a number from 1 to 500 | got 0
            'cluster:\\n  nodes: 3\\n  domain: example.com'                    | 1 | cluster.name: missing     | fancy-birdbath
            'cluster:\\n  name: Fancy_Birdbath\\n  domain: example.com'        | 2 | cluster.name: 'Fancy_Birdbath' is not a valid name | lowercase letters
            'cluster:\\n  name: abcdefghijklmnopqrstuvwxyz0123\\n  domain: example.com' | 2 | cluster.name: 'abcdefghijklmnopqrstuvwxyz0123' is not a valid name | at most 28 characters
            'cluster:\\n  name: demo\\n  nodes: 3'                             | 1 | cluster.domain: missing   | Linode hosts
            'cluster:\\n  name: demo\\n  domain: not a domain'                 | 3 | cluster.domain: 'not a domain' is not a domain name | example.com
            'provider: aws\\ncluster:\\n  name: demo\\n  domain: example.com'  | 1 | provider: expected 'linode' or 'local' | got 'aws'
            'cluster:\\n  name: demo\\n  domain: example.com\\nlinode:\\n  distro: linode/ubuntu17.04' | 5 | linode.distro: 'linode/ubuntu17.04' is no longer offered | linode/debian12
            'cluster:\\n  name: demo\\n  domain: example.com\\nnetworking:\\n  mode: public' | 5 | networking.mode: expected 'vpc' | got 'public'
            'cluster:\\n  name: demo\\n  domain: example.com\\nnetworking:\\n  vpc_subnet: 192.168.130.0/24' | 5 | networking.vpc_subnet: '192.168.130.0/24' is not usable | outside 192.168.128.0/17
            'cluster:\\n  name: demo\\n  domain: example.com\\nnetworking:\\n  allowed_cidrs: [everyone]' | 5 | networking.allowed_cidrs[0]: 'everyone' is not an address range | CIDR
            'cluster:\\n  name: demo\\n  domain: example.com\\nnetworking:\\n  public_cidrs: [0.0.0.0/0, the world]' | 5 | networking.public_cidrs[1]: 'the world' is not an address range | CIDR
            'cluster:\\n  name: demo\\n  domain: example.com\\nkubernetes:\\n  control_plane: 3\\nnetworking:\\n  vpc_subnet: 10.42.0.0/29' | 7 | networking.vpc_subnet: 10.42.0.0/29 has no room for 3 nodes and the API's NodeBalancer | a /30 at the top of a /28 or larger
            'cluster:\\n  name: demo\\n  domain: example.com\\n  nodes: 7\\nkubernetes:\\n  control_plane: 3\\nnetworking:\\n  vpc_subnet: 10.42.0.0/28' | 8 | networking.vpc_subnet: 10.42.0.0/28 has no room for 7 nodes | 10.42.0.8/30
            'cluster:\\n  name: demo\\n  domain: example.com\\netcd:\\n  members: 2' | 5 | etcd.members: expected an odd number from 1 to 7 | got 2
            'cluster:\\n  name: demo\\n  domain: example.com\\netcd:\\n  version: latest' | 5 | etcd.version: expected 'distro' or a release | got 'latest'
            'cluster:\\n  name: demo\\n  domain: example.com\\netcd:\\n  version: 3.5.21' | 4 | etcd.sha256: etcd.version 3.5.21 needs the SHA-256 | SHA256SUMS
            'cluster:\\n  name: demo\\n  domain: example.com\\netcd:\\n  sha256: abc' | 5 | etcd.sha256: expected the tarball's SHA-256 | 64 lowercase hex digits
            'cluster:\\n  name: demo\\n  domain: example.com\\netcd:\\n  election_timeout_ms: 500' | 5 | etcd.election_timeout_ms: expected at least 5 x etcd.heartbeat_interval_ms | got 500
            'cluster:\\n  name: demo\\n  domain: example.com\\nkubernetes:\\n  version: latest' | 5 | kubernetes.version: expected a Kubernetes release | got 'latest'
            'cluster:\\n  name: demo\\n  domain: example.com\\nkubernetes:\\n  pod_cidr: 10.42.0.0/16' | 5 | kubernetes.pod_cidr: 10.42.0.0/16 overlaps the nodes' private network 10.42.0.0/24 | ''
            'cluster:\\n  name: demo\\n  domain: example.com\\nkubernetes:\\n  service_cidr: 10.244.0.0/20' | 5 | kubernetes.service_cidr: 10.244.0.0/20 overlaps kubernetes.pod_cidr | ''
            'cluster:\\n  name: demo\\n  domain: example.com\\nlinode:\\n  ssh_keys:\\n    - ./missing.pub' | 6 | linode.ssh_keys[0]: './missing.pub' is neither a public key nor a readable file | missing.pub
            'cluster: demo'                                                   | 1 | cluster: expected a section of 'key: value' lines | ''
            'cluster:\\n  name: demo\\n  domain: example.com\\nlinode:\\n  group: other' | 5 | linode.group: 'other' differs from cluster.name 'demo' | keep one
            'cluster:\\n  name: demo\\n  domain: example.com\\nstorage:\\n  volume_size_gb: 5' | 5 | storage.volume_size_gb: expected a number from 10 to 10240 | got 5
            'cluster:\\n  name: demo\\n  domain: example.com\\nbackups:\\n  schedule: \"7:30\"' | 5 | backups.schedule: expected 'hourly', 'daily', 'weekly' or a time of day HH:MM (UTC) | got '7:30'
            'cluster:\\n  name: demo\\n  domain: example.com\\nbackups:\\n  keep: 0' | 5 | backups.keep: expected a number from 1 to 1000 | got 0
            'cluster:\\n  name: demo\\n  domain: example.com\\nlinode:\\n  type: [g6-nanode-1, g6-standard-1]' | 5 | linode.type: expected a single value | ''
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  ingress_node: 1' | 4 | apps.acme_email: missing | Let's Encrypt
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: me-at-example' | 5 | apps.acme_email: 'me-at-example' is not an e-mail address | ''
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  ingress_node: 4' | 6 | apps.ingress_node: expected a node number from 1 to 3 | got 4
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  haircolor:\\n    host: hair.example.org' | 7 | apps.haircolor.host: 'hair.example.org' is outside the cluster's domain example.com | ending in .example.com
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  postgres:\\n    enabled: false' | 4 | apps.owntracks2db: needs apps.postgres and apps.mosquitto | enabled: false
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  postgres:\\n    users: [x]' | 7 | unknown field 'apps.postgres.users' | expected one of: enabled, size_gb
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  mosquitto:\\n    host: haircolor' | 4 | apps: two apps have the same host | give each its own
            'cluster:\\n  name: demo\\n  domain: example.com\\napps:\\n  acme_email: a@b.io\\n  mosquitto:\\n    users: [\"bad user\"]' | 7 | apps.mosquitto.users: 'bad user' is not usable as a user name | ''
            """)
    void badConfigsGiveOneClearLine(String yaml, int line, String start, String phrase) {
        String text = yaml.replace("\\n", "\n");
        Path file = dir.resolve("birdbath.yaml");
        assertThatThrownBy(() -> load(text, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(1);
                    String msg = e.problems().get(0);
                    assertThat(msg).doesNotContain("\n").startsWith(file + ":" + line + ": " + start).contains(phrase);
                    assertThat(msg).doesNotContain("Exception").doesNotContain("at com.");
                });
    }

    @Test
    void validConfigGetsDefaults() throws IOException {
        ClusterSpec spec = load(VALID, Map.of());
        assertThat(spec.nodeLabel(2)).isEqualTo("demo-2");
        assertThat(spec.fqdn(1)).isEqualTo("demo-1.example.com");
        assertThat(spec.linode().region()).isEqualTo("us-east");
        assertThat(spec.linode().image()).isEqualTo("linode/debian12");
        assertThat(spec.network().mode()).isEqualTo(NetworkMode.VPC);
        assertThat(spec.roles(1)).containsExactlyInAnyOrder(Role.CONTROL_PLANE, Role.ETCD, Role.STORAGE);
        assertThat(spec.roles(3)).containsExactlyInAnyOrder(Role.WORKER, Role.ETCD, Role.STORAGE);
        assertThat(spec.stateDir()).isEqualTo(dir.resolve(".birdbath"));
        assertThat(warnings).isEmpty();
    }

    @Test
    void linodeNodesGetThePinnedEtcdReleaseAndLocalNodesTheDistributionsUnlessTheConfigSaysOtherwise()
            throws IOException {
        ClusterSpec.EtcdSpec linode = load(VALID, Map.of()).etcd();
        assertThat(linode.version()).isEqualTo(ClusterSpec.EtcdSpec.PINNED_VERSION);
        assertThat(linode.sha256()).isEqualTo(ClusterSpec.EtcdSpec.PINNED_SHA256);
        assertThat(load(VALID + "etcd:\n  version: distro\n", Map.of()).etcd().version()).isNull();
        assertThat(load(VALID.replace("provider: linode", "provider: local"), Map.of()).etcd().version()).isNull();
        ClusterSpec.EtcdSpec other = load(VALID + "etcd:\n  version: 3.5.30\n  sha256: " + "a".repeat(64) + "\n",
                Map.of()).etcd();
        assertThat(other.version()).isEqualTo("3.5.30");
        assertThat(other.sha256()).isEqualTo("a".repeat(64));
    }

    @Test
    void acceptsTheOriginalProjectsConfigAndMapsRetiredValues() throws IOException {
        String original = """
                linode:
                  token:
                  # Use this to group all of the VMs used for your cluster
                  group: fancy-birdbath
                  region: us-east-1a
                  type: g5-standard-1
                  distro: linode/debian12
                  root_pass:
                  root_ssh_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests user@host
                cluster:
                  nodes: 3
                  domain: example.com
                """;
        ClusterSpec spec = load(original, Map.of());
        assertThat(spec.name()).isEqualTo("fancy-birdbath");
        assertThat(spec.linode().region()).isEqualTo("us-east");
        assertThat(spec.linode().type()).isEqualTo("g6-standard-1");
        assertThat(spec.linode().sshKeys()).containsExactly(
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests user@host");
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains(":5: linode.region: 'us-east-1a' is the old name of 'us-east'");
        assertThat(warnings.get(1)).contains(":6: linode.type: 'g5-standard-1' is retired");
    }

    @Test
    void anAppsSectionWithOnlyAnEmailRunsEveryAppWithItsDefaults() throws IOException {
        AppsSpec apps = load(VALID + "apps:\n  acme_email: me@example.com\n", Map.of()).apps();
        assertThat(apps.any()).isTrue();
        assertThat(apps.ingressNode()).isEqualTo(1);
        assertThat(apps.hosts()).containsExactly("traefik.example.com", "mqtt.example.com", "haircolor.example.com");
        assertThat(apps.postgres().sizeGb()).isEqualTo(3);
        assertThat(apps.mosquitto().sizeGb()).isEqualTo(1);
        assertThat(apps.mosquitto().users()).containsExactly("owntracks", "owntracks2db");
        assertThat(apps.owntracks2db()).isTrue();
        assertThat(load(VALID, Map.of()).apps()).isEqualTo(AppsSpec.NONE);
        AppsSpec some = load(VALID + "apps:\n  acme_email: me@example.com\n  owntracks2db: {enabled: false}\n"
                + "  mosquitto:\n    host: broker.example.com\n    users: [alice]\n  haircolor:\n    enabled: false\n",
                Map.of()).apps();
        assertThat(some.hosts()).containsExactly("traefik.example.com", "broker.example.com");
        assertThat(some.mosquitto().users()).containsExactly("alice");
    }

    @Test
    void theOriginalsUbuntu1704IsRefusedWithAHint() {
        assertThatThrownBy(() -> load("linode:\n  group: g\n  distro: linode/ubuntu17.04\ncluster:\n  domain: example.com",
                Map.of())).hasMessageContaining("linode.distro: 'linode/ubuntu17.04' is no longer offered by Linode;"
                + " expected a current image such as linode/debian12");
    }

    @Test
    void aTokenInTheFileIsWarnedAboutAndNeverEchoed() throws IOException {
        ClusterSpec spec = load(VALID + "linode:\n  token: tok-in-file-777\n", Map.of("LINODE_TOKEN", "env-tok"));
        assertThat(warnings).singleElement().asString().contains("LINODE_TOKEN").contains("wins")
                .doesNotContain("tok-in-file-777");
        assertThat(spec.linode().token().toString()).doesNotContain("tok-in-file-777");
        assertThat(spec.toString()).doesNotContain("tok-in-file-777");
    }

    @Test
    void reportsEveryValidationProblemAtOnce() {
        assertThatThrownBy(() -> load("cluster:\n  name: Bad_Name\n  nodes: 0\n", Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(3));
    }

    @Test
    void readsSshKeysFromPublicKeyFilesAndRefusesPrivateOnes() throws IOException {
        Files.writeString(dir.resolve("me.pub"), "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake me@x\n");
        Files.writeString(dir.resolve("me"), "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
        ClusterSpec spec = load(VALID + "linode:\n  ssh_keys: [me.pub]\n", Map.of());
        assertThat(spec.linode().sshKeys()).containsExactly("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake me@x");
        assertThatThrownBy(() -> load(VALID + "linode:\n  ssh_keys: [me]\n", Map.of()))
                .hasMessageContaining("does not hold an OpenSSH public key").hasMessageNotContaining("abc");
    }
}
