package birdbath.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian packages of any suite, downloaded from the mirror this machine's apt uses, with a private apt state (the
 * host's sources stay as they are), and unpacked into one tree, cached in ~/.cache/birdbath/releases/SUITE/PACKAGES
 * (or under $XDG_CACHE_HOME): the raw material of the stand-ins for upstream release downloads, which nothing here
 * can reach, and of newer servers than this machine's own.
 *
 * @param root     the unpacked tree (usr/bin/..., as the packages install it)
 * @param versions each package's Debian version
 */
public record DebianPackages(Path root, Map<String, String> versions) {

    /** The host's main suite in its apt sources gives the mirror (apt's own reading of them, deb822 or not). */
    private static final String MIRROR = String.join("\n",
            ". /etc/os-release",
            "apt-get indextargets --format '$(RELEASE) $(REPO_URI)' | awk -v s=\"$VERSION_CODENAME\""
                    + " '$1 == s { print $2; exit }'");

    public static DebianPackages of(String suite, List<String> packages) {
        Path cache = cacheRoot().resolve(suite).resolve(String.join("+", packages));
        String script = String.join("\n",
                "set -eu",
                "cache=\"$1\"; suite=\"$2\"; shift 2",
                "if [ -f \"$cache/versions\" ]; then exit 0; fi",
                "mirror=$(" + MIRROR + ")",
                "mirror=${mirror:-http://deb.debian.org/debian/}",
                "mkdir -p \"$cache\"; w=$(mktemp -d); trap 'rm -rf \"$w\"' EXIT",
                "mkdir -p \"$w/lists/partial\" \"$w/cache/archives/partial\" \"$w/root\"",
                "echo \"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main\""
                        + " > \"$w/sources.list\"",
                "apt=\"-o Dir::Etc::SourceList=$w/sources.list -o Dir::Etc::SourceParts=/dev/null"
                        + " -o Dir::State::Lists=$w/lists -o Dir::Cache=$w/cache\"",
                "# shellcheck disable=SC2086",
                "apt-get -q $apt update >&2",
                "# shellcheck disable=SC2086",
                "(cd \"$w\" && apt-get -q $apt download \"$@\" >&2)",
                "for d in \"$w\"/*.deb; do dpkg-deb -x \"$d\" \"$w/root\";"
                        + " echo \"$(dpkg-deb -f \"$d\" Package) $(dpkg-deb -f \"$d\" Version)\" >> \"$w/versions\"; done",
                "rm -rf \"$cache/root\"; mv \"$w/root\" \"$cache/root\"; mv \"$w/versions\" \"$cache/versions\"");
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh", cache.toString(), suite));
        command.addAll(packages);
        try {
            Commands.run(command.toArray(String[]::new));
            Map<String, String> versions = new LinkedHashMap<>();
            for (String line : Files.readAllLines(cache.resolve("versions"))) {
                String[] parts = line.split(" ", 2);
                versions.put(parts[0], parts[1]);
            }
            return new DebianPackages(cache.resolve("root"), versions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted downloading " + packages, e);
        }
    }

    /** "3.5.16" of a Debian version such as "3.5.16-4" or "1:2.1.9+ds1-5". */
    public String upstreamVersion(String pkg) {
        return versions.get(pkg).replaceFirst("^[0-9]+:", "").replaceFirst("[-+~].*", "");
    }

    private static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("birdbath/releases");
    }
}
