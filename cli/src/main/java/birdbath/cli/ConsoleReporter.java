package birdbath.cli;

import birdbath.Reporter;

/** Progress to stdout, warnings to stderr. */
final class ConsoleReporter implements Reporter {

    @Override
    public void info(String line) {
        System.out.println(line);
    }

    @Override
    public void warn(String line) {
        System.err.println("warning: " + line);
    }
}
