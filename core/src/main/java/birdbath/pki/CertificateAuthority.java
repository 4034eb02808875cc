package birdbath.pki;

import birdbath.BirdbathException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The CA that signs the cluster's certificates: birdbath's own root (ECDSA P-256, 10 years, CA:TRUE pathlen 1),
 * or the user's CA or intermediate with the chain up to its root.
 *
 * @param chain the signing certificate first, then its issuers up to the root
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {

    private static final SecureRandom RANDOM = new SecureRandom();

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new root CA: the cluster's, "birdbath NAME CA". */
    public static CertificateAuthority create(String clusterName) {
        return createNamed("birdbath " + clusterName + " CA");
    }

    /** A new root CA with this common name (organisation birdbath). */
    public static CertificateAuthority createNamed(String commonName) {
        KeyPair pair = newKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "birdbath")
                .addRDN(BCStyle.CN, commonName).build();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(name, name, pair.getPublic(), Duration.ofDays(3653))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(1))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate cert = sign(b, pair.getPrivate());
            return new CertificateAuthority(cert, pair.getPrivate(), List.of(cert));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The user's CA: its certificate, its key and optionally the chain above it. Refuses a certificate that is
     * not a CA, a key that is not its key, an expired certificate, or a chain that does not link up.
     */
    public static CertificateAuthority load(Path certFile, Path keyFile, Path chainFile) {
        List<X509Certificate> certs = Pem.readCertificates(certFile);
        X509Certificate cert = certs.get(0);
        PrivateKey key = Pem.readPrivateKey(keyFile);
        List<X509Certificate> chain = new ArrayList<>(certs);
        if (chainFile != null) {
            for (X509Certificate c : Pem.readCertificates(chainFile)) {
                if (chain.stream().noneMatch(c::equals)) {
                    chain.add(c);
                }
            }
        }
        if (cert.getBasicConstraints() < 0) {
            throw new BirdbathException(certFile + ": '" + cert.getSubjectX500Principal().getName() + "' is not a CA"
                    + " certificate (no basicConstraints CA:TRUE); give the certificate of your CA or intermediate");
        }
        if (!matches(key, cert.getPublicKey())) {
            throw new BirdbathException(keyFile + ": this private key does not belong to the certificate in "
                    + certFile);
        }
        for (X509Certificate c : chain) {
            if (c.getNotAfter().toInstant().isBefore(Instant.now())) {
                throw new BirdbathException((c == cert ? certFile : chainFile) + ": '"
                        + c.getSubjectX500Principal().getName() + "' expired on " + c.getNotAfter().toInstant());
            }
        }
        for (int i = 0; i + 1 < chain.size(); i++) {
            if (!signedBy(chain.get(i), chain.get(i + 1))) {
                throw new BirdbathException(chainFile + ": the chain does not link up: '"
                        + chain.get(i).getSubjectX500Principal().getName() + "' is not signed by '"
                        + chain.get(i + 1).getSubjectX500Principal().getName() + "' (order: issuer after subject)");
            }
        }
        return new CertificateAuthority(cert, key, List.copyOf(chain));
    }

    /** Whether a private key and a public key form a pair (signs and verifies a challenge). */
    static boolean matches(PrivateKey key, PublicKey pub) {
        try {
            String alg = signatureAlgorithm(pub instanceof java.security.interfaces.ECKey);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            byte[] challenge = "birdbath".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.update(challenge);
            byte[] sig = s.sign();
            s.initVerify(pub);
            s.update(challenge);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    static boolean signedBy(X509Certificate cert, X509Certificate issuer) {
        try {
            cert.verify(issuer.getPublicKey());
            return cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal());
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Whether this CA signed the certificate. */
    public boolean issued(X509Certificate cert) {
        return signedBy(cert, certificate);
    }

    /** A new key pair and a certificate for it. */
    public Issued issue(CertRequest req) {
        KeyPair pair = newKeyPair();
        X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
        if (req.organization() != null) {
            subject.addRDN(BCStyle.O, req.organization());
        }
        subject.addRDN(BCStyle.CN, req.commonName());
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            List<GeneralName> names = new ArrayList<>();
            req.dnsNames().forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
            req.ips().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            List<KeyPurposeId> purposes = new ArrayList<>();
            if (req.server()) {
                purposes.add(KeyPurposeId.id_kp_serverAuth);
            }
            if (req.client()) {
                purposes.add(KeyPurposeId.id_kp_clientAuth);
            }
            X509v3CertificateBuilder b = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    subject.build(), pair.getPublic(), req.validity())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false,
                            new ExtendedKeyUsage(purposes.toArray(new KeyPurposeId[0])))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            ext.createAuthorityKeyIdentifier(certificate));
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(new GeneralName[0])));
            }
            return new Issued(sign(b, key), pair.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate and its key. */
    public record Issued(X509Certificate certificate, PrivateKey key) { }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key,
                                                    Duration validity) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws GeneralSecurityException {
        try {
            String alg = signatureAlgorithm(key instanceof java.security.interfaces.ECKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /** By key type, not algorithm name: BouncyCastle's EC keys call themselves "ECDSA", the JDK's "EC". */
    private static String signatureAlgorithm(boolean ec) {
        return ec ? "SHA256withECDSA" : "SHA256withRSA";
    }

    /** The SANs of a certificate in {@link CertRequest#sans()} form. */
    public static List<String> sans(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    if (type == GeneralName.dNSName) {
                        out.add("DNS:" + n.get(1));
                    } else if (type == GeneralName.iPAddress) {
                        out.add("IP:" + n.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return out.stream().distinct().sorted().toList();
    }
}
