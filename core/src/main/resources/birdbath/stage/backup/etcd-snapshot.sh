#!/bin/sh
# written by birdbath (backups stage), run by birdbath-backup-etcd.service as etcd: a snapshot of this member's
# database through its own client-port certificate on localhost (no credential a node did not hold already),
# complete or absent (written beside, then renamed), then only the newest $keep kept.
set -eu
dir={{dir}}
keep={{keep}}
node={{node}}
pki={{pki}}
clients_ca={{clients_ca}}
umask 077
{{keep_newest}}
rm -f "$dir"/*.partial "$dir"/*.partial.part
file="$dir/etcd-$node-$(stamp).db"
# etcdctl sets no deadline on a snapshot unless told: a member that hangs must not hang every later run
etcdctl --endpoints=https://127.0.0.1:2379 --cacert="$pki/$clients_ca" --cert="$pki/server.crt" \
    --key="$pki/server.key" --command-timeout=30m snapshot save "$file.partial" >/dev/null
mv -- "$file.partial" "$file"
keep_newest "$keep" "$dir/etcd-$node-" .db "$file" snapshot
