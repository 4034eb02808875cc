#!/bin/sh
# Builds a minimal Java 17 base image as a `docker save` tarball, offline, from this machine's JDK: a jlink'd
# runtime and the shared libraries it links against, one layer. The apps' Jib builds use it as
# tar://.../jre-base.tar where no registry is reachable (the app.baseImage property in the parent POM).
#   apps/jre-base/build.sh OUT.tar
set -eu
out="$1"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/opt" "$root/tmp" "$root/etc" "$work/image"
chmod 1777 "$root/tmp"
"$java_home/bin/jlink" --output "$root/opt/java" --strip-debug --no-header-files --no-man-pages \
    --compress=2 --add-modules java.base,java.logging,java.naming,java.net.http,java.security.jgss,java.sql,java.xml,java.management,jdk.crypto.ec,jdk.httpserver,jdk.unsupported,jdk.zipfs
# every shared library the runtime needs, at the path the dynamic linker looks for it
find "$root/opt/java" -type f \( -name '*.so' -o -perm -u+x \) | while read -r f; do
    ldd "$f" 2>/dev/null | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'
done | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root" -cf "$work/image/layer.tar" .
diff_id=$(sha256sum "$work/image/layer.tar" | cut -d' ' -f1)
cat > "$work/image/config.json" <<JSON
{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"65532"},"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]}}
JSON
echo '[{"Config":"config.json","RepoTags":["birdbath/jre-base:17"],"Layers":["layer.tar"]}]' > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/image" -cf "$out" manifest.json config.json layer.tar
echo "wrote $out ($(du -h "$out" | cut -f1))"
