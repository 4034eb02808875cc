package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kubeconfig renaming and merging against sample files that hold other clusters' contexts. */
class KubeconfigsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static final String ADMIN_CONF = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: Q0EK
                server: https://demo-api.example.com:6443
              name: demo
            contexts:
            - context:
                cluster: demo
                user: kubernetes-admin
              name: kubernetes-admin@demo
            current-context: kubernetes-admin@demo
            kind: Config
            preferences: {}
            users:
            - name: kubernetes-admin
              user:
                client-certificate-data: Q0VSVAo=
                client-key-data: S0VZCg==
            """;

    static final String OTHERS = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: "https://prod.example.org:6443"}
            - name: demo
              cluster: {server: "https://old-demo:6443"}
            users:
            - name: prod-admin
              user: {token: prod-token}
            contexts:
            - name: prod
              context: {cluster: prod, user: prod-admin, namespace: web}
            current-context: prod
            preferences: {colors: true}
            """;

    @TempDir
    Path dir;

    private static List<String> names(JsonNode doc, String section) {
        List<String> out = new ArrayList<>();
        doc.path(section).forEach(e -> out.add(e.path("name").asText()));
        return out;
    }

    @Test
    void adminConfIsRenamedAfterTheCluster() throws Exception {
        JsonNode doc = YAML.readTree(Kubeconfigs.renamed(ADMIN_CONF, "demo"));
        assertThat(names(doc, "clusters")).containsExactly("demo");
        assertThat(names(doc, "users")).containsExactly("demo-admin");
        assertThat(names(doc, "contexts")).containsExactly("demo");
        assertThat(doc.at("/contexts/0/context/user").asText()).isEqualTo("demo-admin");
        assertThat(doc.path("current-context").asText()).isEqualTo("demo");
        assertThat(doc.at("/users/0/user/client-key-data").asText()).isEqualTo("S0VZCg==");
    }

    @Test
    void mergeKeepsOtherContextsAndTheCurrentOneAndReplacesItsOwn() throws Exception {
        Path target = dir.resolve("config");
        Files.writeString(target, OTHERS);
        String ours = Kubeconfigs.renamed(ADMIN_CONF, "demo");
        assertThat(Kubeconfigs.merge(target, ours)).isEqualTo("replaced");
        JsonNode doc = YAML.readTree(Files.readString(target));
        assertThat(names(doc, "clusters")).containsExactly("prod", "demo");
        assertThat(doc.at("/clusters/1/cluster/server").asText()).isEqualTo("https://demo-api.example.com:6443");
        assertThat(names(doc, "users")).containsExactly("prod-admin", "demo-admin");
        assertThat(names(doc, "contexts")).containsExactly("prod", "demo");
        assertThat(doc.at("/contexts/0/context/namespace").asText()).isEqualTo("web");
        assertThat(doc.path("current-context").asText()).as("the user's choice stays").isEqualTo("prod");
        assertThat(doc.at("/preferences/colors").asBoolean()).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");

        String once = Files.readString(target);
        Kubeconfigs.merge(target, ours);
        assertThat(Files.readString(target)).as("merging twice changes nothing").isEqualTo(once);
    }

    @Test
    void mergeIntoAMissingFileCreatesItWithOurContextCurrent() throws Exception {
        Path target = dir.resolve("new/config");
        assertThat(Kubeconfigs.merge(target, Kubeconfigs.renamed(ADMIN_CONF, "demo"))).isEqualTo("added");
        JsonNode doc = YAML.readTree(Files.readString(target));
        assertThat(doc.path("current-context").asText()).isEqualTo("demo");
        assertThat(doc.path("kind").asText()).isEqualTo("Config");
    }

    @Test
    void aBrokenKubeconfigIsRefusedAndLeftAsItWas() throws Exception {
        Path target = dir.resolve("config");
        Files.writeString(target, "clusters: [not, named]\n");
        assertThatThrownBy(() -> Kubeconfigs.merge(target, Kubeconfigs.renamed(ADMIN_CONF, "demo")))
                .hasMessageContaining(target + ": clusters is not a list of named entries");
        assertThat(Files.readString(target)).isEqualTo("clusters: [not, named]\n");
        Files.writeString(target, "clusters: [\n");
        assertThatThrownBy(() -> Kubeconfigs.merge(target, Kubeconfigs.renamed(ADMIN_CONF, "demo")))
                .hasMessageContaining(target + " is not valid YAML");
    }
}
