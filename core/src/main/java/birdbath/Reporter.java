package birdbath;

/** Where birdbath tells the user what it does. The CLI prints; tests collect. */
public interface Reporter {

    /** A line of progress or a result ("  + instance demo-1 created"). */
    void info(String line);

    /** Something the user should know that does not stop the run. */
    void warn(String line);

    /** What a node is doing right now; a terminal shows one live line per node, other outputs nothing. */
    default void progress(String node, String status) { }

    /** The live lines are done (the stage ended); what follows is plain output again. */
    default void progressDone() { }

    /** Every line, warnings marked "warning: ", to one consumer (tests and benchmarks read them). */
    static Reporter into(java.util.function.Consumer<String> lines) {
        return new Reporter() {
            @Override
            public void info(String line) {
                lines.accept(line);
            }

            @Override
            public void warn(String line) {
                lines.accept("warning: " + line);
            }
        };
    }

    static Reporter silent() {
        return new Reporter() {
            @Override
            public void info(String line) { }

            @Override
            public void warn(String line) { }
        };
    }
}
