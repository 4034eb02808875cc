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
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
        }
        long bytes = (long) sizeGb << 30;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            if (raf.length() < bytes) { // new, or grown as storage.volume_size_gb was raised: sparse either way
                raf.setLength(bytes);
            }
        }
        String existing = deviceOf(file);
        if (existing == null) {
            return Host.check(T, "losetup", "--find", "--show", file.toString()).strip();
        }
        // compared, not remembered: a run killed after growing the file and before this still has it done
        if (Long.parseLong(Host.check(T, "blockdev", "--getsize64", existing).strip()) < Files.size(file)) {
            Host.check(T, "losetup", "--set-capacity", existing); // the device (and the node) sees the new size
        }
        return existing;
    }

    /** The size of {@code file} in whole GiB, or -1 if there is none. */
    public static long sizeGb(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) >> 30 : -1;
    }

    /** The loop device currently backed by {@code file}, or null. */
    public static String deviceOf(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        String out = Host.run(T, "losetup", "-j", file.toString()).out().strip();
        return out.isEmpty() ? null : out.substring(0, out.indexOf(':'));
    }

    /**
     * Detaches the file's loop devices and deletes it. A device still in use (bound into a running container) is
     * detached by the kernel once it is free (losetup -d sets autoclear), so each is asked once, not in a loop.
     */
    public static void remove(Path file) throws IOException {
        for (String line : Host.run(T, "losetup", "-j", file.toString()).out().lines().toList()) {
            if (line.contains(":")) {
                Host.run(T, "losetup", "-d", line.substring(0, line.indexOf(':')));
            }
        }
        Files.deleteIfExists(file);
    }
}
