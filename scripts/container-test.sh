#!/usr/bin/env bash
# Builds the real Dockerfile and checks the running container: the image's size and content,
# health, pages with debug off, static files, the non-root user, data surviving a new
# container, a graceful stop with a request in flight, a read-only root filesystem,
# PostgreSQL, no secret or local file baked into the image, and docker-compose.yml end to end
# (on a stand-in PostgreSQL image). Run as root (it starts a Docker engine when none runs).
#
#   scripts/container-test.sh                # on a stand-in Debian base built here
#   PYTHON_IMAGE=python:3.11-slim-bookworm scripts/container-test.sh   # on the real base
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKER=/usr/bin/docker  # Debian's client: the one in /usr/local/bin wants a buildx plugin
IMAGE=watchlist:container-test
PREFIX=watchlist-ct-$$
CACHE_DIR=${WATCHLIST_CI_CACHE:-/var/cache/watchlist-ci}
POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}
SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
# What the project may add to its base image, in MB (docs/deploying/index.md, "The image").
IMAGE_BUDGET_MB=${IMAGE_BUDGET_MB:-90}
FAILURES=0

say() { printf '\n==> %s\n' "$*"; }
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; FAILURES=$((FAILURES + 1)); }
check() {  # check "what must hold" command...
    local what=$1
    shift
    if "$@" >/dev/null 2>&1; then pass "$what"; else fail "$what"; fi
}
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

cleanup() {
    if [ -n "${COMPOSE_OVERRIDE:-}" ]; then
        compose down --volumes --timeout 30 >/dev/null 2>&1 || true
        rm -f "$COMPOSE_OVERRIDE"
    fi
    [ -z "${MADE_ENV_FILE:-}" ] || rm -f .env
    $DOCKER ps -aq --filter "name=$PREFIX" | xargs -r $DOCKER rm -f -v >/dev/null 2>&1 || true
    $DOCKER volume ls -q --filter "name=$PREFIX" | xargs -r $DOCKER volume rm >/dev/null 2>&1 || true
    if [ -n "${PG_DB:-}" ]; then
        psql "$POSTGRES_URL/postgres" -qc "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT

start_engine() {
    if ! [ -x "$DOCKER" ] || ! command -v docker-compose >/dev/null; then
        say "Installing Debian's docker.io and docker-compose"
        [ -n "${APT_UPDATED:-}" ] || apt-get update -qq  # once per CI run (.ci/run)
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null
    fi
    if ! $DOCKER info >/dev/null 2>&1; then
        say "Starting dockerd"
        (dockerd >/var/log/watchlist-dockerd.log 2>&1 &)
        for _ in $(seq 1 60); do $DOCKER info >/dev/null 2>&1 && return; sleep 1; done
        echo "dockerd did not start; see /var/log/watchlist-dockerd.log" >&2
        exit 1
    fi
}

standin_base() {
    # No registry is reachable here, so python:3.x-slim cannot be pulled: build an equivalent
    # Debian base with its Python 3.11 (the Dockerfile builds on both), cached between runs.
    local name=watchlist-standin:bookworm tarball=$CACHE_DIR/bookworm-python.tar
    if ! $DOCKER image inspect $name >/dev/null 2>&1; then
        if ! [ -s "$tarball" ]; then
            say "Building the stand-in base image with debootstrap (once per machine)" >&2
            command -v debootstrap >/dev/null || {
                { [ -n "${APT_UPDATED:-}" ] || apt-get update -qq; } && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
            }
            local rootfs
            rootfs=$(mktemp -d)
            debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
                bookworm "$rootfs" >/dev/null
            # Package downloads inside containers pass a TLS-inspecting proxy: trust its CA.
            cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
            mkdir -p "$CACHE_DIR"
            tar -C "$rootfs" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
            rm -rf "$rootfs"
        fi
        $DOCKER import "$tarball" $name >/dev/null
    fi
    echo $name
}

postgres_standin() {  # postgres_standin BASE -> an image that stands in for postgres:15
    local name=watchlist-postgres-standin:bookworm
    if [ -n "${PYTHON_IMAGE:-}" ]; then
        echo postgres:15  # a machine that can pull the base can pull the real one too
        return
    fi
    if ! $DOCKER image inspect $name >/dev/null 2>&1; then
        say "Building the stand-in PostgreSQL image (once per machine)" >&2
        DOCKER_BUILDKIT=1 $DOCKER build -q --build-arg BASE_IMAGE="$1" -t $name \
            scripts/postgres-standin >/dev/null
    fi
    echo $name
}

http() {  # http PORT PATH [curl args...] -> prints "status" and stores headers/body
    local port=$1 path=$2
    shift 2
    curl -s -o /tmp/$PREFIX.body -D /tmp/$PREFIX.headers -w '%{http_code}' \
        -H 'X-Forwarded-Proto: https' "$@" "http://127.0.0.1:$port$path"
}
header() { grep -i "^$1:" /tmp/$PREFIX.headers | head -1 | cut -d' ' -f2- | tr -d '\r'; }
expect() {  # expect "what must hold" STATUS BODY-PATTERN PORT PATH [curl args...]
    local what=$1 status=$2 pattern=$3 got
    shift 3
    got=$(http "$@")
    if [ "$got" = "$status" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" /tmp/$PREFIX.body; }
    then pass "$what"; else fail "$what (answered $got)"; fi
}
plain_status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
no_secret_in() { ! "$@" | grep -qF "$SECRET"; }
image_json() { $DOCKER image inspect -f "{{json $1}}" $IMAGE; }

wait_healthy() {
    local container=$1 status
    for _ in $(seq 1 90); do
        status=$($DOCKER inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
        [ "$status" = healthy ] && return 0
        [ "$status" = gone ] && break
        sleep 1
    done
    $DOCKER logs "$container" 2>&1 | tail -20
    return 1
}

run_app() {  # run_app NAME PORT [docker run args...]
    local name=$1 port=$2
    shift 2
    $DOCKER run -d --name "$name" --read-only --tmpfs /tmp \
        -p "127.0.0.1:$port:8000" \
        -e DJANGO_SECRET_KEY="$SECRET" \
        -e DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
        -e DJANGO_SECURE_PROXY_SSL_HEADER=1 \
        "$@" $IMAGE >/dev/null
}

# --- build -----------------------------------------------------------------------------------
start_engine
BASE=${PYTHON_IMAGE:-$(standin_base)}
say "Building $IMAGE on $BASE"
if DOCKER_BUILDKIT=1 $DOCKER build -q --build-arg PYTHON_IMAGE="$BASE" -t $IMAGE . >/dev/null; then
    pass "the image builds"
else
    fail "the image builds"
    exit 1
fi

image_size=$($DOCKER image inspect -f '{{.Size}}' $IMAGE)
base_size=$($DOCKER image inspect -f '{{.Size}}' "$BASE")
added_mb=$(((image_size - base_size) / 1000000))
printf '  image size %s MB; layers added on top of the base: %s MB\n' \
    $((image_size / 1000000)) $added_mb
check "the project adds at most $IMAGE_BUDGET_MB MB to its base ($added_mb MB)" \
    test "$added_mb" -le "$IMAGE_BUDGET_MB"

say "What the image holds"
in_image() { $DOCKER run --rm --entrypoint sh $IMAGE -c "$1" 2>/dev/null; }
check "no pip or setuptools in the virtualenv" \
    in_image 'python3 -c "import pip" || python3 -c "import setuptools" || exit 0; exit 1'
check "no static sources in site-packages (whitenoise serves the collected files)" \
    in_image 'test -z "$(find /opt/venv -path "*/site-packages/*" -type d -name static)"'
check "each collected static file only under its hashed name" \
    in_image 'test -f /app/staticfiles/admin/css/base.*.css && ! test -e /app/staticfiles/admin/css/base.css'
check "no translation sources (.po) beside the compiled catalogues" \
    in_image 'test -n "$(find /opt/venv -name "*.mo")" && test -z "$(find /opt/venv -name "*.po")"'
check "every module compiled once, to one __pycache__ file" \
    in_image 'test -z "$(find /opt/venv /app -name "*.opt-?.pyc" -o -name "*.pyc" ! -path "*/__pycache__/*")"'
leftovers=$($DOCKER run --rm --entrypoint sh $IMAGE -c \
    'find / -xdev \( -name "*.sqlite3" -o -name ".env" -o -name ".git" \) -print 2>/dev/null' || true)
check "no *.sqlite3, .env or .git in the image" test -z "$leftovers"
check "no DJANGO_SECRET_KEY in the image's environment" \
    test -z "$(image_json .Config.Env | grep -o DJANGO_SECRET_KEY)"
check "the image runs as a fixed non-root user" \
    test "$($DOCKER image inspect -f '{{.Config.User}}' $IMAGE)" = "10001:10001"
check "the image declares /data a volume" test "$(image_json .Config.Volumes)" = '{"/data":{}}'
check "no compiler in the image" \
    $DOCKER run --rm --entrypoint sh $IMAGE -c '! command -v gcc && ! command -v cc'

# --- run on SQLite, read-only, with a volume -----------------------------------------------
say "Running on SQLite with a data volume, read-only root filesystem"
PORT=$(free_port)
run_app "$PREFIX-app" "$PORT" -v "$PREFIX-data:/data" -e LOAD_SAMPLE_DATA=1
if wait_healthy "$PREFIX-app"; then pass "the container becomes healthy"; else fail "the container becomes healthy"; fi

expect "GET / answers JSON with debug off" 200 '"name":"watchlist"' "$PORT" /
expect "GET /api/ lists the four sample films" 200 'Donnie Darko' "$PORT" /api/
expect "GET /api/docs/ answers the Swagger page" 200 swagger-ui-bundle "$PORT" /api/docs/
expect "the admin login page answers" 200 csrfmiddlewaretoken "$PORT" /admin/login/
expect "an unknown API URL is a JSON 404, not a debug page" 404 '"detail"' "$PORT" /api/nope/
check "plain HTTP without the proxy header is redirected to HTTPS" \
    test "$(plain_status "http://127.0.0.1:$PORT/api/")" = 301
check "liveness answers plain HTTP on any host" \
    test "$(plain_status -H 'Host: 10.1.2.3' "http://127.0.0.1:$PORT/healthz")" = 200
check "readiness answers plain HTTP on any host" \
    test "$(plain_status -H 'Host: 10.1.2.3' "http://127.0.0.1:$PORT/readyz")" = 200

http "$PORT" /admin/login/ >/dev/null
css=$(grep -o '/static/admin/css/base\.[0-9a-f]*\.css' /tmp/$PREFIX.body | head -1)
http "$PORT" "$css" -H 'Accept-Encoding: br, gzip' >/dev/null
check "the admin stylesheet is served with a long cache header" \
    grep -Eq 'max-age=[0-9]{8}' <<<"$(header Cache-Control)"
check "the admin stylesheet has a brotli variant" test "$(header Content-Encoding)" = br

check "the server (PID 1) runs as UID 10001" \
    grep -Eq '^Uid:\s+10001\s' <<<"$($DOCKER exec "$PREFIX-app" cat /proc/1/status)"
check "the root filesystem is read-only" \
    test -n "$($DOCKER exec "$PREFIX-app" sh -c 'touch /app/written 2>&1 || true')"

$DOCKER exec "$PREFIX-app" python3 manage.py shell -v0 -c "
from django.contrib.auth import get_user_model
get_user_model().objects.create_user('ct')"
TOKEN=$($DOCKER exec "$PREFIX-app" python3 manage.py create_token ct 2>/dev/null | tail -1)
created=$(http "$PORT" /api/ -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
    -d '{"title": "Survivor of containers", "release_date": "2001-01-19"}')
movie_id=$(python3 -c "import json; print(json.load(open('/tmp/$PREFIX.body')).get('id', ''))")
check "a film created through the API answers 201" test "$created" = 201

say "A new container on the same volume"
$DOCKER rm -f "$PREFIX-app" >/dev/null
PORT=$(free_port)
# gunicorn's debug lines say when a worker has a request: the shutdown check below waits on them.
run_app "$PREFIX-app2" "$PORT" -v "$PREFIX-data:/data" -e LOAD_SAMPLE_DATA=1 -e GUNICORN_LOG_LEVEL=debug
wait_healthy "$PREFIX-app2" || true
expect "the film survives removing and recreating the container" 200 \
    'Survivor of containers' "$PORT" "/api/$movie_id/"
http "$PORT" '/api/?search=Inception' >/dev/null
check "sample films are not loaded twice into a used database" \
    test "$(grep -o Inception /tmp/$PREFIX.body | wc -l)" = 1

say "docker stop with a request in flight"
python3 - "$PORT" "$TOKEN" "$DOCKER" "$PREFIX-app2" <<'PY' && pass "docker stop waits for the in-flight request, which answers 201" || fail "docker stop waits for the in-flight request, which answers 201"
import socket, subprocess, sys, threading, time
port, token, docker, name = sys.argv[1:]

def logged(text):
    logs = subprocess.run([docker, "logs", name], capture_output=True, text=True)
    return (logs.stdout + logs.stderr).count(text)

def wait_until_logged(text, times):
    deadline = time.monotonic() + 60
    while logged(text) < times:
        assert time.monotonic() < deadline, f"{text!r} not logged {times} times"
        time.sleep(0.1)

body = b'{"title": "Finished during shutdown", "release_date": "2010-07-16"}'
posts = logged("POST /api/")
sock = socket.create_connection(("127.0.0.1", int(port)))
sock.sendall(
    f"POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
    f"Authorization: Token {token}\r\nContent-Type: application/json\r\n"
    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body[:10]
)
# A worker has the request (gunicorn's debug line before the application is called), and
# waits for the rest of its body.
wait_until_logged("POST /api/", posts + 1)
stop = threading.Thread(
    target=subprocess.run, args=([docker, "stop", "-t", "30", name],),
    kwargs={"stdout": subprocess.DEVNULL},
)
stop.start()
wait_until_logged("Handling signal: term", 1)
sock.sendall(body[10:])
answer = sock.recv(65536).decode(errors="replace")
stop.join()
print(answer.splitlines()[0] if answer else "no answer")
sys.exit(0 if answer.startswith("HTTP/1.1 201") else 1)
PY
check "the container exits with code 0 after docker stop" \
    test "$($DOCKER inspect -f '{{.State.ExitCode}}' "$PREFIX-app2")" = 0

# --- PostgreSQL ----------------------------------------------------------------------------
say "Running against PostgreSQL (the machine's own, host network)"
PG_DB=watchlist_ct_$$
psql "$POSTGRES_URL/postgres" -qc "CREATE DATABASE \"$PG_DB\"" >/dev/null
PORT=$(free_port)
$DOCKER run -d --name "$PREFIX-pg" --read-only --tmpfs /tmp --network host \
    -e DJANGO_SECRET_KEY="$SECRET" -e DJANGO_ALLOWED_HOSTS=127.0.0.1 \
    -e DJANGO_SECURE_PROXY_SSL_HEADER=1 -e LOAD_SAMPLE_DATA=1 -e PORT="$PORT" \
    -e DATABASE_URL="$POSTGRES_URL/$PG_DB" \
    $IMAGE gunicorn --config watchlist/gunicorn.conf.py --bind "127.0.0.1:$PORT" watchlist.wsgi >/dev/null
if wait_healthy "$PREFIX-pg"; then pass "the container on PostgreSQL becomes healthy"; else fail "the container on PostgreSQL becomes healthy"; fi
expect "it lists the sample films from PostgreSQL" 200 'Fight Club' "$PORT" /api/
check "the films are in the PostgreSQL database" \
    test "$(psql "$POSTGRES_URL/$PG_DB" -tAc 'SELECT count(*) FROM movies_movie')" = 4
expect "readiness checks PostgreSQL" 200 '"ok"' "$PORT" /readyz

# --- secrets -------------------------------------------------------------------------------
say "Secrets"
check "the secret key is not in docker history" no_secret_in $DOCKER history --no-trunc $IMAGE
check "the secret key is not in the image configuration" no_secret_in $DOCKER image inspect $IMAGE
check "no secret key at all in docker history" \
    test -z "$($DOCKER history --no-trunc $IMAGE | grep -o 'DJANGO_SECRET_KEY=[A-Za-z0-9_-]\{20,\}')"

# --- docker-compose.yml, end to end ------------------------------------------------------
say "docker-compose.yml: the app and PostgreSQL"
compose() {
    POSTGRES_PASSWORD=$COMPOSE_DB_PASSWORD WATCHLIST_PORT=$COMPOSE_PORT \
        $COMPOSE -p "$PREFIX" -f docker-compose.yml -f "$COMPOSE_OVERRIDE" "$@"
}
compose_container() { compose ps -q "$1"; }
if $DOCKER compose version >/dev/null 2>&1; then COMPOSE="$DOCKER compose"; else COMPOSE=docker-compose; fi
# The compose file reads .env; a developer's own is left alone (the override's values win).
[ -f .env ] || { : >.env; MADE_ENV_FILE=1; }
COMPOSE_DB_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
COMPOSE_PORT=$(free_port)
COMPOSE_OVERRIDE=$(mktemp --suffix=.yml)
cat >"$COMPOSE_OVERRIDE" <<YAML
services:
  db:
    image: $(postgres_standin "$BASE")
  web:
    image: $IMAGE
    environment:
      DJANGO_SECRET_KEY: "$SECRET"
      DJANGO_ALLOWED_HOSTS: 127.0.0.1
      DJANGO_SECURE_PROXY_SSL_HEADER: "1"
      LOAD_SAMPLE_DATA: "0"
YAML
check "docker-compose.yml is valid" compose config -q

DB_WHEN_WEB_STARTED=
compose_up() {
    compose up -d --no-build >/dev/null 2>&1 || return 1
    # Docker keeps a container's last five health checks: the database's are read now,
    # while the one that let the web service start is still among them.
    DB_WHEN_WEB_STARTED=$($DOCKER inspect "$(compose_container db)")
    wait_healthy "$(compose_container web)"
}
if compose_up; then pass "the web service becomes healthy"; else fail "the web service becomes healthy"; fi
python3 - "$DB_WHEN_WEB_STARTED" "$($DOCKER inspect "$(compose_container web)")" <<'PY' \
    && pass "the web service started after the database was healthy" \
    || fail "the web service started after the database was healthy"
import json, re, sys
def moment(timestamp):  # RFC 3339 in UTC, nanoseconds with trailing zeros dropped
    seconds, fraction = re.match(r"(.{19})(?:\.(\d+))?", timestamp).groups()
    return seconds, (fraction or "").ljust(9, "0")
db, web = (json.loads(arg)[0] for arg in sys.argv[1:])
healthy = [moment(check["End"]) for check in db["State"]["Health"]["Log"] if check["ExitCode"] == 0]
sys.exit(0 if healthy and min(healthy) <= moment(web["State"]["StartedAt"]) else 1)
PY
expect "readiness on compose checks PostgreSQL" 200 '"ok"' "$COMPOSE_PORT" /readyz
compose exec -T web python3 manage.py shell -v0 -c "
from django.contrib.auth import get_user_model
get_user_model().objects.create_user('compose')"
TOKEN=$(compose exec -T web python3 manage.py create_token compose 2>/dev/null | tail -1)
created=$(http "$COMPOSE_PORT" /api/ -H "Authorization: Token $TOKEN" \
    -H 'Content-Type: application/json' -d '{"title": "Kept by PostgreSQL", "release_date": "1982-06-25"}')
movie_id=$(python3 -c "import json; print(json.load(open('/tmp/$PREFIX.body')).get('id', ''))")
check "a film created with a token answers 201" test "$created" = 201
expect "the film reads back from PostgreSQL" 200 '"title":"Kept by PostgreSQL"' \
    "$COMPOSE_PORT" "/api/$movie_id/"
check "the database is PostgreSQL" test "$(compose exec -T db psql -U watchlist -d watchlist -tAc \
    "SELECT title FROM movies_movie WHERE id = $movie_id" | tr -d '\r')" = "Kept by PostgreSQL"

compose down --timeout 30 >/dev/null 2>&1
check "compose down removes the containers" test -z "$(compose ps -q)"
if compose_up; then pass "compose up again becomes healthy"; else fail "compose up again becomes healthy"; fi
expect "the film survives down and up (named volume)" 200 '"title":"Kept by PostgreSQL"' \
    "$COMPOSE_PORT" "/api/$movie_id/"

echo
if [ "$FAILURES" -gt 0 ]; then
    echo "container test: $FAILURES check(s) failed"
    exit 1
fi
echo "container test: all checks passed"
