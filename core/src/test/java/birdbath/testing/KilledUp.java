package birdbath.testing;

import birdbath.Birdbath;
import birdbath.Reporter;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * `up` in its own JVM, killed with SIGKILL as soon as its output shows a line: a kill at a named point of a long
 * operation (no hook in birdbath; the line is what the user would see last). {@link #main} is that JVM.
 */
public final class KilledUp {

    private KilledUp() { }

    /** In the child: `up` of every stage for the config in args[0]; args[1] "--yes" allows removals. */
    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        new Birdbath(Path.of(args[0]), Map.of(), Reporter.into(out::println)).up(List.of(), null,
                args.length > 1 && args[1].equals("--yes"));
        out.println("UP FINISHED");
    }

    /**
     * Runs `up` for {@code config} and kills it when a line matches {@code killAt}; returns its output. Fails when
     * it ends or runs {@code minutes} without printing such a line.
     */
    public static String killAt(Path config, boolean yes, Pattern killAt, int minutes) throws IOException,
            InterruptedException {
        Path log = Files.createTempFile(config.getParent(), "killed-up", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-cp", System.getProperty("java.class.path"), KilledUp.class.getName(),
                config.toString()));
        if (yes) {
            command.add("--yes");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        try {
            while (System.nanoTime() < deadline) {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                if (text.lines().anyMatch(l -> killAt.matcher(l).find())) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                    return text;
                }
                if (!p.isAlive()) {
                    throw new AssertionError("up ended (exit " + p.exitValue() + ") before a line matched " + killAt
                            + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no line matched " + killAt + " in " + minutes + " min:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
