#!/bin/sh
# written by birdbath (kubernetes stage): what kubelet needs on this node. Runs once per node; upgrades run
# upgrade-node.sh instead.
set -eu
minor={{minor}}
version={{version}}
packages={{packages}}
export DEBIAN_FRONTEND=noninteractive

# kernel modules and sysctls for kubelet and flannel
printf 'overlay\nbr_netfilter\n' > /etc/modules-load.d/birdbath-kubernetes.conf
# loaded unless the kernel has them already (built in, or loaded before)
grep -qw overlay /proc/filesystems || modprobe overlay
[ -d /proc/sys/net/bridge ] || modprobe br_netfilter
printf '%s\n' 'net.bridge.bridge-nf-call-iptables = 1' 'net.bridge.bridge-nf-call-ip6tables = 1' \
    'net.ipv4.ip_forward = 1' > /etc/sysctl.d/60-birdbath-kubernetes.conf
# only what this file sets (the others were applied at boot, and some are not writable in a container)
sysctl -q -p /etc/sysctl.d/60-birdbath-kubernetes.conf
swapoff -a
sed -i '/[[:space:]]swap[[:space:]]/s/^\([^#]\)/#\1/' /etc/fstab

# what the steps below need; the package lists first (a fresh image may have none, or stale ones whose files
# the mirror no longer has). containerd is installed from its release before this script runs.
apt-get update -q
# shellcheck disable=SC2086 # $packages is a list of package names
apt-get install -y -q $packages

# kubelet, kubeadm and kubectl from the upstream repository of this minor release, pinned and held
install -d -m 755 /etc/apt/keyrings
repository="https://pkgs.k8s.io/core:/stable:/$minor/deb/"
# bounded: an unreachable repository is one clear line within about two minutes, never a hang
if ! key=$(curl -fsSL --connect-timeout 20 --max-time 60 --retry 1 "${repository}Release.key" 2>&1); then
    echo "cannot reach the Kubernetes package repository $repository ($key)" >&2
    exit 1
fi
printf '%s\n' "$key" | gpg --batch --yes --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] $repository /" \
    > /etc/apt/sources.list.d/kubernetes.list
{{package_version}}
package=$(kubernetes_package)
# crictl too (kubeadm no longer pulls it in): the newest of this minor release
apt-get install -y -q --allow-change-held-packages "kubelet=$package" "kubeadm=$package" "kubectl=$package" \
    cri-tools
apt-mark hold kubelet kubeadm kubectl > /dev/null
systemctl enable kubelet
mkdir -p /etc/birdbath
echo "$version" > /etc/birdbath/kubernetes-version
