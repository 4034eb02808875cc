package birdbath.provider.linode;

import birdbath.Secret;
import birdbath.remote.HostKey;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user data a new instance gets (metadata.user_data, read by its cloud-init through Linode's Metadata
 * service): a cloud-config that makes birdbath's {@link HostKey} the node's only SSH host key. cloud-init's ssh
 * module (cc_ssh, 22.4.2 and later) first deletes every /etc/ssh/ssh_host_*key* (ssh_deletekeys, true by
 * default, set here all the same), then writes the keys of ssh_keys and generates none, and runs before sshd
 * starts (cloud-init.service is Before=sshd.service). Sources in docs/upstream/cloud-init-host-keys.md.
 */
public final class HostKeyUserData {

    /** Linode's limit on metadata.user_data before encoding. */
    static final int MAX_BYTES = 65535;
    private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).build());

    private HostKeyUserData() { }

    /** The cloud-config, base64 as the API takes it: a secret, for it holds the private key. */
    static Secret encoded(HostKey key) {
        byte[] text = cloudConfig(key).reveal().getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_BYTES) {
            throw new IllegalStateException("user data of " + text.length + " bytes exceeds Linode's " + MAX_BYTES);
        }
        return new Secret(Base64.getEncoder().encodeToString(text));
    }

    /** The cloud-config itself (a secret: it holds the private key). */
    public static Secret cloudConfig(HostKey key) {
        ObjectNode config = JsonNodeFactory.instance.objectNode().put("ssh_deletekeys", true);
        config.putObject("ssh_keys").put(HostKey.CLOUD_INIT_TYPE + "_private", key.privateKey().reveal())
                .put(HostKey.CLOUD_INIT_TYPE + "_public", key.publicKey());
        try {
            return new Secret("#cloud-config\n" + YAML.writeValueAsString(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
