# the backups stage's naming and pruning, one for every backup script: a name carries the UTC time to the
# millisecond, so names sort by time
stamp() {
    date -u +%Y%m%dT%H%M%S.%3NZ
}
# keep_newest KEEP PREFIX SUFFIX NEW WHAT: of the names the script writes (PREFIX, a stamp, SUFFIX; no other
# file counts), all but the newest KEEP go, unless NEW, the one just made, is not the newest (a clock that was
# once ahead), when it would be the first to go
keep_newest() {
    keep=$1
    new=$4
    what=$5
    set -- "$2"[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9]Z"$3"
    for newest; do :; done
    if [ "$newest" != "$new" ]; then
        echo "kept every $what: $newest sorts after the one just made, $new (was the clock ahead?)" >&2
        return 1
    fi
    while [ "$#" -gt "$keep" ]; do
        rm -f -- "$1"
        shift
    done
}
