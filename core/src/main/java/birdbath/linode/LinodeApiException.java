package birdbath.linode;

import birdbath.BirdbathException;

/** A request the Linode API refused for good (4xx other than 429), or one that kept failing: Linode's reason. */
public final class LinodeApiException extends BirdbathException {

    private final int status;

    public LinodeApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when no answer came (connection failures). */
    public int status() {
        return status;
    }
}
