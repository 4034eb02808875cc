package birdbath.provider;

import birdbath.BirdbathException;
import birdbath.config.ClusterSpec;

/**
 * The one rule for storage.volume_size_gb against a volume that exists, whichever provider: larger grows it,
 * smaller is refused (a Linode volume cannot shrink, nor can the XFS brick on it).
 */
public final class VolumeSize {

    private VolumeSize() { }

    /** Whether {@code volume}, now {@code currentGb}, must grow; throws if the config asks it to shrink. */
    public static boolean mustGrow(ClusterSpec spec, String volume, long currentGb) {
        if (currentGb > spec.volumeSizeGb()) {
            throw new BirdbathException("storage.volume_size_gb is " + spec.volumeSizeGb() + " but volume " + volume
                    + " has " + currentGb + " GB: volumes only grow (neither a Linode volume nor the XFS brick on it"
                    + " can shrink), so set it to " + currentGb + " or more");
        }
        return currentGb < spec.volumeSizeGb();
    }

    /** What plan says of a growing volume. */
    public static String growth(ClusterSpec spec, long currentGb) {
        return "resize " + currentGb + " -> " + spec.volumeSizeGb() + " GB";
    }
}
