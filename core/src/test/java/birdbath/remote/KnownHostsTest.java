package birdbath.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins: made before a node exists, refused when they differ, and no trust on first use where it is off. */
class KnownHostsTest {

    @TempDir
    Path dir;

    private static PublicKey key(HostKey k) throws Exception {
        return PublicKeyEntry.parsePublicKeyEntry(k.publicKey()).resolvePublicKey(null, null, null);
    }

    @Test
    void aPinnedKeyIsAcceptedAndAnyOtherRefusedNamingTheNode() throws Exception {
        HostKey pinned = HostKey.generate(new SecureRandom());
        HostKey other = HostKey.generate(new SecureRandom());
        KnownHosts strict = new KnownHosts(dir, false);
        strict.pin("demo-2", pinned.publicKey());
        strict.verify("demo-2", "198.18.0.12:22", key(pinned));
        assertThatThrownBy(() -> strict.verify("demo-2", "198.18.0.12:22", key(other)))
                .isInstanceOf(KnownHosts.HostKeyMismatch.class)
                .hasMessageStartingWith("the SSH host key of demo-2 (198.18.0.12:22) is not the one pinned in "
                        + dir.resolve("known_hosts"))
                .hasMessageNotContaining("\n");
        // the pin is on disk, for the next run and for `birdbath ssh` (OpenSSH's known_hosts form)
        assertThat(Files.readString(dir.resolve("known_hosts"))).contains("demo-2 " + pinned.publicKey() + "\n");
        new KnownHosts(dir, false).verify("demo-2", "198.18.0.12:22", key(pinned));
        // a pin pasted by hand from the node's .pub file, with its comment, holds the same key
        Files.writeString(dir.resolve("known_hosts"), "demo-2 " + pinned.publicKey() + " root@demo-2\n");
        new KnownHosts(dir, false).verify("demo-2", "198.18.0.12:22", key(pinned));
    }

    @Test
    void withoutTrustOnFirstUseAnUnpinnedNodeIsRefusedWithTheWayToPinIt() throws Exception {
        HostKey offered = HostKey.generate(new SecureRandom());
        KnownHosts strict = new KnownHosts(dir, false);
        assertThatThrownBy(() -> strict.verify("demo-3", "198.18.0.13:22", key(offered)))
                .isInstanceOf(KnownHosts.HostKeyMismatch.class)
                .hasMessageContaining("no SSH host key is pinned for demo-3 (198.18.0.13:22)")
                .hasMessageContaining("demo-3 " + offered.publicKey())
                .hasMessageNotContaining("\n");
        assertThat(dir.resolve("known_hosts")).doesNotExist();
        // the local provider's nodes: pinned on first contact, then held to it
        KnownHosts local = new KnownHosts(dir);
        local.verify("duo-1", "198.18.7.11:22", key(offered));
        assertThatThrownBy(() -> local.verify("duo-1", "198.18.7.11:22",
                key(HostKey.generate(new SecureRandom())))).isInstanceOf(KnownHosts.HostKeyMismatch.class);
    }
}
