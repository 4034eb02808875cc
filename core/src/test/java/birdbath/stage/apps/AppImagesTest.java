package birdbath.stage.apps;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The images the apps stage runs are the ones `mvn package` builds: the tag is the project's version. */
class AppImagesTest {

    @Test
    void theImageTagIsTheProjectVersion() throws Exception {
        String pom = Files.readString(Path.of("..", "pom.xml"));
        Matcher m = Pattern.compile("<artifactId>birdbath-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(pom);
        assertThat(m.find()).isTrue();
        assertThat(AppImages.VERSION).isEqualTo(m.group(1));
    }
}
