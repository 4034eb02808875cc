#!/bin/sh
# written by birdbath (kubernetes stage): kubeadm reaches the API server by {{api_name}}, a DNS record that
# provisioning has just made and that may take minutes to resolve here. Waits for it, 10 minutes at most.
set -eu
name="{{api_name}}"
tries=0
while ! getent hosts "$name" > /dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -ge 120 ]; then
        echo "$name does not resolve after 10 minutes: check its A record in the domain's DNS" >&2
        exit 1
    fi
    sleep 5
done
