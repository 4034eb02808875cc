#!/bin/sh
# written by birdbath (kubernetes stage): upgrades {{name}} to Kubernetes {{version}}: kubeadm first, then
# "kubeadm upgrade {{how}}", then kubelet and kubectl. The node is drained before and uncordoned after.
set -eu
minor="{{minor}}"
version="{{package_version}}"
export DEBIAN_FRONTEND=noninteractive
echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] https://pkgs.k8s.io/core:/stable:/$minor/deb/ /" \
    > /etc/apt/sources.list.d/kubernetes.list
apt-get update -q
apt-get install -y -q --allow-change-held-packages "kubeadm=$version"
kubeadm upgrade {{how}}
apt-get install -y -q --allow-change-held-packages "kubelet=$version" "kubectl=$version"
apt-mark hold kubelet kubeadm kubectl > /dev/null
systemctl daemon-reload
systemctl restart kubelet
echo "{{version}}" > /etc/birdbath/kubernetes-version
