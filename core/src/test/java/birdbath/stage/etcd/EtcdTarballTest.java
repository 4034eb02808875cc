package birdbath.stage.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.Hashes;
import birdbath.Reporter;
import birdbath.host.Host;
import birdbath.node.BaseImage;
import birdbath.testing.LocalTestCluster;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd.version newer than the distribution's package: the node fetches the release tarball and installs it only
 * if its SHA-256 matches. The "release" is served from the host's bridge address (the nodes' gateway, in
 * 198.18.0.0/15) and holds the image's own etcd binaries, since nothing else may be contacted.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class EtcdTarballTest {

    @Test
    void aTarballIsInstalledOnlyWithTheRightChecksumAndOnlyOnce(@TempDir Path tmp) throws Exception {
        try (LocalTestCluster cluster = new LocalTestCluster("r", "")) {
            Files.writeString(cluster.config, Files.readString(cluster.config).replace("nodes: 3", "nodes: 1"));
            cluster.birdbath().up(List.of("provision", "machine-id", "baseline", "pki", "ipsec"), null, false);
            String nodeIp = cluster.birdbath().nodes().get(0).privateIp();
            String gateway = nodeIp.substring(0, nodeIp.lastIndexOf('.')) + ".1";

            Path rootfs = new BaseImage(BaseImage.defaultCacheDir(System.getenv())).ensure(BaseImage.hostMirror(),
                    Reporter.silent());
            Path release = tmp.resolve("etcd-v9.9.9-linux-amd64");
            Files.createDirectories(release);
            for (String b : List.of("etcd", "etcdctl")) {
                Files.copy(rootfs.resolve("usr/bin/" + b), release.resolve(b));
            }
            Path tarball = tmp.resolve("etcd.tar.gz");
            Host.check(Duration.ofMinutes(1), "tar", "-czf", tarball.toString(), "-C", tmp.toString(),
                    release.getFileName().toString());
            byte[] bytes = Files.readAllBytes(tarball);
            AtomicInteger downloads = new AtomicInteger();
            HttpServer server = HttpServer.create(new InetSocketAddress(gateway, 0), 0);
            server.createContext("/etcd-v9.9.9.tar.gz", ex -> {
                downloads.incrementAndGet();
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
                ex.close();
            });
            server.start();
            try {
                String url = "http://" + gateway + ":" + server.getAddress().getPort() + "/etcd-v{VERSION}.tar.gz";
                String base = Files.readString(cluster.config);
                Files.writeString(cluster.config, base + "etcd:\n  version: 9.9.9\n  sha256: " + "0".repeat(64)
                        + "\n  download_url: " + url + "\n");
                assertThatThrownBy(() -> cluster.birdbath().up(List.of("etcd"), null, false))
                        .hasMessageContaining("does not match etcd.sha256; not installed");
                assertThat(cluster.run(cluster.node(1), "ls /usr/local/bin")).doesNotContain("etcd");

                Files.writeString(cluster.config, base + "etcd:\n  version: 9.9.9\n  sha256: "
                        + Hashes.sha256Hex(bytes) + "\n  download_url: " + url + "\n");
                cluster.birdbath().up(List.of("etcd"), null, false);
                assertThat(cluster.run(cluster.node(1), "ls /usr/local/bin")).contains("etcd", "etcdctl");
                assertThat(cluster.run(cluster.node(1), "readlink /proc/$(systemctl show -p MainPID --value "
                        + EtcdCluster.UNIT + ")/exe")).isEqualTo("/usr/local/bin/etcd");
                assertThat(cluster.birdbath().check(List.of("etcd"))).allSatisfy(r ->
                        assertThat(r.ok()).as(r.toString()).isTrue());
                int fetched = downloads.get();
                cluster.output.clear();
                cluster.birdbath().up(List.of("etcd"), null, false);
                assertThat(downloads.get()).as("a second run fetches nothing").isEqualTo(fetched);
                assertThat(cluster.output).filteredOn(l -> l.contains(" etcd ")).allMatch(l -> l.contains("changed=0"));
            } finally {
                server.stop(0);
            }
        }
    }
}
