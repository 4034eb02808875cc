package birdbath.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test certificates made with openssl: a CA and a server certificate for the name localhost only (not the
 * address 127.0.0.1), so that tests can show both a verified connection and a refused name. P-256 keys, two
 * days' validity.
 */
public final class TestCertificates {

    public final Path ca;
    public final Path serverCert;
    public final Path serverKey;

    private TestCertificates(Path dir) {
        ca = dir.resolve("ca.crt");
        serverCert = dir.resolve("server.crt");
        serverKey = dir.resolve("server.key");
    }

    /** Writes ca.crt, ca.key, server.crt and server.key into {@code dir}. */
    public static TestCertificates forLocalhost(Path dir) throws Exception {
        TestHost.requireProgram("openssl");
        TestCertificates t = new TestCertificates(dir);
        String d = dir.toString();
        selfSigned("birdbath test CA", dir.resolve("ca.key"), t.ca);
        Commands.run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                "/CN=localhost", "-keyout", t.serverKey.toString(), "-out", d + "/server.csr");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
        Commands.run("openssl", "x509", "-req", "-in", d + "/server.csr", "-CA", t.ca.toString(), "-CAkey",
                d + "/ca.key", "-CAcreateserial", "-days", "2", "-extfile", d + "/san.ext", "-out",
                t.serverCert.toString());
        return t;
    }

    /** A CA that signed nothing here: {@code dir}/other-ca.crt, for "a server from another CA is refused". */
    public static Path otherCa(Path dir) throws Exception {
        TestHost.requireProgram("openssl");
        Path crt = dir.resolve("other-ca.crt");
        selfSigned("another CA", dir.resolve("other-ca.key"), crt);
        return crt;
    }

    private static void selfSigned(String cn, Path key, Path crt) throws Exception {
        Commands.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-days", "2", "-subj", "/CN=" + cn, "-keyout", key.toString(), "-out", crt.toString());
    }
}
