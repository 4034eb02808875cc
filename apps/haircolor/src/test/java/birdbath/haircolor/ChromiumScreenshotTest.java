package birdbath.haircolor;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.testkit.TestHost;
import java.awt.image.BufferedImage;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What a browser paints: headless Chromium (Debian's; .ci/run installs it) screenshots of the page. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChromiumScreenshotTest {

    private static final int WIDTH = 400;
    private static final int HEIGHT = 600;

    @TempDir
    Path dir;

    private HaircolorServer server;

    @BeforeEach
    void start() throws Exception {
        TestHost.requireProgram("chromium");
        server = new HaircolorServer(new InetSocketAddress("127.0.0.1", 0), new FileColorStore(dir.resolve("data")),
                "token").start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void set(String background) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + server.port() + "/api/color")).header("Authorization", "Bearer token")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"background\": \"" + background + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    private BufferedImage screenshot() throws Exception {
        Path png = dir.resolve("shot-" + System.nanoTime() + ".png");
        Path profile = Files.createTempDirectory(dir, "profile");
        Process p = new ProcessBuilder(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--user-data-dir=" + profile,
                "--window-size=" + WIDTH + "," + HEIGHT, "--screenshot=" + png,
                "http://127.0.0.1:" + server.port() + "/")).redirectErrorStream(true)
                .redirectOutput(dir.resolve("chromium.log").toFile()).start();
        try {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(png).as(Files.readString(dir.resolve("chromium.log"))).exists();
        return ImageIO.read(new File(png.toString()));
    }

    private static int[] rgb(BufferedImage img, int x, int y) {
        int v = img.getRGB(x, y);
        return new int[] {(v >> 16) & 255, (v >> 8) & 255, v & 255};
    }

    private static void assertNear(int[] actual, int r, int g, int b) {
        assertThat(Math.abs(actual[0] - r) + Math.abs(actual[1] - g) + Math.abs(actual[2] - b))
                .as("pixel %s vs (%d, %d, %d)", java.util.Arrays.toString(actual), r, g, b).isLessThanOrEqualTo(6);
    }

    @Test
    void theCentreIsTheColourThatWasSet() throws Exception {
        set("#D51F6F");
        BufferedImage img = screenshot();
        assertNear(rgb(img, img.getWidth() / 2, img.getHeight() / 2), 0xD5, 0x1F, 0x6F);
        assertNear(rgb(img, 2, 2), 0xD5, 0x1F, 0x6F);
    }

    @Test
    void aGradientPaintsTopAndBottomAsItSays() throws Exception {
        set("linear-gradient(to bottom, #E936AF, #48145F 40%)");
        BufferedImage img = screenshot();
        int x = img.getWidth() / 2;
        // the first stop at the very top; from 40% down the second colour
        assertNear(rgb(img, x, 0), 0xE9, 0x36, 0xAF);
        assertNear(rgb(img, x, img.getHeight() - 1), 0x48, 0x14, 0x5F);
        assertNear(rgb(img, x, img.getHeight() / 2), 0x48, 0x14, 0x5F);
    }
}
