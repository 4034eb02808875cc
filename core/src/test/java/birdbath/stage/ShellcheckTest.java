package birdbath.stage;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec;
import birdbath.config.ConfigLoader;
import birdbath.host.Host;
import birdbath.stage.kubernetes.KubeadmConfigs;
import birdbath.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every shell script a stage renders passes shellcheck (Debian's package; .ci/run installs it): each *.sh
 * template with its placeholders filled, and the kubernetes scripts as the stage renders them.
 */
class ShellcheckTest {

    @TempDir
    Path dir;

    @Test
    void everyRenderedShellScriptPassesShellcheck() throws Exception {
        TestHost.requireProgram("shellcheck");
        Map<String, String> scripts = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/resources/birdbath/stage"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".sh")).sorted().toList()) {
                scripts.put(p.toString(), Files.readString(p).replaceAll("\\{\\{[a-z][a-z0-9_]*}}", "value1"));
            }
        }
        assertThat(scripts).hasSizeGreaterThanOrEqualTo(6);
        Path config = dir.resolve("birdbath.yaml");
        Files.writeString(config, "cluster:\n  name: demo\n  nodes: 3\n  domain: example.com\n");
        ClusterSpec spec = new ConfigLoader(Map.of()).load(config, w -> { });
        KubeadmConfigs.scripts(spec).forEach((name, text) -> scripts.put("rendered " + name, text));
        for (Map.Entry<String, String> e : scripts.entrySet()) {
            Path f = dir.resolve("script.sh");
            Files.writeString(f, e.getValue());
            Host.Result r = Host.run(Duration.ofSeconds(60), "shellcheck", "-s", "sh", f.toString());
            assertThat(r.exit()).as(e.getKey() + ":\n" + r.out()).isZero();
        }
    }
}
