package birdbath.node;

import birdbath.BirdbathException;
import birdbath.Hashes;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.stage.StagePackages;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Debian 12 root filesystem nodes boot from (each through its own overlay): built once with debootstrap and
 * cached under the user's cache directory, keyed by its recipe. Concurrent builds wait for each other (a file
 * lock). Two recipes: {@link #LOCAL}, the local provider's, with every package the stages need so that its nodes
 * need no network; and {@link #FRESH_DEBIAN12}, what a new Linode from linode/debian12 has (Debian's required and
 * important packages and sshd), for the Linode twin, whose stages must install everything themselves.
 */
public final class BaseImage {

    static final String SUITE = "bookworm";

    /**
     * @param name     for messages and the cache directory
     * @param minbase  debootstrap's minbase variant (required packages only) instead of required + important
     * @param packages installed on top
     * @param disabled units the packages enable that the stages start themselves, once configured
     */
    public record Recipe(String name, boolean minbase, List<String> packages, List<String> disabled) { }

    /** What a booting node needs, then everything the stages install, so that local nodes need no network. */
    public static final Recipe LOCAL = new Recipe("debian12", true, Stream.concat(Stream.of("systemd",
            "systemd-sysv", "dbus"), StagePackages.ALL.stream()).distinct().toList(), List.of("etcd.service",
            "glusterd.service", "containerd.service", "strongswan-starter.service", "strongswan.service",
            "rpcbind.service", "rpcbind.socket"));
    /** Like a new Linode from linode/debian12: nothing a stage installs. */
    public static final Recipe FRESH_DEBIAN12 = new Recipe("linode-debian12", false,
            List.of("systemd-sysv", "dbus", "openssh-server"), List.of());
    /** Bumped when the build recipe changes, so old caches are not reused. */
    private static final String RECIPE = "1";

    private final Path cacheDir;
    private final Recipe recipe;

    public BaseImage(Path cacheDir) {
        this(cacheDir, LOCAL);
    }

    public BaseImage(Path cacheDir, Recipe recipe) {
        this.cacheDir = cacheDir;
        this.recipe = recipe;
    }

    /** ~/.cache/birdbath/images (or $XDG_CACHE_HOME/birdbath/images). */
    public static Path defaultCacheDir(java.util.Map<String, String> env) {
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("birdbath/images");
    }

    String id() {
        String variant = recipe.minbase() ? "" : "important;";
        return recipe.name() + "-" + Hashes.sha256Hex(RECIPE + SUITE + variant + String.join(",", recipe.packages()))
                .substring(0, 12);
    }

    /** The image's root filesystem, building it first if it is not cached. */
    public Path ensure(String mirror, Reporter out) {
        Path dir = cacheDir.resolve(id());
        Path rootfs = dir.resolve("rootfs");
        Path complete = dir.resolve("complete");
        if (Files.exists(complete)) {
            return rootfs;
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
                if (Files.exists(complete)) {
                    return rootfs;
                }
                build(dir, rootfs, mirror, out);
                Files.writeString(complete, String.join("\n", recipe.packages()) + "\n");
                return rootfs;
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot build the local base image in " + dir + ": " + e.getMessage());
        }
    }

    private void build(Path dir, Path rootfs, String mirror, Reporter out) throws IOException {
        Path tmp = dir.resolve("rootfs.partial");
        Host.run(Duration.ofMinutes(2), "rm", "-rf", tmp.toString(), rootfs.toString());
        out.info("building the " + recipe.name() + " node image once (debootstrap from " + mirror + ", about 2"
                + " minutes; cached in " + dir + ")");
        long started = System.nanoTime();
        Path log = dir.resolve("build.log");
        List<String> cmd = new ArrayList<>(List.of("debootstrap"));
        if (recipe.minbase()) {
            cmd.add("--variant=minbase");
        }
        cmd.addAll(List.of("--include=" + String.join(",", recipe.packages()), SUITE, tmp.toString(), mirror));
        Host.Result r = Host.run(Duration.ofMinutes(20), log, cmd);
        if (!r.ok()) {
            throw new BirdbathException("debootstrap failed (exit " + r.exit() + "); see " + log + ": "
                    + Host.tail(r.err().isBlank() ? r.out() : r.err()));
        }
        // nodes boot "running", not "degraded": no rpc_pipefs in a container
        Host.check(Duration.ofMinutes(1), "systemctl", "--root=" + tmp, "mask", "run-rpc_pipefs.mount");
        for (String unit : recipe.disabled()) {
            Host.run(Duration.ofMinutes(1), "systemctl", "--root=" + tmp, "disable", unit);
        }
        Host.check(Duration.ofMinutes(1), "systemctl", "--root=" + tmp, "enable", "ssh.service");
        Files.deleteIfExists(tmp.resolve("usr/sbin/policy-rc.d"));
        Host.run(Duration.ofMinutes(1), "sh", "-c", "rm -rf '" + tmp + "'/var/cache/apt/archives/*.deb '" + tmp
                + "'/etc/ssh/ssh_host_*");
        Files.move(tmp, rootfs);
        out.info(String.format(java.util.Locale.ROOT, "%s node image ready in %.0f s", recipe.name(),
                (System.nanoTime() - started) / 1e9));
    }

    /**
     * The Debian mirror this machine's apt already uses (deb822 .sources or sources.list), else deb.debian.org.
     */
    public static String hostMirror() {
        Pattern deb822 = Pattern.compile("(?m)^URIs:\\s*(\\S+)");
        Pattern legacy = Pattern.compile("(?m)^deb\\s+(?:\\[[^]]*]\\s+)?(\\S+)\\s+" + SUITE + "\\s");
        List<Path> files = new ArrayList<>();
        Path dir = Path.of("/etc/apt/sources.list.d");
        try {
            if (Files.isDirectory(dir)) {
                try (var s = Files.list(dir)) {
                    s.filter(p -> p.toString().endsWith(".sources") || p.toString().endsWith(".list")).sorted()
                            .forEach(files::add);
                }
            }
            files.add(Path.of("/etc/apt/sources.list"));
            for (Path f : files) {
                if (!Files.isReadable(f)) {
                    continue;
                }
                String text = Files.readString(f);
                for (Matcher m : List.of(deb822.matcher(text), legacy.matcher(text))) {
                    while (m.find()) {
                        String uri = m.group(1);
                        if (!uri.contains("security")) {
                            return uri;
                        }
                    }
                }
            }
        } catch (IOException e) {
            // fall through to the default mirror
        }
        return "http://deb.debian.org/debian";
    }
}
