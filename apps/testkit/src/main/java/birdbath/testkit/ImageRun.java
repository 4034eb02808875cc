package birdbath.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An app's image tarball (docker-save format, as Jib writes it) run without a container runtime: its layers
 * unpacked in order, its entrypoint (looked up on the image's PATH, as a runtime does) started with the image's
 * environment and user in a chroot with its own PID namespace, /proc and the host's /dev. Needs root.
 */
public final class ImageRun implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path root;
    public final String repoTag;
    public final JsonNode config;
    private final Path dir;
    private Process process;

    /** Unpacks {@code tar} under {@code dir} (which it makes world-readable: the image's user walks its root). */
    public ImageRun(Path tar, Path dir) throws Exception {
        TestHost.requireRoot("the image's service runs in its own mount and PID namespaces, as its own user");
        this.dir = dir;
        Path image = Files.createDirectories(dir.resolve("image"));
        Commands.run("tar", "-xf", tar.toString(), "-C", image.toString());
        JsonNode manifest = JSON.readTree(image.resolve("manifest.json").toFile()).get(0);
        repoTag = manifest.path("RepoTags").get(0).asText();
        root = Files.createDirectories(dir.resolve("rootfs"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (JsonNode layer : manifest.path("Layers")) {
            Commands.run("tar", "--warning=no-unknown-keyword", "-xzf", image.resolve(layer.asText()).toString(),
                    "-C", root.toString());
        }
        config = JSON.readTree(image.resolve(manifest.path("Config").asText()).toFile()).path("config");
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
    }

    public String user() {
        return config.path("User").asText();
    }

    /** Starts the entrypoint with the image's environment plus {@code env}; output goes to {@link #log()}. */
    public Process start(Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child",
                "--mount-proc=" + root.resolve("proc"), "sh", "-c",
                "mount --rbind /dev \"$0/dev\" && shift && exec env -i \"$@\"", root.toString()));
        String path = "";
        for (JsonNode e : config.path("Env")) {
            cmd.add(e.asText());
            if (e.asText().startsWith("PATH=")) {
                path = e.asText().substring(5);
            }
        }
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("/usr/sbin/chroot", "--userspec=" + user() + ":" + user(), root.toString()));
        List<String> entrypoint = new ArrayList<>();
        config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
        String program = entrypoint.get(0);
        for (String d : path.split(":")) {
            if (!program.contains("/") && Files.isExecutable(root.resolve(d.substring(1)).resolve(program))) {
                program = d + "/" + program;
            }
        }
        cmd.add(program);
        cmd.addAll(entrypoint.subList(1, entrypoint.size()));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log().toFile()).start();
        return process;
    }

    public Path log() {
        return dir.resolve("image.log");
    }

    /**
     * Ends the service. It is PID 1 of its PID namespace, so ending it ends the namespace; it runs as another
     * user, so unshare's --kill-child (a parent-death signal) no longer reaches it: its process tree is killed.
     */
    @Override
    public void close() throws Exception {
        if (process != null) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
