# run by the CronJob postgres-backup (backups.schedule) in the postgres image, as the superuser, with the
# volume's backups/postgres at $dir: every database and role in one dump, complete or absent (written beside,
# then renamed), then only the newest $keep kept
set -eu
keep={{keep}}
dir={{dir}}
umask 077
rm -f "$dir"/*.partial "$dir"/*.failed
file="$dir/postgres-$(date -u +%Y%m%dT%H%M%S.%3NZ).sql.gz"
# sh has no pipefail: pg_dumpall's failure is left as a file beside the dump; a lock it waits for longer than
# 10 minutes (a migration holding a table) fails the run rather than hang it
{ pg_dumpall --clean --if-exists --lock-wait-timeout=10min || : > "$file.failed"; } | gzip > "$file.partial"
if [ -e "$file.failed" ]; then
    rm -f "$file.partial" "$file.failed"
    echo "pg_dumpall failed: no dump written" >&2
    exit 1
fi
mv -- "$file.partial" "$file"
# only names this script writes; the glob sorts them by name, so by time: all but the newest $keep go, unless the
# one just made is not the newest (a clock that was once ahead), when pruning would delete it
set -- "$dir/postgres-"[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9].[0-9][0-9][0-9]Z.sql.gz
for newest; do :; done
if [ "$newest" != "$file" ]; then
    echo "kept every dump: $newest sorts after the one just made, $file (was the clock ahead?)" >&2
    exit 1
fi
while [ "$#" -gt "$keep" ]; do
    rm -f -- "$1"
    shift
done
echo "dumped $(basename "$file") ($(stat -c %s "$file") bytes)"
