package birdbath;

/** Where birdbath tells the user what it does. The CLI prints; tests collect. */
public interface Reporter {

    /** A line of progress or a result ("  + instance demo-1 created"). */
    void info(String line);

    /** Something the user should know that does not stop the run. */
    void warn(String line);

    static Reporter silent() {
        return new Reporter() {
            @Override
            public void info(String line) { }

            @Override
            public void warn(String line) { }
        };
    }
}
