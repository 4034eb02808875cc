#!/bin/sh
# written by birdbath (kubernetes stage): what kubelet needs on {{name}}. Runs once per node; upgrades run
# upgrade-node.sh instead.
set -eu
minor="{{minor}}"
version="{{package_version}}"
export DEBIAN_FRONTEND=noninteractive

# kernel modules and sysctls for kubelet and flannel
printf 'overlay\nbr_netfilter\n' > /etc/modules-load.d/birdbath-kubernetes.conf
modprobe overlay
modprobe br_netfilter
printf '%s\n' 'net.bridge.bridge-nf-call-iptables = 1' 'net.bridge.bridge-nf-call-ip6tables = 1' \
    'net.ipv4.ip_forward = 1' > /etc/sysctl.d/60-birdbath-kubernetes.conf
sysctl --system > /dev/null
swapoff -a
sed -i '/[[:space:]]swap[[:space:]]/s/^\([^#]\)/#\1/' /etc/fstab

# containerd with the systemd cgroup driver, the same driver kubelet is given
apt-get install -y -q {{packages}}
mkdir -p /etc/containerd
containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' > /etc/containerd/config.toml
systemctl enable containerd
systemctl restart containerd

# kubelet, kubeadm and kubectl from the upstream repository of this minor release, pinned and held
install -d -m 755 /etc/apt/keyrings
curl -fsSL "https://pkgs.k8s.io/core:/stable:/$minor/deb/Release.key" \
    | gpg --batch --yes --dearmor -o /etc/apt/keyrings/kubernetes-apt-keyring.gpg
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/$minor/deb/ /" \
    > /etc/apt/sources.list.d/kubernetes.list
apt-get update -q
apt-get install -y -q --allow-change-held-packages "kubelet=$version" "kubeadm=$version" "kubectl=$version"
apt-mark hold kubelet kubeadm kubectl > /dev/null
systemctl enable kubelet
mkdir -p /etc/birdbath
echo "{{version}}" > /etc/birdbath/kubernetes-version
