package birdbath.secrets;

import birdbath.BirdbathException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Files under .birdbath/: written whole or not at all; secret ones 0600 from the first byte. */
public final class SecretFiles {

    private SecretFiles() { }

    /** What streams a file's content; throwing leaves no file (and the old one, if any). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes a file readable only by its owner (0600), atomically. */
    public static void writeSecret(Path file, byte[] content) {
        write(file, content, true);
    }

    /** As {@link #writeSecret(Path, byte[])}, the content streamed (a snapshot, a backup); the file's size. */
    public static long writeSecret(Path file, Content content) {
        return write(file, content, true);
    }

    /** Writes a file atomically (a crash leaves the old file or the new one, never half of one). */
    public static void write(Path file, byte[] content) {
        write(file, content, false);
    }

    private static void write(Path file, byte[] content, boolean secret) {
        write(file, out -> out.write(content), secret);
    }

    private static long write(Path file, Content content, boolean secret) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (secret && !Files.exists(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            Files.createDirectories(dir);
            Files.deleteIfExists(tmp);
            if (secret) {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (OutputStream out = Files.newOutputStream(tmp)) {
                content.writeTo(out);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return Files.size(file);
        } catch (IOException e) {
            throw new BirdbathException("cannot write " + file + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(tmp); // after a failure: what was written so far
            } catch (IOException e) {
                // best effort: the file is named as a temporary one
            }
        }
    }
}
