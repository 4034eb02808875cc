package birdbath.host;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.host.HostPackages.Decision;
import birdbath.host.HostPackages.Tool;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What `up` does about missing host tools, decided without touching this machine's packages (a test must not install
 * or remove them). The Debian text is the start of this machine's /etc/os-release (Debian 12); Ubuntu's and
 * Fedora's are shortened, with the ID and ID_LIKE lines that os-release(5) defines and those systems set.
 */
class HostPackagesTest {

    private static final List<Tool> MISSING = List.of(new Tool("systemd-nspawn", "systemd-container"),
            new Tool("debootstrap", "debootstrap"), new Tool("nsenter", "util-linux"), new Tool("unshare", "util-linux"));
    private static final String DEBIAN = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n"
            + "VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    private static final String UBUNTU = "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\n"
            + "ID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n";
    private static final String FEDORA = "NAME=\"Fedora Linux\"\nVERSION=\"40 (Workstation Edition)\"\nID=fedora\n"
            + "VERSION_ID=40\n";

    @Test
    void onDebianAndUbuntuTheMissingPackagesAreInstalledEachOnce() {
        for (String os : List.of(DEBIAN, UBUNTU)) {
            Decision d = HostPackages.decide("the local provider", MISSING, true, os);
            assertThat(d.refusal()).isNull();
            assertThat(d.install()).containsExactly("systemd-container", "debootstrap", "util-linux");
        }
    }

    @Test
    void withNoInstallItStopsAndNamesThePackages() {
        Decision d = HostPackages.decide("the local provider", MISSING, false, DEBIAN);
        assertThat(d.install()).isEmpty();
        assertThat(d.refusal()).isEqualTo("the local provider needs systemd-nspawn, debootstrap, nsenter, unshare on"
                + " this machine: install them with `apt-get install systemd-container debootstrap util-linux`, or run"
                + " `up` without --no-install and it does");
    }

    @Test
    void elsewhereItStopsWithTheClearError() {
        Decision d = HostPackages.decide("the local provider", MISSING, true, FEDORA);
        assertThat(d.install()).isEmpty();
        assertThat(d.refusal()).startsWith("the local provider needs systemd-nspawn, debootstrap, nsenter, unshare on"
                + " this machine; birdbath installs them itself only on Debian and Ubuntu");
        assertThat(HostPackages.debianLike("")).isFalse();
    }
}
