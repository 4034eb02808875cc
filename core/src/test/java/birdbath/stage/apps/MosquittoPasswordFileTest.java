package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.Secret;
import birdbath.testkit.Commands;
import birdbath.testkit.TestMosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The password file birdbath writes, checked by a real Mosquitto 2 (Debian's): right passwords in, wrong out. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MosquittoPasswordFileTest {

    @Test
    void mosquittoAcceptsTheRightPasswordsAndRefusesWrongOnes(@TempDir Path dir) throws Exception {
        Map<String, Secret> users = new LinkedHashMap<>();
        users.put("owntracks", new Secret("s3cret-Owntracks"));
        users.put("owntracks2db", new Secret("another:one$with*odd chars"));
        String text = MosquittoPasswordFile.of(users);
        assertThat(MosquittoPasswordFile.of(users)).as("the same users and passwords, the same file").isEqualTo(text);
        assertThat(MosquittoPasswordFile.of(Map.of("owntracks", new Secret("s3cret-Owntracks2"))).split("\\$")[3])
                .as("another password, another salt").isNotEqualTo(text.split("\\$")[3]);
        assertThat(text.lines()).hasSize(2).allMatch(l -> l.matches("[a-z0-9]+:\\$7\\$1000\\$[A-Za-z0-9+/=]{16}\\$"
                + "[A-Za-z0-9+/=]{88}"));
        assertThat(text).doesNotContain("s3cret").doesNotContain("another");
        Path file = Files.writeString(dir.resolve("passwd"), text);
        try (TestMosquitto broker = new TestMosquitto(file)) {
            assertThat(connects(broker, "owntracks", "s3cret-Owntracks")).isTrue();
            assertThat(connects(broker, "owntracks2db", "another:one$with*odd chars")).isTrue();
            assertThat(connects(broker, "owntracks", "s3cret-owntracks")).isFalse();
            assertThat(connects(broker, "owntracks2db", "s3cret-Owntracks")).isFalse();
            assertThat(connects(broker, "nobody", "s3cret-Owntracks")).isFalse();
        }
    }

    /** One QoS 1 publish by mosquitto_pub: it exits 0 only when the broker accepted the login. */
    private static boolean connects(TestMosquitto broker, String user, String password) throws Exception {
        try {
            Commands.run("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port), "-u", user, "-P",
                    password, "-q", "1", "-t", "test/login", "-m", "hello");
            return true;
        } catch (java.io.IOException e) {
            assertThat(e.getMessage()).contains("not authorised");
            return false;
        }
    }
}
