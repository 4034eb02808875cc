package birdbath.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * birdbath's own key pair is made once and never silently replaced, and .birdbath/ with its keys is its owner's
 * alone, checked before every command.
 */
class OwnKeysTest {

    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void thePairIsMadeOnceThenKeptAndAHalfPairIsAnErrorNamingBothFilesAndTheWayBack() throws Exception {
        Path state = dir.resolve(".birdbath");
        StatePermissions.ensure(state);
        assertThat(mode(state)).isEqualTo("rwx------");
        ClusterCredentials credentials = new ClusterCredentials(state);
        String key = credentials.publicKey();
        Path priv = credentials.privateKeyFile();
        Path pub = priv.resolveSibling("id_ecdsa.pub");
        assertThat(mode(priv)).isEqualTo("rw-------");
        assertThat(mode(priv.getParent())).isEqualTo("rwx------");
        assertThat(new ClusterCredentials(state).publicKey()).isEqualTo(key);

        Files.move(pub, dir.resolve("pub.saved"));
        assertThatThrownBy(credentials::publicKey).isInstanceOf(BirdbathException.class)
                .hasMessage(pub + " is missing while " + priv + " is there: birdbath will not make a new key pair (its"
                        + " nodes trust this one). Recreate the public half with `ssh-keygen -y -f " + priv + " > "
                        + pub + "`");
        assertThat(pub).doesNotExist();

        Files.move(dir.resolve("pub.saved"), pub);
        Files.move(priv, dir.resolve("priv.saved"));
        assertThatThrownBy(credentials::publicKey).hasMessageStartingWith(priv + " is missing while " + pub
                + " is there: birdbath cannot log in");
        assertThat(priv).doesNotExist();

        // both gone, but nodes were made with them
        Files.delete(pub);
        new birdbath.state.StateDir(state).inventory().toFile().getParentFile().mkdirs();
        Files.writeString(new birdbath.state.StateDir(state).inventory(), "demo-1 203.0.113.1\n");
        assertThatThrownBy(credentials::publicKey).hasMessageContaining("is missing but")
                .hasMessageContaining("lists nodes that trust it");
        assertThat(priv).doesNotExist();
    }

    @Test
    void aStateFolderOrKeyOpenToOthersIsRefusedWithTheChmodThatFixesIt() throws Exception {
        Path state = dir.resolve(".birdbath");
        StatePermissions.ensure(state);
        ClusterCredentials credentials = new ClusterCredentials(state);
        credentials.publicKey();
        credentials.rootPassword(null);
        StatePermissions.ensure(state);

        Path secret = new birdbath.state.StateDir(state).rootPassword();
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> StatePermissions.ensure(state)).isInstanceOf(BirdbathException.class)
                .hasMessageContaining("open to other users")
                .hasMessageEndingWith("run: chmod 700 " + state + "; chmod 600 " + secret);
        // a certificate may be read by anyone: only keys and secrets count
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(state.resolve("ca.crt"), "(a certificate)\n");
        Files.setPosixFilePermissions(state.resolve("ca.crt"), PosixFilePermissions.fromString("rw-r--r--"));
        StatePermissions.ensure(state);
    }
}
