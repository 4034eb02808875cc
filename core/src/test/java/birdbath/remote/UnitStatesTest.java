package birdbath.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading {@code systemctl show}'s blocks. The output below was copied from a local node (Debian 12, systemd 252)
 * on 2026-11-30 for the same command: a running enabled service, a unit that does not exist, an alias (sshd.service,
 * which `is-enabled` calls "alias" and show reports as its target's state) and the brick's mount, whose block was
 * then changed by hand from active/enabled to failed/disabled so that a state other than the good one is read.
 * LocalClusterTest converges and probes real units with it.
 */
class UnitStatesTest {

    private static final List<String> UNITS = List.of("glusterd.service", "nosuch.service", "sshd.service",
            "var-lib-birdbath-brick.mount");
    private static final String OUTPUT = """
            ActiveState=active
            UnitFileState=enabled

            ActiveState=inactive
            UnitFileState=

            ActiveState=active
            UnitFileState=enabled

            ActiveState=failed
            UnitFileState=disabled
            """;

    @Test
    void readsEachUnitsBlockInTheOrderAsked() {
        UnitStates states = UnitStates.parse(UNITS, OUTPUT);
        assertThat(states.running("glusterd.service")).isTrue();
        assertThat(states.running("nosuch.service")).isFalse();
        assertThat(states.enabled("nosuch.service")).isEmpty();
        assertThat(states.running("sshd.service")).isTrue();
        assertThat(states.active("var-lib-birdbath-brick.mount")).isEqualTo("failed");
        assertThat(states.enabled("var-lib-birdbath-brick.mount")).isEqualTo("disabled");
    }

    @Test
    void knowsNothingWhenTheBlocksDoNotMatchTheUnits() {
        // a truncated answer must not shift one unit's state onto another
        UnitStates states = UnitStates.parse(UNITS, OUTPUT.substring(0, OUTPUT.indexOf("\n\n")));
        assertThat(UNITS).noneMatch(states::running);
    }

    @Test
    void theCommandAsksForBothPropertiesOfEveryUnit() {
        assertThat(UnitStates.command(UNITS)).isEqualTo("systemctl show -p UnitFileState -p ActiveState -- "
                + "glusterd.service nosuch.service sshd.service var-lib-birdbath-brick.mount 2>/dev/null; true");
    }
}
