#!/bin/sh
# written by birdbath (ipsec stage): keeps this node's SAs with every other member up. Connections never start
# on load (a reload would start them again beside the SAs already up); this loop initiates instead. An SA counts
# as missing only when charon answered and showed none, two rounds in a row (three for the higher-numbered node
# of a pair, so that the lower one goes first). A new SA from the same peer replaces a stale one (unique =
# replace).
lead={{lead}}
follow={{follow}}
# prints "yes", "no", or nothing when charon does not answer (reloading, restarting): then nothing is done
state() {
  out=$(swanctl --list-sas --child "$1" 2>/dev/null) || return 0
  case "$out" in *INSTALLED*) echo yes ;; *) echo no ;; esac
}
seen=""
while true; do
  next=""
  for child in $lead $follow; do
    [ "$(state "$child")" = no ] || continue
    count=$(echo "$seen" | tr ' ' '\n' | grep -c "^$child$")
    need=2
    case " $follow " in *" $child "*) need=3 ;; esac
    if [ $((count + 1)) -ge $need ]; then
      swanctl --initiate --child "$child" --timeout 5 >/dev/null 2>&1
    else
      next="$next $(printf "$child %.0s" $(seq $((count + 1))))"
    fi
  done
  seen="$next"
  sleep 2
done
