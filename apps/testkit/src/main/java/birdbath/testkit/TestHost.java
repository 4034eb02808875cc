package birdbath.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs of this machine: root, or a program from a Debian package. A test whose need is not met fails,
 * in one line naming what is missing and how to get it (`sudo ./test` installs every package and runs as root),
 * never skips silently. Only a quick run ({@code mvn verify -Pquick}) leaves such tests out, and leaves out every
 * test that needs root even as root; {@link QuickRunSummary} then says how many and why.
 */
public final class TestHost {

    /** Set by the quick profile. */
    public static final String QUICK = "birdbath.quick";
    /** The start of every reason a quick run gives for leaving a test out: how the summary finds them. */
    static final String LEFT_OUT = "left out by -Pquick: ";

    private static final String HOW = " (`sudo ./test` installs the tests' packages and runs them as root;"
            + " `mvn verify -Pquick` leaves such tests out)";

    private TestHost() { }

    public static boolean quick() {
        return Boolean.getBoolean(QUICK);
    }

    /** Root, for {@code why} (containers, namespaces, loop devices, servers run as their own users). */
    public static void requireRoot(String why) {
        if (quick()) {
            Assumptions.abort(LEFT_OUT + "needs root (" + why + ")");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            Assertions.fail("needs root (" + why + ")" + HOW);
        }
    }

    /** A program from the Debian package packages.txt names for it, found on PATH or at an absolute path. */
    public static void requireProgram(String program) {
        String name = Path.of(program).getFileName().toString();
        if (installed(program)) {
            return;
        }
        String pkg = PACKAGES.get(name);
        if (pkg == null) {
            throw new IllegalArgumentException(name + " is not in birdbath/testkit/packages.txt: add it there, with"
                    + " its Debian package, so that ./test installs it");
        }
        String what = name + " is missing (apt-get install " + pkg + ")";
        if (quick()) {
            Assumptions.abort(LEFT_OUT + what);
        }
        Assertions.fail(what + HOW);
    }

    private static boolean installed(String program) {
        if (program.startsWith("/")) {
            return Files.isExecutable(Path.of(program));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        // root's PATH has the sbin directories; a user's may not, and the program is there all the same
        return Files.isExecutable(Path.of("/usr/sbin", program)) || Files.isExecutable(Path.of("/sbin", program));
    }

    /** Program -> Debian package, from packages.txt (the list ./test installs). */
    static final Map<String, String> PACKAGES = readPackages();

    private static Map<String, String> readPackages() {
        Map<String, String> packages = new LinkedHashMap<>();
        try (InputStream in = TestHost.class.getResourceAsStream("packages.txt");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.strip().split("\\s+", 3);
                if (!line.startsWith("#") && f.length >= 2 && !f[1].equals("-")) {
                    packages.put(f[1], f[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return packages;
    }
}
