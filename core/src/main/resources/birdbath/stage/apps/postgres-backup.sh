# run by the CronJob postgres-backup (backups.schedule) in the postgres image, as the superuser, with the
# volume's backups/postgres at $dir: every database and role in one dump, complete or absent (written beside,
# then renamed), then only the newest $keep kept; exit $kept_all: dumped, but nothing pruned
set -eu
keep={{keep}}
dir={{dir}}
kept_all={{kept_all}}
umask 077
{{keep_newest}}
rm -f "$dir"/*.partial "$dir"/*.failed
file="$dir/postgres-$(stamp).sql.gz"
# no pipefail to rely on in dash: pg_dumpall's failure is left as a file beside the dump; a lock it waits for
# longer than 10 minutes (a migration holding a table) fails the run rather than hang it
{ pg_dumpall --clean --if-exists --lock-wait-timeout=10min || : > "$file.failed"; } | gzip > "$file.partial"
if [ -e "$file.failed" ]; then
    rm -f "$file.partial" "$file.failed"
    echo "pg_dumpall failed: no dump written" >&2
    exit 1
fi
# on disk before it takes the name a restore trusts
sync -- "$file.partial"
mv -- "$file.partial" "$file"
keep_newest "$keep" "$dir/postgres-" .sql.gz "$file" dump || exit "$kept_all"
echo "dumped $(basename "$file") ($(stat -c %s "$file") bytes)"
