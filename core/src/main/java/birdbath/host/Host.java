package birdbath.host;

import birdbath.BirdbathException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands on this machine (ip, losetup, mount, debootstrap...), each bounded in time, failures with stderr. */
public final class Host {

    /** What a command printed and how it ended. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }
    }

    private Host() { }

    /** Runs and returns the result whatever the exit code. */
    public static Result run(Duration timeout, String... command) {
        return run(timeout, null, List.of(command));
    }

    public static Result run(Duration timeout, Path log, List<String> command) {
        return run(timeout, log, null, command);
    }

    /** With {@code stdin} as the command's input (kept in a 0600 temporary file while it runs: it may be a secret). */
    public static Result run(Duration timeout, byte[] stdin, String... command) {
        return run(timeout, null, stdin, List.of(command));
    }

    private static Result run(Duration timeout, Path log, byte[] stdin, List<String> command) {
        try {
            Path out = Files.createTempFile("birdbath-cmd", ".out");
            Path err = Files.createTempFile("birdbath-cmd", ".err");
            Path in = stdin == null ? null : Files.createTempFile("birdbath-cmd", ".in");
            try {
                if (in != null) {
                    Files.write(in, stdin); // createTempFile makes it 0600
                }
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(in != null ? in.toFile() : new File("/dev/null")))
                        .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                    throw new BirdbathException("`" + String.join(" ", command) + "` did not finish in "
                            + timeout.toSeconds() + " s");
                }
                Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
                if (log != null) {
                    Files.createDirectories(log.getParent());
                    Files.writeString(log, "$ " + String.join(" ", command) + "\n" + r.out() + r.err()
                            + "(exit " + r.exit() + ")\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
                return r;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                if (in != null) {
                    Files.deleteIfExists(in);
                }
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot run `" + command.get(0) + "`: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("interrupted while running `" + command.get(0) + "`");
        }
    }

    /** Runs and fails, naming the command and the tail of its stderr, unless it exits 0. */
    public static String check(Duration timeout, String... command) {
        Result r = run(timeout, command);
        if (!r.ok()) {
            throw new BirdbathException("`" + String.join(" ", command) + "` failed (exit " + r.exit() + "): "
                    + tail(r.err().isBlank() ? r.out() : r.err()));
        }
        return r.out();
    }

    /** The last few lines of a command's output, for error messages. */
    public static String tail(String text) {
        List<String> lines = new ArrayList<>(text.strip().lines().toList());
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    /** Whether a program is on the PATH. */
    public static boolean has(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }
}
