#!/bin/sh
# Starts Debian's PostgreSQL 15 cluster and creates the role and database the PostgreSQL store
# tests use (issue 18). Idempotent: safe to run again. Prints the SUNDIAL_TEST_DATABASE_URL to use.
# Each test run creates its own schema inside this database and drops it afterwards
# (test/store/postgres.test.ts), so one database serves every run.
# Runs as root (CI containers) or as a user allowed to sudo; the SQL runs as the OS user postgres.
set -eu
VERSION=${PG_VERSION:-15}
ROLE=${SUNDIAL_PG_ROLE:-sundial_test}
DB=${SUNDIAL_PG_DB:-sundial_test}
PASSWORD=${SUNDIAL_PG_PASSWORD:-sundial_test}
PORT=${SUNDIAL_PG_PORT:-5432}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root runuser -u postgres -- "$@"; }

# pg_ctlcluster exits 2 when the cluster already runs.
as_root pg_ctlcluster "$VERSION" main start || [ $? -eq 2 ]
i=0
until as_postgres pg_isready -q -p "$PORT"; do
  i=$((i + 1)); [ $i -lt 30 ] || { echo "PostgreSQL did not start" >&2; exit 1; }; sleep 1
done
as_postgres psql -p "$PORT" -v ON_ERROR_STOP=1 -q <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE LOGIN PASSWORD '$PASSWORD';
  END IF;
END \$\$;
SQL
if ! as_postgres psql -p "$PORT" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
  as_postgres createdb -p "$PORT" -O "$ROLE" "$DB"
fi
echo "SUNDIAL_TEST_DATABASE_URL=postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
