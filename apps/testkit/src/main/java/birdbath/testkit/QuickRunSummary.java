package birdbath.testkit;

import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * After a quick run ({@code -Pquick}), one line per module: how many tests it left out, and why (registered for
 * every module whose tests have the testkit, through META-INF/services). Says nothing in a full run.
 */
public final class QuickRunSummary implements TestExecutionListener {

    private final Map<String, Integer> leftOut = new TreeMap<>();
    private TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier id, String reason) {
        count(id, reason);
    }

    @Override
    public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        // a requirement checked in @BeforeAll aborts the class: its tests are then never reported one by one
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            count(id, result.getThrowable().map(Throwable::getMessage).orElse(""));
        }
    }

    private void count(TestIdentifier id, String reason) {
        if (reason == null || !reason.startsWith(TestHost.LEFT_OUT)) {
            return;
        }
        long tests = id.isTest() ? 1 : plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count();
        leftOut.merge(reason.substring(TestHost.LEFT_OUT.length()), (int) tests, Integer::sum);
    }

    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (!TestHost.quick() || leftOut.isEmpty()) {
            return;
        }
        int total = leftOut.values().stream().mapToInt(Integer::intValue).sum();
        StringBuilder sb = new StringBuilder("quick run (-Pquick) left out " + total + (total == 1 ? " test:"
                : " tests:"));
        leftOut.forEach((why, n) -> sb.append(' ').append(n).append(": ").append(why).append(';'));
        sb.setLength(sb.length() - 1);
        System.out.println(sb.append(". `sudo ./test` runs them all."));
    }
}
