#!/bin/sh
# written by birdbath (storage stage): makes DEVICE an XFS brick labelled bb-brick. Formats only a device that
# carries nothing (no filesystem, no partition table, only zeros in its first MiB), unless told to wipe it.
set -eu
dev="$1"; wipe="${2:-no}"
[ -b "$dev" ] || { echo "$dev is not a block device" >&2; exit 2; }
if [ "$(blkid -p -s LABEL -o value "$dev" 2>/dev/null)" = bb-brick ] && \
   [ "$(blkid -p -s TYPE -o value "$dev" 2>/dev/null)" = xfs ]; then
    exit 0
fi
found=$(blkid -p -o export "$dev" 2>/dev/null | grep -E '^(TYPE|PTTYPE|LABEL|UUID)=' | tr '\n' ' ' || true)
if [ -z "$found" ] && [ "$(head -c 1048576 "$dev" | tr -d '\000' | head -c 1 | wc -c)" -ne 0 ]; then
    found="data (no filesystem signature, but its first MiB is not empty)"
fi
if [ -n "$found" ]; then
    if [ "$wipe" != wipe ]; then
        echo "$dev already carries $found- not formatted. birdbath formats only empty devices; if its data may go, run \`birdbath up --format-storage\`" >&2
        exit 3
    fi
    echo "wiping $dev, which carried $found"
    wipefs -a "$dev" >/dev/null
fi
mkfs.xfs -q -f -i size=512 -L bb-brick "$dev"
echo "formatted $dev as XFS (bb-brick)"
