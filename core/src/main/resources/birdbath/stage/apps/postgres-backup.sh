# run by the CronJob postgres-backup (backups.schedule) in the postgres image, as the superuser, with the
# volume's backups/postgres at $dir: every database and role in one dump, complete or absent (written beside,
# then renamed), then only the newest $keep kept
set -eu
keep={{keep}}
dir={{dir}}
umask 077
rm -f "$dir"/*.partial "$dir"/*.failed
file="$dir/postgres-$(date -u +%Y%m%dT%H%M%S.%3NZ).sql.gz"
# sh has no pipefail: pg_dumpall's failure is left as a file beside the dump
{ pg_dumpall --clean --if-exists || : > "$file.failed"; } | gzip > "$file.partial"
if [ -e "$file.failed" ]; then
    rm -f "$file.partial" "$file.failed"
    echo "pg_dumpall failed: no dump written" >&2
    exit 1
fi
mv "$file.partial" "$file"
# the glob sorts by name, so by time: all but the newest $keep go
set -- "$dir/postgres-"*.sql.gz
while [ "$#" -gt "$keep" ]; do
    rm -f "$1"
    shift
done
echo "dumped $(basename "$file") ($(stat -c %s "$file") bytes)"
