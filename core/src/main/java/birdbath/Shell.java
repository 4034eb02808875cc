package birdbath;

/** The one rule for putting a value into a POSIX shell command line. */
public final class Shell {

    private Shell() { }

    /** {@code s} as one single-quoted word: nothing in it is expanded ("it's" becomes 'it'\''s'). */
    public static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
