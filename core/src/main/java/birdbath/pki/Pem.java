package birdbath.pki;

import birdbath.BirdbathException;
import birdbath.secrets.SecretFiles;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM files: certificates (one or a chain) and private keys (PKCS#8 or the older EC/RSA forms). */
public final class Pem {

    private Pem() { }

    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        for (Object o : readObjects(file)) {
            if (o instanceof X509CertificateHolder h) {
                try {
                    certs.add(new JcaX509CertificateConverter().getCertificate(h));
                } catch (CertificateException e) {
                    throw new BirdbathException(file + ": a certificate in it cannot be read: " + e.getMessage());
                }
            }
        }
        if (certs.isEmpty()) {
            throw new BirdbathException(file + ": no PEM certificate in it (expected -----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    public static PrivateKey readPrivateKey(Path file) {
        for (Object o : readObjects(file)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return new JcaPEMKeyConverter().getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // SEC1 "EC PRIVATE KEY" files may lack the public half: read the private part alone
                    return new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw new BirdbathException(file + ": the private key in it cannot be read: " + e.getMessage());
            }
        }
        throw new BirdbathException(file + ": no unencrypted PEM private key in it (expected -----BEGIN PRIVATE"
                + " KEY----- or -----BEGIN EC PRIVATE KEY-----; decrypt it first with `openssl pkey`)");
    }

    private static List<Object> readObjects(Path file) {
        if (!Files.isReadable(file)) {
            throw new BirdbathException(file + ": " + (Files.exists(file) ? "not readable" : "no such file"));
        }
        List<Object> objects = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                objects.add(o);
            }
        } catch (IOException e) {
            throw new BirdbathException(file + ": not a PEM file (" + e.getMessage() + ")");
        }
        return objects;
    }

    public static String encode(Object... objects) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            for (Object o : objects) {
                // keys as PKCS#8 ("BEGIN PRIVATE KEY"), which etcd, strongSwan and openssl all read
                w.writeObject(o instanceof PrivateKey k ? new JcaPKCS8Generator(k, null) : o);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return sw.toString();
    }

    public static void writeCertificates(Path file, List<X509Certificate> certs) {
        SecretFiles.write(file, encode(certs.toArray()).getBytes(StandardCharsets.US_ASCII));
    }

    public static void writePrivateKey(Path file, PrivateKey key) {
        SecretFiles.writeSecret(file, encode(key).getBytes(StandardCharsets.US_ASCII));
    }
}
