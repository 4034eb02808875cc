package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import birdbath.Secret;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** The htpasswd line's bcrypt hash, checked by another bcrypt implementation: the right password only. */
class HtpasswdTest {

    @Test
    void theHashVerifiesForTheRightPasswordOnly() {
        String line = Htpasswd.line("admin", new Secret("correct horse battery"), new SecureRandom());
        assertThat(line).startsWith("admin:$2y$10$").doesNotContain("correct");
        byte[] hash = line.substring("admin:".length()).getBytes(StandardCharsets.UTF_8);
        assertThat(BCrypt.verifyer().verify("correct horse battery".toCharArray(), hash).verified).isTrue();
        assertThat(BCrypt.verifyer().verify("correct horse battery ".toCharArray(), hash).verified).isFalse();
        assertThat(BCrypt.verifyer().verify("Correct horse battery".toCharArray(), hash).verified).isFalse();
    }

    @Test
    void twoHashesOfOnePasswordDiffer() {
        SecureRandom random = new SecureRandom();
        assertThat(Htpasswd.line("a", new Secret("pw"), random)).isNotEqualTo(Htpasswd.line("a", new Secret("pw"), random));
    }

    @Test
    void aUserNameWithAColonIsRefused() {
        assertThatThrownBy(() -> Htpasswd.line("a:b", new Secret("pw"), new SecureRandom()))
                .hasMessageContaining("'a:b' cannot be an htpasswd user");
    }
}
