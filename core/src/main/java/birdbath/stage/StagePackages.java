package birdbath.stage;

import birdbath.stage.baseline.BaselineStage;
import birdbath.stage.etcd.EtcdStage;
import birdbath.stage.ipsec.IpsecStage;
import birdbath.stage.kubernetes.KubernetesStage;
import birdbath.stage.storage.StorageStage;
import java.util.List;
import java.util.stream.Stream;

/** Every Debian package a stage installs from the distribution, each stage's own list in pipeline order. */
public final class StagePackages {

    /**
     * The local provider's nodes have Debian's containerd for `birdbath image load` (they run no Kubernetes);
     * on Linode the kubernetes stage installs containerd from its release instead ({@code ContainerRuntime}).
     */
    public static final List<String> LOCAL_IMAGE_STORE = List.of("containerd");

    public static final List<String> ALL = Stream.of(BaselineStage.PACKAGES, IpsecStage.PACKAGES,
            EtcdStage.DISTRO_PACKAGES, LOCAL_IMAGE_STORE, KubernetesStage.NODE_PACKAGES, StorageStage.SERVER_PACKAGES,
            StorageStage.CLIENT_PACKAGES).flatMap(List::stream).distinct().toList();

    private StagePackages() { }
}
