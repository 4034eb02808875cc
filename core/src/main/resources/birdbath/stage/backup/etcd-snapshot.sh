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
# etcdctl sets no deadline on a snapshot unless told: a member that hangs must not hang every later run
etcdctl --endpoints=https://127.0.0.1:2379 --cacert="$pki/$clients_ca" --cert="$pki/server.crt" \
    --key="$pki/server.key" --command-timeout=30m snapshot save "$file.partial" >/dev/null
mv -- "$file.partial" "$file"
# only names this script writes; the glob sorts them by name, so by time: all but the newest $keep go, unless the
# one just taken is not the newest (a clock that was once ahead), when pruning would delete it
set -- "$dir/etcd-$node-"[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9]Z.db
for newest; do :; done
if [ "$newest" != "$file" ]; then
    echo "kept every snapshot: $newest sorts after the one just taken, $file (was the clock ahead?)" >&2
    exit 1
fi
while [ "$#" -gt "$keep" ]; do
    rm -f -- "$1"
    shift
done
