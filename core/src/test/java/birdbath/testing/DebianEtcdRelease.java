package birdbath.testing;

import birdbath.host.Host;
import birdbath.node.BaseImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A stand-in for an upstream etcd release tarball (etcd-vX.Y.Z-linux-amd64.tar.gz with etcd, etcdctl and
 * etcdutl in a top directory of that name), repacked from a Debian suite's etcd-server and etcd-client
 * packages, since no release download is reachable here. The packages come through apt-get download with a
 * private apt state (the host's sources stay as they are); the tarball is cached in ~/.cache/birdbath/releases.
 */
public record DebianEtcdRelease(String version, Path tarball) {

    /** bookworm gives 3.4.23, trixie 3.5.16, sid the newest Debian has (3.5.30 when this was written). */
    public static DebianEtcdRelease of(String suite) {
        Path cache = BaseImage.defaultCacheDir(System.getenv()).resolveSibling("releases").resolve(suite);
        String script = String.join("\n",
                "set -eu",
                "cache=\"$1\"; suite=\"$2\"; mirror=\"$3\"",
                "if ls \"$cache\"/etcd-v*-linux-amd64.tar.gz >/dev/null 2>&1; then ls \"$cache\"/etcd-v*-linux-amd64.tar.gz;"
                        + " exit 0; fi",
                "mkdir -p \"$cache\"; w=$(mktemp -d); trap 'rm -rf \"$w\"' EXIT",
                "mkdir -p \"$w/lists/partial\" \"$w/cache/archives/partial\"",
                "echo \"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main\""
                        + " > \"$w/sources.list\"",
                "set -- -o Dir::Etc::SourceList=\"$w/sources.list\" -o Dir::Etc::SourceParts=/dev/null"
                        + " -o Dir::State::Lists=\"$w/lists\" -o Dir::Cache=\"$w/cache\"",
                "apt-get -q \"$@\" update >&2",
                "(cd \"$w\" && apt-get -q \"$@\" download etcd-server etcd-client >&2)",
                "v=$(dpkg-deb -f \"$w\"/etcd-server_*.deb Version | sed 's/^[0-9]*://; s/[-+~].*//')",
                "top=\"etcd-v$v-linux-amd64\"; mkdir -p \"$w/x\" \"$w/$top\"",
                "for d in \"$w\"/etcd-server_*.deb \"$w\"/etcd-client_*.deb; do dpkg-deb -x \"$d\" \"$w/x\"; done",
                "for b in etcd etcdctl etcdutl; do if [ -f \"$w/x/usr/bin/$b\" ]; then"
                        + " install -m 755 \"$w/x/usr/bin/$b\" \"$w/$top/$b\"; fi; done",
                "tar -czf \"$cache/$top.tar.gz.part\" -C \"$w\" \"$top\" && mv \"$cache/$top.tar.gz.part\""
                        + " \"$cache/$top.tar.gz\"",
                "echo \"$cache/$top.tar.gz\"");
        String out = Host.check(Duration.ofMinutes(5), "sh", "-c", script, "sh", cache.toString(), suite,
                BaseImage.hostMirror()).strip();
        Path tarball = Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        String name = tarball.getFileName().toString();
        String version = name.substring("etcd-v".length(), name.indexOf("-linux-amd64"));
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException("no tarball at " + tarball);
        }
        return new DebianEtcdRelease(version, tarball);
    }
}
