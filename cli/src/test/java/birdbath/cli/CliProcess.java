package birdbath.cli;

import birdbath.host.Host;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs `birdbath` as the user does: its own JVM, its own environment, output captured to files. */
final class CliProcess {

    private CliProcess() { }

    static Process start(Path workDir, Map<String, String> env, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, "-XX:TieredStopAtLevel=1", "birdbath.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectOutput(workDir.resolve("out.txt").toFile()).redirectError(workDir.resolve("err.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().remove("LINODE_TOKEN");
        pb.environment().remove("LINODE_API_URL");
        pb.environment().putAll(env);
        return pb.start();
    }

    static Host.Result run(Path workDir, Map<String, String> env, String... args) throws Exception {
        Process p = start(workDir, env, args);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("birdbath " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Host.Result(p.exitValue(), Files.readString(workDir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(workDir.resolve("err.txt"), StandardCharsets.UTF_8));
    }
}
