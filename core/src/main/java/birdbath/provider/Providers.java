package birdbath.provider;

import birdbath.BirdbathException;
import birdbath.Reporter;
import birdbath.Secret;
import birdbath.config.ClusterSpec;
import birdbath.linode.ApiSettings;
import birdbath.linode.LinodeApi;
import birdbath.linode.LinodeCloud;
import birdbath.provider.linode.ApiLog;
import birdbath.provider.linode.LinodeProvider;
import birdbath.provider.local.LocalProvider;
import java.util.Map;

/** The provider a config asks for, wired with its credentials. */
public final class Providers {

    private Providers() { }

    public static Provider create(ClusterSpec spec, Map<String, String> env, Reporter out, ApiSettings settings) {
        if (spec.provider() == ClusterSpec.ProviderKind.LOCAL) {
            return new LocalProvider(spec, env, out);
        }
        String envToken = env.get("LINODE_TOKEN");
        Secret token = envToken != null && !envToken.isBlank() ? new Secret(envToken.trim()) : spec.linode().token();
        if (token == null) {
            throw new BirdbathException("no Linode API token: set LINODE_TOKEN to a personal access token with"
                    + " read/write access to Linodes, Volumes, Domains, Firewalls and VPCs");
        }
        ApiLog log = new ApiLog(birdbath.state.StateDir.of(spec).apiLog());
        LinodeApi api = new LinodeApi(spec.linode().apiUrl(), token, settings, log);
        return new LinodeProvider(spec, new LinodeCloud(api), out);
    }
}
