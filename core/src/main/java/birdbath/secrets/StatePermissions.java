package birdbath.secrets;

import birdbath.BirdbathException;
import birdbath.state.StateDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Checked before every command: .birdbath/ is its owner's alone (0700, made so when it is new), and every private
 * key and secret in it (ssh/, secrets/, pki/, the kubeconfig) is 0600. A file or folder open to others is refused by name with the chmod that fixes it,
 * rather than used: it may have been read already, and birdbath would go on writing secrets into it.
 */
public final class StatePermissions {

    private static final Set<PosixFilePermission> OTHERS = Set.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private StatePermissions() { }

    public static void ensure(Path stateDir) {
        try {
            if (!Files.exists(stateDir)) {
                Files.createDirectories(stateDir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
                return;
            }
            List<String> open = new ArrayList<>();
            if (openToOthers(stateDir)) {
                open.add("chmod 700 " + stateDir);
            }
            // only where keys and secrets are kept: not the local provider's node file systems and volumes, which
            // would cost every command a walk over whole Debian trees (and hold keys of their own)
            StateDir state = new StateDir(stateDir);
            for (Path tree : List.of(state.sshKey().getParent(), state.rootPassword().getParent(), state.pki(),
                    state.kubeconfig())) {
                if (!Files.exists(tree)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(tree)) {
                    for (Path f : files.filter(Files::isRegularFile).filter(f -> secret(stateDir, f)).toList()) {
                        if (openToOthers(f)) {
                            open.add("chmod 600 " + f);
                        }
                    }
                }
            }
            if (!open.isEmpty()) {
                throw new BirdbathException(stateDir + " holds birdbath's keys and secrets, and some of it is open to"
                        + " other users (birdbath keeps the folder 0700 and keys 0600); check who could read them,"
                        + " then run: " + String.join("; ", open));
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot check " + stateDir + ": " + e.getMessage());
        }
    }

    /** A private key, a generated secret, birdbath's SSH key, or a kubeconfig with its client key. */
    static boolean secret(Path stateDir, Path f) {
        String name = f.getFileName().toString();
        Path relative = stateDir.relativize(f);
        return name.endsWith(".key") || name.equals("id_ecdsa") || name.equals("kubeconfig")
                || relative.startsWith("secrets");
    }

    private static boolean openToOthers(Path p) throws IOException {
        return Files.getPosixFilePermissions(p).stream().anyMatch(OTHERS::contains);
    }
}
