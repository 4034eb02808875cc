package birdbath.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** docs/benchmarks.md holds one section per benchmark between markers; a run replaces only its own. */
final class BenchReport {

    private BenchReport() { }

    /** Removes a driver's temporary directory and everything in it. */
    private static final java.util.regex.Pattern DONE =
            java.util.regex.Pattern.compile("^(\\S+): done in ([0-9.]+) s$");

    /** A reporter that puts each stage's "STAGE: done in N s" into {@code stages} and passes warnings to stderr. */
    static birdbath.Reporter stageTimes(java.util.Map<String, Double> stages) {
        return birdbath.Reporter.into(line -> {
            java.util.regex.Matcher m = DONE.matcher(line);
            if (m.matches()) {
                stages.put(m.group(1), Double.parseDouble(m.group(2)));
            } else if (line.startsWith("warning: ")) {
                System.err.println(line);
            }
        });
    }

    /** One timed run: who (nodes, provider), what, its wall time, and each stage's own time. */
    record TimedRun(String who, String what, double seconds, java.util.Map<String, Double> stages) { }

    /** The runs as a Markdown table: who, what, wall time, then one column per stage (blank when it did not run). */
    static String stageTable(String whoHeader, java.util.List<String> stages, java.util.List<TimedRun> runs) {
        StringBuilder sb = new StringBuilder("| " + whoHeader + " | run | wall time |");
        stages.forEach(s -> sb.append(' ').append(s).append(" |"));
        sb.append("\n|---|---|---:|");
        stages.forEach(s -> sb.append("---:|"));
        sb.append('\n');
        for (TimedRun r : runs) {
            sb.append(String.format(java.util.Locale.ROOT, "| %s | %s | %.1f s |", r.who(), r.what(), r.seconds()));
            for (String s : stages) {
                Double v = r.stages().get(s);
                sb.append(v == null ? " |" : String.format(java.util.Locale.ROOT, " %.1f s |", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static void removeDir(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Arguments of every driver: [OUTPUT.md] [NODES...]. */
    static Path output(String[] args) {
        return Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
    }

    static java.util.List<Integer> sizes(String[] args, java.util.List<Integer> defaults) {
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        return sizes.isEmpty() ? defaults : sizes;
    }

    static void replaceSection(Path file, String name, String content) throws IOException {
        String start = "<!-- bench:" + name + ":start -->";
        String end = "<!-- bench:" + name + ":end -->";
        String doc = Files.exists(file) ? Files.readString(file)
                : "# Benchmarks\n\nWritten by the drivers under bench/; do not edit between the markers.\n";
        String block = start + "\n" + content + end;
        int s = doc.indexOf(start);
        int e = doc.indexOf(end);
        doc = s >= 0 && e > s ? doc.substring(0, s) + block + doc.substring(e + end.length())
                : doc.stripTrailing() + "\n\n" + block + "\n";
        Files.writeString(file, doc);
    }
}
