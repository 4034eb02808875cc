package birdbath.secrets;

import birdbath.BirdbathException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files under .birdbath/: written whole or not at all; secret ones 0600 from the first byte. */
public final class SecretFiles {

    private SecretFiles() { }

    /** Writes a file readable only by its owner (0600), atomically. */
    public static void writeSecret(Path file, byte[] content) {
        write(file, content, true);
    }

    /** Writes a file atomically (a crash leaves the old file or the new one, never half of one). */
    public static void write(Path file, byte[] content) {
        write(file, content, false);
    }

    private static void write(Path file, byte[] content, boolean secret) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (secret && !Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.createDirectories(dir);
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (secret) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            Files.write(tmp, content);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new BirdbathException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
