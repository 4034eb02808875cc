package birdbath.testkit;

import java.nio.file.Path;
import java.util.List;

/**
 * Which Mosquitto a {@link TestMosquitto} runs: this machine's (Debian 12's 2.0.11), or Debian 13's (2.0.21), the
 * 2.0 line the cluster deploys with the image eclipse-mosquitto:2. 2.0.11 sends a persistent session far more
 * than its in-flight window once acknowledgements resume after an outage (fixed in 2.0.13, "various fixes around
 * inflight quota management", eclipse/mosquitto#2306); a test of the window needs the newer one. Debian 13's
 * binary needs its own C library, so it runs through that library's loader, on Debian 13's libraries unpacked
 * next to it (the few others it takes, libcap2, zlib1g and libzstd1, are in every Debian).
 *
 * @param command the program, with what runs it
 * @param version Mosquitto's version
 */
public record MosquittoProgram(List<String> command, String version) {

    private static final List<String> TRIXIE = List.of("mosquitto", "libmosquitto1", "libc6", "libcjson1", "libdlt2",
            "libssl3t64", "libwebsockets19t64", "libsystemd0", "libwrap0");

    public static MosquittoProgram host() {
        TestHost.requireProgram("/usr/sbin/mosquitto");
        return new MosquittoProgram(List.of("/usr/sbin/mosquitto"), "this machine's");
    }

    /** Debian 13's, downloaded once into the releases cache ({@link DebianPackages}). */
    public static MosquittoProgram trixie() {
        DebianPackages debs = DebianPackages.of("trixie", TRIXIE);
        Path lib = debs.root().resolve("usr/lib/x86_64-linux-gnu");
        return new MosquittoProgram(List.of(lib.resolve("ld-linux-x86-64.so.2").toString(), "--library-path",
                lib + ":" + debs.root().resolve("lib/x86_64-linux-gnu"), debs.root().resolve("usr/sbin/mosquitto")
                .toString()), debs.upstreamVersion("mosquitto"));
    }
}
