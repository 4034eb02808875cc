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
rm -f "$dir"/*.partial "$dir"/*.partial.part
file="$dir/etcd-$node-$(date -u +%Y%m%dT%H%M%S.%3NZ).db"
ETCDCTL_API=3 etcdctl --endpoints=https://127.0.0.1:2379 --cacert="$pki/$clients_ca" \
    --cert="$pki/server.crt" --key="$pki/server.key" snapshot save "$file.partial" >/dev/null
mv "$file.partial" "$file"
# the glob sorts by name, so by time: all but the newest $keep go
set -- "$dir/etcd-$node-"*.db
while [ "$#" -gt "$keep" ]; do
    rm -f "$1"
    shift
done
