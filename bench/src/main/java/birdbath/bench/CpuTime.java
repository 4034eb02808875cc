package birdbath.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/**
 * Where a run's CPU time goes: every process's user and system time from /proc, summed by a name, taken before
 * and after; the difference is each one's share of the run.
 */
final class CpuTime {

    private static final double TICKS = 100.0; // USER_HZ, 100 on Linux

    private CpuTime() { }

    /** A process's or thread's name and CPU seconds (user + system), from its /proc stat file. */
    private record Stat(String comm, double seconds) {
        /** Null if the process or thread is gone. */
        static Stat of(Path file) {
            String stat;
            try {
                stat = Files.readString(file);
            } catch (IOException gone) {
                return null;
            }
            // pid (comm) state ppid ... utime(14) stime(15): comm may hold spaces, so count from its ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new Stat(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
                    (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS);
        }
    }

    /** CPU seconds used so far by each group of processes: {@code name} gives a pid's group, or null to leave it. */
    static Map<String, Double> now(LongFunction<String> name) throws IOException {
        Map<String, Double> seconds = new TreeMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String pidText = p.getFileName().toString();
                if (!pidText.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                Stat stat = Stat.of(p.resolve("stat"));
                if (stat == null) {
                    continue;
                }
                String group = name.apply(Long.parseLong(pidText));
                seconds.merge(group == null ? stat.comm() : group, stat.seconds(), Double::sum);
            }
        }
        return seconds;
    }

    /**
     * A JVM's CPU seconds so far: in all, and in its JIT compiler threads (which the JVM must be told to keep,
     * -XX:-UseDynamicNumberOfCompilerThreads, or an idle one exits and its time leaves the per-thread count).
     */
    record Jvm(double total, double jit) {
        static Jvm of(long pid) throws IOException {
            double total = 0;
            double jit = 0;
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    Stat stat = Stat.of(t.resolve("stat"));
                    if (stat == null) {
                        continue;
                    }
                    total += stat.seconds();
                    if (stat.comm().startsWith("C1 Compiler") || stat.comm().startsWith("C2 Compiler")) {
                        jit += stat.seconds();
                    }
                }
            }
            return new Jvm(total, jit);
        }

        Jvm minus(Jvm before) {
            return new Jvm(total - before.total, jit - before.jit);
        }
    }

    /** The flag that keeps a JVM's compiler threads, so that {@link Jvm#of} can count them. */
    static final String KEEP_COMPILER_THREADS = "-XX:-UseDynamicNumberOfCompilerThreads";

    /** after - before, per group, those that used at least 0.05 s, most first, as "name 1.2 s". */
    static String used(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder sb = new StringBuilder();
        after.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey())
                        .append(String.format(java.util.Locale.ROOT, " %.1f s", e.getValue())));
        return sb.toString();
    }
}
