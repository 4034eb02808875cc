package birdbath.twin;

import birdbath.BirdbathException;
import birdbath.Hashes;
import birdbath.Reporter;
import birdbath.host.Host;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The twin's Debian mirror: exactly the packages the stages name and what apt on a fresh node would fetch with
 * them (asked of apt itself, in a throw-away overlay of the fresh image), downloaded from the host's Debian mirror
 * and indexed as a flat repository. Served on the twin's bridge, it is to the nodes what Debian's mirror is to a
 * Linode: a stage that forgets a package fails here as it would there. Cached: a repository is built once per
 * image and package list.
 */
final class PackageMirror {

    /** apt-get --print-uris: 'URI' file size HASHTYPE:hex (apt names the strongest hash the index has). */
    private static final Pattern URI_LINE =
            Pattern.compile("^'(\\S+)' (\\S+) (\\d+) (MD5Sum|SHA1|SHA256|SHA512):([0-9a-f]+)$");

    private PackageMirror() { }

    /**
     * The repository directory (Packages, Release and the .deb files) for {@code packages} on {@code rootfs},
     * built under {@code cacheDir} unless it is there.
     */
    static Path ensure(Path cacheDir, Path rootfs, List<String> packages, Reporter out) {
        String key = Hashes.sha256Hex(rootfs + "\n" + String.join(",", packages)).substring(0, 12);
        Path repo = cacheDir.resolve("repo-" + key);
        if (Files.exists(repo.resolve("Release"))) {
            return repo;
        }
        try {
            long started = System.nanoTime();
            out.info("twin: building the nodes' package mirror once (" + packages.size() + " packages the stages"
                    + " name, with what they pull in; cached in " + repo + ")");
            List<String[]> wanted = askApt(cacheDir, rootfs, packages);
            Path debs = cacheDir.resolve("debs");
            Files.createDirectories(debs);
            Path tmp = cacheDir.resolve("repo-" + key + ".partial");
            Host.run(Duration.ofMinutes(1), "rm", "-rf", tmp.toString());
            Files.createDirectories(tmp);
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(Duration.ofSeconds(20)).build();
            StringBuilder index = new StringBuilder();
            for (String[] w : wanted) {
                Path deb = debs.resolve(w[1]);
                if (!Files.exists(deb) || !digest(deb, w[2]).equals(w[3])) {
                    download(http, w[0], deb, w[2], w[3]);
                }
                Files.createLink(tmp.resolve(w[1]), deb);
                String control = Host.check(Duration.ofMinutes(1), "dpkg-deb", "-f", deb.toString()).strip();
                index.append(control).append("\nFilename: ./").append(w[1]).append("\nSize: ")
                        .append(Files.size(deb)).append("\nSHA256: ").append(Hashes.sha256Hex(deb)).append("\n\n");
            }
            byte[] packagesFile = index.toString().getBytes(StandardCharsets.UTF_8);
            Files.write(tmp.resolve("Packages"), packagesFile);
            // unsigned: the nodes' sources.list marks it trusted, as the twin's own
            Files.writeString(tmp.resolve("Release"), "Origin: birdbath-twin\nLabel: birdbath-twin\nSuite: bookworm\n"
                    + "Codename: bookworm\nArchitectures: amd64 all\nSHA256:\n " + Hashes.sha256Hex(packagesFile)
                    + " " + packagesFile.length + " Packages\n");
            Files.move(tmp, repo, StandardCopyOption.ATOMIC_MOVE);
            out.info(String.format(Locale.ROOT, "twin: package mirror ready, %d packages in %.0f s", wanted.size(),
                    (System.nanoTime() - started) / 1e9));
            return repo;
        } catch (IOException e) {
            throw new BirdbathException("twin: cannot build the package mirror in " + repo + ": " + e);
        }
    }

    /** What `apt-get install` on a fresh node would download: [uri, file name, hash type, hash] each. */
    private static List<String[]> askApt(Path cacheDir, Path rootfs, List<String> packages) throws IOException {
        Files.createDirectories(cacheDir);
        Path work = Files.createTempDirectory(cacheDir, "apt-");
        Path merged = work.resolve("merged");
        for (String d : List.of("upper", "work", "merged")) {
            Files.createDirectories(work.resolve(d));
        }
        Duration t = Duration.ofMinutes(5);
        Host.check(t, "mount", "-t", "overlay", "overlay", "-o", "lowerdir=" + rootfs + ",upperdir="
                + work.resolve("upper") + ",workdir=" + work.resolve("work"), merged.toString());
        try {
            Files.deleteIfExists(merged.resolve("etc/resolv.conf"));
            Files.copy(Path.of("/etc/resolv.conf"), merged.resolve("etc/resolv.conf"));
            Host.Result update = Host.run(t, "chroot", merged.toString(), "apt-get", "-q", "update");
            if (!update.ok()) {
                throw new BirdbathException("twin: apt-get update in the fresh image failed: "
                        + Host.tail(update.err() + update.out()));
            }
            List<String> cmd = new ArrayList<>(List.of("chroot", merged.toString(), "apt-get", "install", "-y",
                    "-qq", "--print-uris"));
            cmd.addAll(packages);
            Host.Result r = Host.run(t, null, cmd);
            if (!r.ok()) {
                throw new BirdbathException("twin: apt-get cannot resolve the stages' packages in the fresh image: "
                        + Host.tail(r.err() + r.out()));
            }
            List<String[]> wanted = new ArrayList<>();
            for (String line : r.out().lines().toList()) {
                Matcher m = URI_LINE.matcher(line.strip());
                if (m.matches()) {
                    wanted.add(new String[] {m.group(1), m.group(2), m.group(4), m.group(5)});
                }
            }
            if (wanted.isEmpty()) {
                throw new BirdbathException("twin: apt-get named no package to download for " + packages);
            }
            return wanted;
        } finally {
            Host.run(t, "umount", merged.toString());
            Host.run(t, "rm", "-rf", "--one-file-system", work.toString());
        }
    }

    private static void download(HttpClient http, String uri, Path to, String hashType, String hash)
            throws IOException {
        Path part = to.resolveSibling(to.getFileName() + ".part");
        try {
            HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(uri))
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200) {
                    throw new BirdbathException("twin: " + uri + " answered " + r.statusCode());
                }
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BirdbathException("twin: interrupted while downloading " + uri);
        }
        if (!digest(part, hashType).equals(hash)) {
            Files.deleteIfExists(part);
            throw new BirdbathException("twin: " + uri + " does not have the " + hashType + " apt expects");
        }
        Files.move(part, to, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A file's digest in hex, by apt's name for the hash. */
    private static String digest(Path file, String aptName) throws IOException {
        return Hashes.hex(file, switch (aptName) {
            case "MD5Sum" -> "MD5";
            case "SHA1" -> "SHA-1";
            case "SHA256" -> "SHA-256";
            default -> "SHA-512";
        });
    }
}
