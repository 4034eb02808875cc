package birdbath.testing;

import birdbath.host.Host;
import birdbath.testkit.DebianPackages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A stand-in for an upstream etcd release tarball (etcd-vX.Y.Z-linux-amd64.tar.gz with etcd, etcdctl and
 * etcdutl in a top directory of that name), repacked from a Debian suite's etcd-server and etcd-client
 * packages, since no release download is reachable here; next to the unpacked packages in the cache.
 */
public record DebianEtcdRelease(String version, Path tarball) {

    /** bookworm gives 3.4.23, trixie 3.5.16, sid the newest Debian has (3.5.30 when this was written). */
    public static DebianEtcdRelease of(String suite) {
        DebianPackages debs = DebianPackages.of(suite, List.of("etcd-server", "etcd-client"));
        String version = debs.upstreamVersion("etcd-server");
        String top = "etcd-v" + version + "-linux-amd64";
        Path tarball = debs.root().resolveSibling(top + ".tar.gz");
        if (!Files.isRegularFile(tarball)) {
            String script = String.join("\n",
                    "set -eu",
                    "root=\"$1\"; tarball=\"$2\"; top=\"$3\"; w=$(mktemp -d); trap 'rm -rf \"$w\"' EXIT",
                    "mkdir -p \"$w/$top\"",
                    "for b in etcd etcdctl etcdutl; do if [ -f \"$root/usr/bin/$b\" ]; then"
                            + " install -m 755 \"$root/usr/bin/$b\" \"$w/$top/$b\"; fi; done",
                    "tar -czf \"$tarball.part\" -C \"$w\" \"$top\" && mv \"$tarball.part\" \"$tarball\"");
            Host.check(Duration.ofMinutes(2), "sh", "-c", script, "sh", debs.root().toString(), tarball.toString(),
                    top);
        }
        return new DebianEtcdRelease(version, tarball);
    }
}
