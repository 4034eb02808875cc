package birdbath.stage.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import birdbath.config.ClusterSpec.EtcdSpec;
import birdbath.host.Host;
import birdbath.pki.CertificateAuthority;
import birdbath.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the kubernetes stage that need no nodes: the CA hash kubeadm pins, and version order. */
class KubernetesStageTest {

    @Test
    void caHashIsWhatKubeadmsDocumentedOpensslPipelineGives(@TempDir Path dir) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("hash-test");
        Path pem = dir.resolve("ca.crt");
        Pem.writeCertificates(pem, List.of(ca.certificate()));
        String openssl = Host.check(Duration.ofSeconds(20), "sh", "-c", "openssl x509 -pubkey -noout -in " + pem
                + " | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1").strip();
        assertThat(KubernetesStage.caHash(Files.readString(pem))).isEqualTo("sha256:" + openssl);
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(KubernetesStage.compare("3.4.23", "3.5.24")).isNegative();
        assertThat(KubernetesStage.compare("3.5.24", "3.5.24")).isZero();
        assertThat(KubernetesStage.compare("3.10.0", "3.5.24")).isPositive();
        assertThat(KubernetesStage.compare("1.34.1", "1.33.9")).isPositive();
    }

    @Test
    void theEtcdLinodeNodesGetByDefaultIsOneTheKubernetesStageAccepts() {
        assertThat(KubernetesStage.compare(EtcdSpec.PINNED_VERSION, KubernetesStage.MIN_ETCD)).isNotNegative();
    }
}
