# run by birdbath (etcd restore) on one member, with etcd stopped on every member: the old data dir is kept
# beside the new one, never deleted
set -eu
name={{name}}
initial_cluster={{initial_cluster}}
token={{token}}
peer_url={{peer_url}}
stamp={{stamp}}
snapshot={{snapshot}}
data={{data_dir}}
if [ -d "$data" ]; then mv "$data" "$data.before-restore-$stamp"; echo "kept $data.before-restore-$stamp"; fi
if command -v etcdutl >/dev/null; then tool=etcdutl; else tool=etcdctl; export ETCDCTL_API=3; fi
$tool snapshot restore "$snapshot" --name "$name" --initial-cluster "$initial_cluster" \
    --initial-cluster-token "$token" --initial-advertise-peer-urls "$peer_url" --data-dir "$data" >/dev/null
chown -R etcd:etcd "$data"
chmod 700 "$data"
rm -f "$snapshot"
