package birdbath.pki;

import birdbath.BirdbathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS contexts from PEM files: trust only the given CAs, and present a client certificate if one is given. */
public final class TlsContexts {

    private TlsContexts() { }

    /** Trusts {@code trusted} only, and presents {@code cert}/{@code key} (both may be null: no client certificate). */
    public static SSLContext of(List<X509Certificate> trusted, Path cert, Path key) {
        List<Path[]> identities = new java.util.ArrayList<>();
        if (cert != null) {
            identities.add(new Path[] {cert, key});
        }
        return of(trusted, identities);
    }

    /**
     * Trusts {@code trusted} only, and holds several client identities ({certificate, key} each): the JDK's key
     * manager presents the one whose issuer the server asks for (TLS CertificateRequest's certificate
     * authorities), so one context speaks to servers that trust different CAs.
     */
    public static SSLContext of(List<X509Certificate> trusted, List<Path[]> identities) {
        Path cert = identities.isEmpty() ? null : identities.get(0)[0];
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                trust.setCertificateEntry("ca-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (cert != null) {
                // an in-memory store only: the password protects nothing on disk
                char[] password = "birdbath".toCharArray();
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                for (int i = 0; i < identities.size(); i++) {
                    PrivateKey privateKey = Pem.readPrivateKey(identities.get(i)[1]);
                    keys.setKeyEntry("client-" + i, privateKey, password,
                            Pem.readCertificates(identities.get(i)[0]).toArray(new X509Certificate[0]));
                }
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new BirdbathException("cannot set up TLS with " + (cert == null ? "the cluster CA" : cert)
                    + ": " + e.getMessage());
        }
    }
}
