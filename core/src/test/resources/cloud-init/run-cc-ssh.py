# Runs cloud-init's own ssh module (cc_ssh.handle, from Debian's package, unpacked) on a user-data file, as
# cloud-init's init stage would on a node's first boot. Only the host keys matter here: the datasource and
# distro are stand-ins with no keys and no users, so the module's credentials part finds nothing to do.
import logging
import sys
import types

import yaml
from cloudinit.config import cc_ssh

text = open(sys.argv[1]).read()
if not text.startswith("#cloud-config\n"):
    sys.exit("not a #cloud-config")
cfg = yaml.safe_load(text)
cloud = types.SimpleNamespace(datasource=types.SimpleNamespace(publish_host_keys=lambda keys: None),
                              distro=None, get_public_ssh_keys=lambda: [])
logging.basicConfig(level=logging.WARNING, format="cc_ssh: %(levelname)s %(message)s")
cc_ssh.handle("ssh", cfg, cloud, logging.getLogger("cc_ssh"), [])
