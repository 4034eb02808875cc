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

    public static final List<String> ALL = Stream.of(BaselineStage.PACKAGES, IpsecStage.PACKAGES,
            EtcdStage.DISTRO_PACKAGES, KubernetesStage.NODE_PACKAGES, StorageStage.SERVER_PACKAGES,
            StorageStage.CLIENT_PACKAGES).flatMap(List::stream).distinct().toList();

    private StagePackages() { }
}
