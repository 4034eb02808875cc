# the repository's package of Kubernetes $version: its revision is the repository's (mostly -1.1, not always)
# shellcheck disable=SC2154 # $minor and $version are set by the script this is part of
kubernetes_package() {
    apt-get update -q >&2
    found=$(apt-cache madison kubeadm | awk -v v="$version" '$3 ~ "^" v "-" {print $3; exit}')
    if [ -z "$found" ]; then
        echo "the Kubernetes package repository of $minor has no kubeadm $version; it has:" \
            "$(apt-cache madison kubeadm | awk '{print $3}' | head -5 | tr '\n' ' ')" >&2
        return 1
    fi
    echo "$found"
}
