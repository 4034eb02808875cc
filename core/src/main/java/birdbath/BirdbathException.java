package birdbath;

/** A failure the user can act on; its message is written for them and printed as is, without a stack trace. */
public class BirdbathException extends RuntimeException {

    public BirdbathException(String message) {
        super(message);
    }

    public BirdbathException(String message, Throwable cause) {
        super(message, cause);
    }
}
