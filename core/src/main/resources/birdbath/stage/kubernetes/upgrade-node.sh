#!/bin/sh
# written by birdbath (kubernetes stage): upgrades this node to Kubernetes $version: kubeadm first, then
# "kubeadm upgrade $how", then kubelet and kubectl. The node is drained before and uncordoned after.
set -eu
minor={{minor}}
version={{version}}
how={{how}}
export DEBIAN_FRONTEND=noninteractive
repository="https://pkgs.k8s.io/core:/stable:/$minor/deb/"
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] $repository /" \
    > /etc/apt/sources.list.d/kubernetes.list
{{package_version}}
package=$(kubernetes_package)
apt-get install -y -q --allow-change-held-packages "kubeadm=$package"
# shellcheck disable=SC2086 # $how is the words of one kubeadm command
kubeadm upgrade $how
apt-get install -y -q --allow-change-held-packages "kubelet=$package" "kubectl=$package" cri-tools
apt-mark hold kubelet kubeadm kubectl > /dev/null
systemctl daemon-reload
systemctl restart kubelet
echo "$version" > /etc/birdbath/kubernetes-version
