#!/bin/sh
# written by birdbath (apps stage): each service's own PostgreSQL role and database (postgres-roles.sql), run
# by the Job postgres-roles as the superuser (PGPASSWORD); safe to run again.
#   SERVICES   "role:database ...", each role's password the file of its name under PASSWORDS
#   COPY       "role:database:table ...", tables earlier versions kept in the database postgres: each copied
#              once into its role's database when that has none of its name yet (the old table stays)
set -eu
export PGHOST="${PGHOST:-postgres}" PGUSER="${PGUSER:-postgres}"
here=$(dirname "$0")
passwords="${PASSWORDS:-/birdbath-passwords}"
tries=0
until pg_isready -q; do
    tries=$((tries + 1))
    if [ "$tries" -ge 90 ]; then echo "PostgreSQL at $PGHOST did not answer within 3 minutes" >&2; exit 1; fi
    sleep 2
done
for service in $SERVICES; do
    role=${service%%:*}
    database=${service#*:}
    psql -q -v ON_ERROR_STOP=1 -v role="$role" -v database="$database" -v password="$(cat "$passwords/$role")" \
        -d postgres -f "$here/postgres-roles.sql" >/dev/null
    echo "role $role and database $database ready"
done
# psql quotes the variables (:'t'); they are read from standard input, where psql interpolates them
exists() {
    echo "SELECT to_regclass(:'t') IS NOT NULL" | psql -tA -v ON_ERROR_STOP=1 -v t="public.$2" -d "$1"
}
for copy in ${COPY:-}; do
    role=${copy%%:*}
    rest=${copy#*:}
    database=${rest%%:*}
    table=${rest#*:}
    if [ "$(exists postgres "$table")" = t ] && [ "$(exists "$database" "$table")" = f ]; then
        pg_dump -d postgres -t "public.$table" --no-owner --no-privileges | psql -q -v ON_ERROR_STOP=1 -d "$database" >/dev/null
        echo "ALTER TABLE public.:\"t\" OWNER TO :\"r\"" | psql -q -v ON_ERROR_STOP=1 -v t="$table" -v r="$role" -d "$database"
        echo "$table copied from the database postgres into $database"
    fi
done
