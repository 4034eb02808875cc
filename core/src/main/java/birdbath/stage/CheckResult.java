package birdbath.stage;

/** One probe's verdict on one node: "baseline demo-2 ok" or "baseline demo-2 FAILED: root login accepted". */
public record CheckResult(String stage, String node, String probe, boolean ok, String detail) {

    public static CheckResult ok(String stage, String node, String probe) {
        return new CheckResult(stage, node, probe, true, "");
    }

    /** The one way a probe's verdict is written: ok when {@code problem} is null or empty, else failed with it. */
    public static CheckResult of(String stage, String node, String probe, String problem) {
        return problem == null || problem.isEmpty() ? ok(stage, node, probe) : failed(stage, node, probe, problem);
    }

    /** As {@link #of(String, String, String, String)}: ok when {@code ok}, else failed with {@code whyNot}. */
    public static CheckResult of(String stage, String node, String probe, boolean ok, String whyNot) {
        return ok ? ok(stage, node, probe) : failed(stage, node, probe, whyNot);
    }

    public static CheckResult failed(String stage, String node, String probe, String why) {
        return new CheckResult(stage, node, probe, false, why);
    }
}
