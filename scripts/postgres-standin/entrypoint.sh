#!/bin/sh
# What the official postgres image's entrypoint does, in short: on an empty data volume,
# create the cluster with POSTGRES_USER (default postgres) and POSTGRES_PASSWORD, and the
# database POSTGRES_DB (default: the user's name); then run the server as user postgres,
# password-checked from the network, trusted on the local socket.
set -eu

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chown -R postgres:postgres "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
    user=${POSTGRES_USER:-postgres}
    database=${POSTGRES_DB:-$user}
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$password_file"
    initdb --pgdata="$PGDATA" --username="$user" --pwfile="$password_file" \
        --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ "$database" != postgres ]; then
        pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start >/dev/null
        createdb --username="$user" "$database"
        pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop >/dev/null
    fi
    echo "database $database created for user $user"
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
