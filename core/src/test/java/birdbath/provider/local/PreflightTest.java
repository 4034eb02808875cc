package birdbath.provider.local;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import birdbath.BirdbathException;
import org.junit.jupiter.api.Test;

class PreflightTest {

    @Test
    void saysWhatIsMissingAndWhichPackageHasIt() {
        assertThatThrownBy(() -> LocalProvider.preflight("1000", p -> !p.equals("debootstrap")
                && !p.equals("systemd-nspawn")))
                .isInstanceOf(BirdbathException.class)
                .hasMessage("the local provider needs root (it creates network namespaces, loop devices and"
                        + " containers): run birdbath with sudo\n"
                        + "systemd-nspawn is missing: install it with `apt-get install systemd-container`\n"
                        + "debootstrap is missing: install it with `apt-get install debootstrap`");
    }

    @Test
    void passesWithRootAndEveryTool() {
        assertThatCode(() -> LocalProvider.preflight("0", p -> true)).doesNotThrowAnyException();
    }
}
