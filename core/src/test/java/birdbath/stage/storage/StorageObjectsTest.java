package birdbath.stage.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The StorageClass's provisioner, as the apps stage sends it. */
class StorageObjectsTest {

    private final List<HasMetadata> objects = StorageStage.objects();

    private <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * local-path-provisioner starts its helper pods (which make and remove each volume's directory) under the
     * ServiceAccount `local-path-provisioner-service-account` unless told another name: upstream's own manifests
     * name the account so (deploy/local-path-storage.yaml). A provisioner running under another account leaves every
     * claim Pending, since the API server rejects helper pods naming an account that does not exist.
     */
    @Test
    void theProvisionerAndItsHelperPodsRunUnderTheOneBoundServiceAccount() {
        String account = "local-path-provisioner-service-account";
        assertThat(all(ServiceAccount.class)).extracting(a -> a.getMetadata().getNamespace() + "/"
                + a.getMetadata().getName()).containsExactly("local-path-storage/" + account);
        Deployment provisioner = all(Deployment.class).get(0);
        assertThat(provisioner.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(account);
        assertThat(all(ClusterRoleBinding.class).get(0).getSubjects()).singleElement()
                .satisfies(s -> assertThat(s.getName()).isEqualTo(account));
    }
}
