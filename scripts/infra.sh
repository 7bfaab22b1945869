#!/usr/bin/env bash
# Real infrastructure without Docker: a single-node Apache Kafka (KRaft) from Apache's jars on
# Maven Central, and PostgreSQL (DATABASE_URL, else the service on 127.0.0.1:5432, else a
# private cluster started with initdb/pg_ctl). Idempotent: what is already up is reused.
#
#   scripts/infra.sh up | down | status
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (768m),
# DATABASE_URL (postgres://postgres@127.0.0.1:5432/trial_followup), TEST_DATABASE_URL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="$ROOT/.infra"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DIR="$INFRA/kafka"
LIBS="$ROOT/infra/kafka/target/libs"
PG_PRIVATE="$INFRA/postgres"
PG_PRIVATE_PORT="${PG_PRIVATE_PORT:-55432}"
PG_SHARED_PORT="${PG_SHARED_PORT:-5432}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

kafka_pid() {
  [[ -f "$KAFKA_DIR/kafka.pid" ]] || return 1
  local pid; pid="$(cat "$KAFKA_DIR/kafka.pid")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fetch_jars() {
  if [[ -f "$LIBS/.complete" ]]; then return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka's jars; install Java 17 and Maven, or use docker-compose.yml"
  log "fetching Apache Kafka jars from Maven Central (infra/kafka/pom.xml)"
  (cd "$ROOT/infra/kafka" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=target/libs) \
    || die "mvn dependency:copy-dependencies failed"
  touch "$LIBS/.complete"
}

java_kafka() { # main-class args...
  java -Xshare:auto -cp "$LIBS/*" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" "$@"
}

kafka_up() {
  if kafka_pid >/dev/null; then log "kafka already running (pid $(kafka_pid)) on 127.0.0.1:$KAFKA_PORT"; wait_kafka; return; fi
  if port_open "$KAFKA_PORT"; then
    log "something already listens on 127.0.0.1:$KAFKA_PORT; using it as the broker"; wait_kafka; return
  fi
  fetch_jars
  mkdir -p "$KAFKA_DIR/logs" "$KAFKA_DIR/data"
  sed -e "s#@KAFKA_PORT@#$KAFKA_PORT#g; s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g; s#@DATA_DIR@#$KAFKA_DIR/data#g" \
    "$ROOT/infra/kafka/server.properties.template" > "$KAFKA_DIR/server.properties"
  if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
    local id; id="$(java_kafka kafka.tools.StorageTool random-uuid | tail -n 1)"
    log "formatting KRaft storage (cluster $id)"
    java_kafka kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || { tail -n 20 "$KAFKA_DIR/logs/format.log" >&2; die "kafka storage format failed"; }
  fi
  log "starting kafka on 127.0.0.1:$KAFKA_PORT"
  KAFKA_HEAP="${KAFKA_HEAP:-768m}"
  nohup java -Xms256m -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -Xshare:auto -cp "$LIBS/*" \
    -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" -Dkafka.logs.dir="$KAFKA_DIR/logs" \
    kafka.Kafka "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$KAFKA_DIR/kafka.pid"
  wait_kafka
}

wait_kafka() {
  # Ready means a client gets metadata back, not merely that the port is open.
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" node "$ROOT/scripts/kafka-ready.js" >/dev/null 2>&1; do
    if [[ -f "$KAFKA_DIR/kafka.pid" ]] && ! kill -0 "$(cat "$KAFKA_DIR/kafka.pid")" 2>/dev/null; then
      log "kafka exited; last lines of its log:"; tail -n 30 "$KAFKA_DIR/logs/stdout.log" "$KAFKA_DIR/logs/server.log" 2>/dev/null >&2 || true
      die "kafka did not come up"
    fi
    if (( SECONDS > deadline )); then
      log "kafka did not answer metadata requests in time; last lines of its log:"
      tail -n 30 "$KAFKA_DIR/logs/server.log" "$KAFKA_DIR/logs/stdout.log" 2>/dev/null >&2 || true
      die "kafka did not come up on 127.0.0.1:$KAFKA_PORT"
    fi
    sleep 1
  done
  log "kafka ready on 127.0.0.1:$KAFKA_PORT"
}

kafka_down() {
  local pid
  if pid="$(kafka_pid)"; then
    log "stopping kafka (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "kafka did not stop in 30 s; killing"; kill -9 "$pid"; fi
    rm -f "$KAFKA_DIR/kafka.pid"
  else
    log "kafka not running (started by this script)"
  fi
}

# --- PostgreSQL -------------------------------------------------------------------------------
pg_base_url() {
  if [[ -n "${DATABASE_URL:-}" ]]; then echo "${DATABASE_URL%/*}"; return; fi
  if port_open "$PG_SHARED_PORT"; then echo "postgres://postgres@127.0.0.1:$PG_SHARED_PORT"; return; fi
  echo "postgres://postgres@127.0.0.1:$PG_PRIVATE_PORT"
}

pg_up() {
  if [[ -z "${DATABASE_URL:-}" ]] && ! port_open "$PG_SHARED_PORT"; then
    local bindir; bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$bindir" ]] || die "no PostgreSQL on 127.0.0.1:$PG_SHARED_PORT and no initdb to start one; set DATABASE_URL"
    if [[ ! -f "$PG_PRIVATE/PG_VERSION" ]]; then
      log "no PostgreSQL on 127.0.0.1:$PG_SHARED_PORT: creating a private cluster in $PG_PRIVATE"
      local owner=(); [[ "$(id -u)" == 0 ]] && { mkdir -p "$PG_PRIVATE"; chown postgres "$PG_PRIVATE" "$INFRA"; owner=(runuser -u postgres --); }
      "${owner[@]}" "$bindir/initdb" -D "$PG_PRIVATE" -U postgres --auth=trust >/dev/null
    fi
    if ! port_open "$PG_PRIVATE_PORT"; then
      local owner=(); [[ "$(id -u)" == 0 ]] && owner=(runuser -u postgres --)
      "${owner[@]}" "$bindir/pg_ctl" -D "$PG_PRIVATE" -o "-p $PG_PRIVATE_PORT -k /tmp -c listen_addresses=127.0.0.1" -l "$PG_PRIVATE/log" -w start >/dev/null
    fi
  fi
  local base; base="$(pg_base_url)"
  for db in "$(db_name "${DATABASE_URL:-}" trial_followup)" "$(db_name "${TEST_DATABASE_URL:-}" trial_followup_test)"; do
    if ! psql "$base/postgres" -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      log "creating database $db"; psql "$base/postgres" -qc "create database \"$db\"" >/dev/null
    fi
  done
  # start.sh and test.sh read this, so the services use the same server (private or shared).
  mkdir -p "$INFRA"
  printf 'DATABASE_URL=%s\nTEST_DATABASE_URL=%s\n' \
    "${DATABASE_URL:-$base/trial_followup}" "${TEST_DATABASE_URL:-$base/trial_followup_test}" > "$INFRA/pg.env"
  log "postgres ready at $base"
}

db_name() { local url="$1" def="$2"; if [[ -n "$url" ]]; then url="${url##*/}"; echo "${url%%\?*}"; else echo "$def"; fi; }

pg_down() {
  if [[ -f "$PG_PRIVATE/postmaster.pid" ]]; then
    local bindir; bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
    local owner=(); [[ "$(id -u)" == 0 ]] && owner=(runuser -u postgres --)
    log "stopping the private PostgreSQL cluster"; "${owner[@]}" "$bindir/pg_ctl" -D "$PG_PRIVATE" -m fast stop >/dev/null
  fi
  # The shared service on 5432 is not ours to stop.
}

topics_up() {
  KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT" node "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/topics.ts"
}

status() {
  if kafka_pid >/dev/null; then echo "kafka:    running (pid $(kafka_pid)) on 127.0.0.1:$KAFKA_PORT"
  elif port_open "$KAFKA_PORT"; then echo "kafka:    something (not started by this script) listens on 127.0.0.1:$KAFKA_PORT"
  else echo "kafka:    stopped"; fi
  local base; base="$(pg_base_url)"
  if psql "$base/postgres" -tAc 'select 1' >/dev/null 2>&1; then echo "postgres: up at $base"; else echo "postgres: down ($base)"; fi
}

case "${1:-}" in
  up) pg_up; kafka_up; topics_up ;;
  down) kafka_down; pg_down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
