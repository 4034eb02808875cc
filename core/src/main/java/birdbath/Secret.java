package birdbath;

/** A value that must never be printed: toString() hides it; only reveal() gives it out, for the wire or a 0600 file. */
public final class Secret {

    private final String value;

    public Secret(String value) {
        this.value = value;
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "********";
    }
}
