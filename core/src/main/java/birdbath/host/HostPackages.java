package birdbath.host;

import birdbath.BirdbathException;
import birdbath.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Programs birdbath runs on this machine and the Debian packages that have them. What is missing is installed with
 * apt-get on Debian and Ubuntu when the user lets it (said before it is done), or named with the command that
 * installs it.
 */
public final class HostPackages {

    /** A program, and the Debian package that has it. */
    public record Tool(String program, String debianPackage) { }

    /** Either the packages to install, or why not and what the user can do instead. */
    record Decision(List<String> install, String refusal) { }

    private static final Path OS_RELEASE = Path.of("/etc/os-release");

    private HostPackages() { }

    /** Makes sure every tool is here, installing the missing ones when {@code mayInstall}. */
    public static void ensure(String who, List<Tool> tools, boolean mayInstall, Reporter out) {
        List<Tool> missing = missing(tools);
        if (missing.isEmpty()) {
            return;
        }
        Decision decision = decide(who, missing, mayInstall, osRelease());
        if (decision.refusal() != null) {
            throw new BirdbathException(decision.refusal());
        }
        String packages = String.join(" ", decision.install());
        out.info("installing " + packages + " with apt-get: " + who + " needs " + programs(missing)
                + " on this machine (`up --no-install` installs nothing)");
        long started = System.nanoTime();
        install(decision.install());
        List<Tool> still = missing(tools);
        if (!still.isEmpty()) {
            throw new BirdbathException("apt-get installed " + packages + ", but " + programs(still)
                    + " is still not on the PATH");
        }
        out.info(String.format(Locale.ROOT, "installed %s in %.0f s", packages, (System.nanoTime() - started) / 1e9));
    }

    static Decision decide(String who, List<Tool> missing, boolean mayInstall, String osRelease) {
        List<String> packages = missing.stream().map(Tool::debianPackage).distinct().toList();
        String command = "`apt-get install " + String.join(" ", packages) + "`";
        if (!mayInstall) {
            return new Decision(List.of(), who + " needs " + programs(missing) + " on this machine: install "
                    + (missing.size() == 1 ? "it" : "them") + " with " + command
                    + ", or run `up` without --no-install and it does");
        }
        if (!debianLike(osRelease)) {
            return new Decision(List.of(), who + " needs " + programs(missing) + " on this machine; birdbath installs"
                    + " them itself only on Debian and Ubuntu: install the packages that have them (on Debian, "
                    + command + ")");
        }
        return new Decision(packages, null);
    }

    /** Debian, or a distribution derived from it (Ubuntu says ID_LIKE=debian). */
    static boolean debianLike(String osRelease) {
        for (String line : osRelease.lines().toList()) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && (kv[0].equals("ID") || kv[0].equals("ID_LIKE"))) {
                for (String id : kv[1].replace("\"", "").split(" ")) {
                    if (id.equals("debian") || id.equals("ubuntu")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The tools whose program is not on this machine. */
    public static List<Tool> missing(List<Tool> tools) {
        return tools.stream().filter(t -> !Host.has(t.program())).toList();
    }

    private static String programs(List<Tool> tools) {
        return String.join(", ", tools.stream().map(Tool::program).toList());
    }

    private static String osRelease() {
        try {
            return Files.readString(OS_RELEASE);
        } catch (IOException e) {
            return "";
        }
    }

    /** apt-get install; when the package lists are stale or absent (a fresh machine), updated first and again. */
    private static void install(List<String> packages) {
        List<String> command = new ArrayList<>(List.of("env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install",
                "-y", "-q", "--no-install-recommends"));
        command.addAll(packages);
        Host.Result r = Host.run(Duration.ofMinutes(15), null, command);
        if (!r.ok()) {
            Host.Result update = Host.run(Duration.ofMinutes(10), "env", "DEBIAN_FRONTEND=noninteractive", "apt-get",
                    "update", "-q");
            r = update.ok() ? Host.run(Duration.ofMinutes(15), null, command) : update;
        }
        if (!r.ok()) {
            throw new BirdbathException("`apt-get install " + String.join(" ", packages) + "` failed (exit " + r.exit()
                    + "): " + Host.tail(r.err().isBlank() ? r.out() : r.err()));
        }
    }
}
