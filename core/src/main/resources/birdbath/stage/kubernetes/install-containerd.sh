#!/bin/sh
# written by birdbath (kubernetes stage): containerd and runc from their releases, each refused unless its
# SHA-256 is the one pinned in birdbath. Runs again only for another release.
set -eu
marker={{marker}}
containerd_version={{containerd_version}}
containerd_url={{containerd_url}}
containerd_sha256={{containerd_sha256}}
runc_version={{runc_version}}
runc_url={{runc_url}}
runc_sha256={{runc_sha256}}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# bounded: an unreachable download is one clear line within about three minutes, never a hang
fetch() {
    curl -fsSL --connect-timeout 20 --max-time 120 --retry 2 -o "$1" "$2" || {
        echo "cannot download $2" >&2; exit 1; }
    echo "$3  $1" | sha256sum -c --quiet - 2>/dev/null || {
        echo "$2 does not have the SHA-256 birdbath pins ($3); nothing installed" >&2; exit 1; }
}
fetch "$tmp/containerd.tar.gz" "$containerd_url" "$containerd_sha256"
fetch "$tmp/runc" "$runc_url" "$runc_sha256"
tar -xzf "$tmp/containerd.tar.gz" -C "$tmp"
for b in containerd containerd-shim-runc-v2 ctr; do
    [ -f "$tmp/bin/$b" ] || { echo "the containerd release has no bin/$b" >&2; exit 1; }
done
# both checked: now installed together
for b in containerd containerd-shim-runc-v2 ctr; do
    install -m 755 "$tmp/bin/$b" "/usr/local/bin/$b"
done
install -m 755 "$tmp/runc" /usr/local/sbin/runc
mkdir -p "${marker%/*}"
echo "$containerd_version $containerd_sha256 $runc_version $runc_sha256" > "$marker"
