#!/bin/sh
# written by birdbath (etcd stage): etcd $want or newer. The distribution's package if it is recent
# enough, else the release tarball from $url, refused unless its SHA-256 is $sha256.
set -eu
want={{version}}
url={{url}}
sha256={{sha256}}
marker=/usr/local/lib/birdbath/etcd-installed
export DEBIAN_FRONTEND=noninteractive
have=$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/ {print $2}' | sed 's/^[0-9]*://; s/[-+~].*//')
if [ -n "$have" ] && [ "$have" != "(none)" ] && dpkg --compare-versions "$have" ge "$want"; then
    apt-get install -y -q etcd-server etcd-client
    mkdir -p "${marker%/*}" && echo "$want package" > "$marker"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
curl -fsSL --retry 3 -o "$tmp/etcd.tar.gz" "$url"
echo "$sha256  $tmp/etcd.tar.gz" | sha256sum -c --quiet - || {
    echo "etcd $want: the tarball from $url does not match etcd.sha256; not installed" >&2; exit 1; }
tar -xzf "$tmp/etcd.tar.gz" -C "$tmp" --strip-components=1
for b in etcd etcdctl etcdutl; do
    if [ -f "$tmp/$b" ]; then install -m 755 "$tmp/$b" /usr/local/bin/$b; fi
done
getent group etcd >/dev/null || groupadd --system etcd
getent passwd etcd >/dev/null || useradd --system --gid etcd --home-dir /var/lib/etcd --shell /usr/sbin/nologin etcd
mkdir -p "${marker%/*}" && echo "$want $sha256" > "$marker"
