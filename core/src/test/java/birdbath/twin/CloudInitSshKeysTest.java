package birdbath.twin;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.host.Host;
import birdbath.provider.linode.HostKeyUserData;
import birdbath.remote.HostKey;
import birdbath.testkit.DebianPackages;
import birdbath.testkit.TestHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user data birdbath gives a new Linode, run through cloud-init's own ssh module: Debian 12's cloud-init
 * (22.4.2, unpacked from its package with the Python modules it imports, not installed) runs cc_ssh.handle on
 * it, as root, in a mount namespace of its own where /etc/ssh (holding an image's old host keys) and /root are
 * empty tmpfs. Afterwards /etc/ssh holds exactly birdbath's key pair. The twin's stand-in
 * ({@link CloudInitSshKeys}) gives the same files, contents and modes from the same start, so what the twin
 * proves about pinned keys holds for cloud-init itself.
 */
class CloudInitSshKeysTest {

    /** cloud-init and what its modules import on the way to cc_ssh (found by running it with python3 -S). */
    static final List<String> CLOUD_INIT = List.of("cloud-init", "python3-configobj", "python3-six", "python3-yaml",
            "python3-requests", "python3-urllib3", "python3-idna", "python3-certifi", "python3-chardet",
            "python3-charset-normalizer", "python3-jsonpatch", "python3-json-pointer");
    /** What a fresh image has before cloud-init's first run. */
    static final Map<String, String> OLD_KEYS = Map.of("ssh_host_rsa_key", "old rsa\n", "ssh_host_rsa_key.pub",
            "ssh-rsa OLD\n", "ssh_host_ed25519_key", "old ed25519\n", "ssh_host_ed25519_key.pub", "ssh-ed25519 OLD\n");

    @TempDir
    Path dir;

    @Test
    void cloudInitsOwnSshModuleLeavesExactlyBirdbathsKeyAsTheTwinDoes() throws Exception {
        TestHost.requireRoot("runs cloud-init's ssh module in a mount namespace with its own /etc/ssh");
        TestHost.requireProgram("python3");
        HostKey key = HostKey.generate(new SecureRandom());
        Path userData = dir.resolve("user-data");
        Files.writeString(userData, HostKeyUserData.cloudConfig(key).reveal());
        Path script = Path.of("src/test/resources/cloud-init/run-cc-ssh.py").toAbsolutePath();
        DebianPackages cloudInit = DebianPackages.of("bookworm", CLOUD_INIT);
        assertThat(cloudInit.versions().get("cloud-init")).startsWith("22.4.2");
        Path out = dir.resolve("etc-ssh");
        Files.createDirectories(out);
        StringBuilder seed = new StringBuilder();
        OLD_KEYS.forEach((f, text) -> seed.append("printf '%s' '").append(text.replace("\n", "\\n"))
                .append("' > /etc/ssh/").append(f).append("; "));
        // python3 -S: nothing of this machine's own Python modules, only the unpacked packages
        Host.Result r = Host.run(Duration.ofMinutes(1), "unshare", "--mount", "--propagation", "private", "sh", "-c",
                // the packages live under /root/.cache: bound elsewhere before /root is covered
                "set -e; mount --bind \"$1\" \"$5\"; mount -t tmpfs tmpfs /etc/ssh; mount -t tmpfs tmpfs /root; "
                        + seed + "PYTHONPATH=\"$5/usr/lib/python3/dist-packages\" python3 -S \"$2\" \"$3\";"
                        + " cp -p /etc/ssh/* \"$4\"",
                "sh", cloudInit.root().toString(), script.toString(), userData.toString(), out.toString(),
                Files.createDirectories(dir.resolve("packages")).toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.err()).as("cloud-init's warnings").doesNotContain("cc_ssh: WARNING");
        Map<String, String> real = files(out);
        assertThat(real).containsOnlyKeys("ssh_host_ecdsa_key 600", "ssh_host_ecdsa_key.pub 600");
        assertThat(real.get("ssh_host_ecdsa_key 600")).isEqualTo(key.privateKey().reveal());
        assertThat(real.get("ssh_host_ecdsa_key.pub 600").strip()).isEqualTo(key.publicKey());

        Path twinRoot = dir.resolve("twin");
        Files.createDirectories(twinRoot.resolve("etc/ssh"));
        for (Map.Entry<String, String> f : OLD_KEYS.entrySet()) {
            Files.writeString(twinRoot.resolve("etc/ssh").resolve(f.getKey()), f.getValue());
        }
        assertThat(CloudInitSshKeys.apply(Files.readString(userData), twinRoot)).isEmpty();
        assertThat(files(twinRoot.resolve("etc/ssh"))).isEqualTo(real);
    }

    /** "name mode" to content. */
    private static Map<String, String> files(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                files.put(p.getFileName() + " " + octal(mode), Files.readString(p));
            }
        }
        return files;
    }

    private static String octal(String rwx) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 9; i += 3) {
            int v = (rwx.charAt(i) == 'r' ? 4 : 0) + (rwx.charAt(i + 1) == 'w' ? 2 : 0) + (rwx.charAt(i + 2) == 'x' ? 1 : 0);
            sb.append(v);
        }
        return sb.toString();
    }
}
