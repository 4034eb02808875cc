package birdbath.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** A missing need fails in one line naming it and how to get it; only a quick run leaves the test out. */
class TestHostTest {

    @AfterEach
    void fullRun() {
        System.clearProperty(TestHost.QUICK);
    }

    @Test
    void aMissingProgramFailsNamingItsPackageAndHowToInstallEverything() {
        assertThatThrownBy(() -> TestHost.requireProgram("/nonexistent/shellcheck"))
                .isInstanceOf(AssertionFailedError.class)
                .hasMessage("shellcheck is missing (apt-get install shellcheck) (`sudo ./test` installs the tests'"
                        + " packages and runs them as root; `mvn verify -Pquick` leaves such tests out)");
    }

    @Test
    void aQuickRunLeavesOutWhatIsMissingAndEveryTestThatNeedsRoot() {
        System.setProperty(TestHost.QUICK, "true");
        assertThatThrownBy(() -> TestHost.requireProgram("/nonexistent/tcpdump"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage(TestHost.LEFT_OUT + "tcpdump is missing (apt-get install tcpdump)");
        assertThatThrownBy(() -> TestHost.requireRoot("containers"))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage(TestHost.LEFT_OUT + "needs root (containers)");
    }

    @Test
    void aProgramThatIsThereIsEnoughEvenInAQuickRun() {
        System.setProperty(TestHost.QUICK, "true");
        TestHost.requireProgram("sh");
        TestHost.requireProgram("/bin/sh");
    }

    @Test
    void aProgramNotInThePackageListIsAMistakeInTheTest() {
        assertThatThrownBy(() -> TestHost.requireProgram("/nonexistent/frobnicate"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("frobnicate is not in birdbath/testkit/packages.txt");
    }

    @Test
    void theProgramsMapToTheirPackagesInTheListTestInstalls() throws Exception {
        assertThat(TestHost.PACKAGES).containsEntry("shellcheck", "shellcheck").containsEntry("initdb", "postgresql")
                .containsEntry("mosquitto_pub", "mosquitto-clients").containsEntry("tcpdump", "tcpdump")
                .containsEntry("systemd-nspawn", "systemd-container").doesNotContainKey("-");
        // ./test installs the first column of this same file
        assertThat(Files.readString(Path.of("../../test")))
                .contains("apps/testkit/src/main/resources/birdbath/testkit/packages.txt");
    }
}
