package birdbath.node;

import birdbath.host.Host;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A sparse file behind a loop device: the local stand-in for a node's Linode block volume. */
public final class LoopVolume {

    private static final Duration T = Duration.ofSeconds(30);

    private LoopVolume() { }

    /** The loop device backing {@code file}, creating the file and attaching it when needed. */
    public static String ensure(Path file, int sizeGb) throws IOException {
        String existing = deviceOf(file);
        if (existing != null) {
            return existing;
        }
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength((long) sizeGb << 30);
            }
        }
        return Host.check(T, "losetup", "--find", "--show", file.toString()).strip();
    }

    /** The loop device currently backed by {@code file}, or null. */
    public static String deviceOf(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String out = Host.run(T, "losetup", "-j", file.toString()).out().strip();
        return out.isEmpty() ? null : out.substring(0, out.indexOf(':'));
    }

    public static void remove(Path file) throws IOException {
        String device;
        while ((device = deviceOf(file)) != null) {
            Host.check(T, "losetup", "-d", device);
        }
        Files.deleteIfExists(file);
    }
}
