package birdbath.stage.apps;

import birdbath.BirdbathException;
import birdbath.Hashes;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An image tarball in `docker save` form (what Jib's buildTar writes): its name from manifest.json's RepoTags
 * and its id, the SHA-256 of its config, which is what "this image is already on the node" is checked by.
 */
public record ImageTarball(Path file, String reference, String configDigest, long size) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code file}'s manifest.json and hashes its config; a file that is no such tarball is refused. */
    public static ImageTarball read(Path file) {
        Map<String, byte[]> small = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = text(header, 0, 100);
                String size = text(header, 124, 12).trim(); // octal
                long length = size.isEmpty() ? 0 : Long.parseLong(size, 8);
                long padded = (length + 511) / 512 * 512;
                // the manifest and the config are small; layers are skipped
                if (length < 1_000_000 && name.endsWith(".json")) {
                    byte[] content = in.readNBytes((int) length);
                    small.put(name.replaceFirst("^\\./", ""), content);
                    in.skipNBytes(padded - length);
                } else {
                    in.skipNBytes(padded);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new BirdbathException(file + " is not an image tarball: " + e.getMessage());
        }
        byte[] manifest = small.get("manifest.json");
        if (manifest == null) {
            throw new BirdbathException(file + " is not an image tarball: it has no manifest.json (expected the"
                    + " `docker save` form, e.g. apps/haircolor/target/haircolor-image.tar)");
        }
        try {
            JsonNode m = JSON.readTree(manifest).path(0);
            String config = m.path("Config").asText();
            List<String> tags = JSON.convertValue(m.path("RepoTags"), JSON.getTypeFactory()
                    .constructCollectionType(List.class, String.class));
            if (tags == null || tags.isEmpty() || !small.containsKey(config)) {
                throw new BirdbathException(file + ": manifest.json names no image (RepoTags) or its config "
                        + config + " is missing");
            }
            return new ImageTarball(file, tags.get(0), "sha256:" + Hashes.sha256Hex(small.get(config)), Files.size(file));
        } catch (IOException e) {
            throw new BirdbathException(file + ": manifest.json is not readable: " + e.getMessage());
        }
    }

    /** What Kubernetes calls the image: Docker Hub's short names get containerd's full form. */
    public String containerdReference() {
        String first = reference.split("/")[0];
        boolean hasRegistry = reference.contains("/") && (first.contains(".") || first.contains(":")
                || first.equals("localhost"));
        return hasRegistry ? reference : "docker.io/" + (reference.contains("/") ? "" : "library/") + reference;
    }

    private static String text(byte[] b, int from, int len) {
        int end = from;
        while (end < from + len && b[end] != 0) {
            end++;
        }
        return new String(b, from, end - from, StandardCharsets.US_ASCII);
    }
}
