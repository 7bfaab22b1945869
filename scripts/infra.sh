#!/usr/bin/env bash
# Real infrastructure without Docker: Apache Kafka (KRaft) from Apache's jars on Maven Central,
# one node by default or a three-node cluster, and PostgreSQL (DATABASE_URL, else the service
# on 127.0.0.1:5432, else a private cluster started with initdb/pg_ctl). Idempotent: what is
# already up is reused.
#
#   scripts/infra.sh up | down | status | kafka-up | kafka-down | pg-up
#
# Environment:
#   KAFKA_BROKERS   1 (default) or 3: how many KRaft nodes (each broker and controller; three
#                   form a 3-voter quorum, topics get replication factor 3 and
#                   min.insync.replicas=2). A host:port list here (the services' meaning of
#                   the variable) counts as the default, one node.
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093): node 1's ports; node i listens on
#                   KAFKA_PORT+2(i-1) and KAFKA_CONTROLLER_PORT+2(i-1) (9092/9094/9096 for
#                   clients, 9093/9095/9097 for the quorum), unless KAFKA_PORTS and
#                   KAFKA_CONTROLLER_PORTS list them (comma-separated).
#   KAFKA_HEAP (768m), KAFKA_START_TIMEOUT (90 s, 180 s for a cluster).
#   INFRA_DIR (.infra): where data, logs and pid files live, so a suite can run infrastructure
#                   of its own beside the shared one (bench/chaos does).
#   PG_MODE         auto (default: DATABASE_URL, else 5432, else private) or private (always the
#                   private cluster in INFRA_DIR/postgres on PG_PRIVATE_PORT, 55432).
#   DATABASE_URL (postgres://postgres@127.0.0.1:5432/trial_followup), TEST_DATABASE_URL.
#   PG_OWNER_ROLE (trial_followup_owner), PG_APP_ROLE (trial_followup_app): the database roles
#                   created (idempotently) for DATABASE_URL's database. The owner owns the schema
#                   and runs the migrations; the services connect as the app role (rows only, no
#                   DDL, not a superuser; see libs/storage/src/roles.ts). Without the right to
#                   create roles, the URL given is used as it is, with a warning.
# Writes INFRA_DIR/pg.env (DATABASE_URL as the app role, MIGRATION_DATABASE_URL as the owner,
# TEST_DATABASE_URL, which the suites use to create databases of their own) and INFRA_DIR/kafka.env
# (KAFKA_BROKERS as a host:port list, KAFKA_REPLICATION_FACTOR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INFRA="${INFRA_DIR:-$ROOT/.infra}"
mkdir -p "$INFRA"; INFRA="$(cd "$INFRA" && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
if [[ "${KAFKA_BROKERS:-1}" =~ ^[0-9]+$ ]]; then NODES="${KAFKA_BROKERS:-1}"; else NODES=1; fi
[[ "$NODES" == 1 || "$NODES" == 3 ]] || { echo "[infra] ERROR: KAFKA_BROKERS must be 1 or 3, not $NODES" >&2; exit 2; }
LIBS="$ROOT/infra/kafka/target/libs"
PG_PRIVATE="$INFRA/postgres"
PG_PRIVATE_PORT="${PG_PRIVATE_PORT:-55432}"
PG_SHARED_PORT="${PG_SHARED_PORT:-5432}"
PG_MODE="${PG_MODE:-auto}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Node i (1-based): its directory, client port and controller port. One node keeps the
# layout it always had (INFRA/kafka); a cluster's nodes live in INFRA/kafka-1..3.
node_dir() { if (( NODES == 1 )); then echo "$INFRA/kafka"; else echo "$INFRA/kafka-$1"; fi; }
nth() { local list="$1" i="$2"; IFS=, read -r -a xs <<<"$list"; echo "${xs[$((i - 1))]:-}"; }
node_port() {
  if [[ -n "${KAFKA_PORTS:-}" ]]; then nth "$KAFKA_PORTS" "$1"; else echo $((KAFKA_PORT + 2 * ($1 - 1))); fi
}
node_controller_port() {
  if [[ -n "${KAFKA_CONTROLLER_PORTS:-}" ]]; then nth "$KAFKA_CONTROLLER_PORTS" "$1"; else echo $((CONTROLLER_PORT + 2 * ($1 - 1))); fi
}
broker_list() {
  local out="" i; for i in $(seq 1 "$NODES"); do out+="${out:+,}127.0.0.1:$(node_port "$i")"; done; echo "$out"
}
voters() {
  local out="" i; for i in $(seq 1 "$NODES"); do out+="${out:+,}$i@127.0.0.1:$(node_controller_port "$i")"; done; echo "$out"
}
replication_factor() { if (( NODES >= 3 )); then echo 3; else echo 1; fi; }
min_isr() { if (( NODES >= 3 )); then echo 2; else echo 1; fi; }

pid_in() { # dir: the pid of the node started from that directory, if it runs
  [[ -f "$1/kafka.pid" ]] || return 1
  local pid; pid="$(cat "$1/kafka.pid")"
  # A killed broker not yet reaped (a zombie) still answers kill -0: it is not running.
  kill -0 "$pid" 2>/dev/null && [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" != Z* ]] && echo "$pid"
}
kafka_pid() { pid_in "$(node_dir "${1:-1}")"; }

fetch_jars() {
  if [[ -f "$LIBS/.complete" ]]; then return; fi
  command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch Kafka's jars; install Java 17 and Maven, or use docker-compose.yml"
  log "fetching Apache Kafka jars from Maven Central (infra/kafka/pom.xml)"
  (cd "$ROOT/infra/kafka" && mvn -q -B dependency:copy-dependencies -DoutputDirectory=target/libs) \
    || die "mvn dependency:copy-dependencies failed"
  touch "$LIBS/.complete"
}

java_kafka() { # logs-dir main-class args...
  local logs="$1"; shift
  java -Xshare:auto -cp "$LIBS/*" -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" \
    -Dkafka.logs.dir="$logs" "$@"
}

cluster_id() {
  # Every node of a cluster is formatted with the same id, kept beside them.
  local file="$INFRA/kafka-cluster-id"
  if (( NODES == 1 )); then java_kafka "$INFRA" kafka.tools.StorageTool random-uuid | tail -n 1; return; fi
  [[ -s "$file" ]] || java_kafka "$INFRA" kafka.tools.StorageTool random-uuid | tail -n 1 > "$file"
  cat "$file"
}

node_up() { # i: starts node i unless it runs; does not wait
  local i="$1" dir port cport; dir="$(node_dir "$i")"; port="$(node_port "$i")"; cport="$(node_controller_port "$i")"
  if pid_in "$dir" >/dev/null; then log "kafka node $i already running (pid $(pid_in "$dir")) on 127.0.0.1:$port"; return; fi
  if port_open "$port"; then log "something already listens on 127.0.0.1:$port; using it as kafka node $i"; return; fi
  mkdir -p "$dir/logs" "$dir/data"
  sed -e "s#@KAFKA_PORT@#$port#g; s#@CONTROLLER_PORT@#$cport#g; s#@DATA_DIR@#$dir/data#g" \
      -e "s#@NODE_ID@#$i#g; s#@VOTERS@#$(voters)#g; s#@INTERNAL_RF@#$(replication_factor)#g; s#@MIN_ISR@#$(min_isr)#g" \
    "$ROOT/infra/kafka/server.properties.template" > "$dir/server.properties"
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    local id; id="$(cluster_id)"
    log "formatting KRaft storage of node $i (cluster $id)"
    java_kafka "$dir/logs" kafka.tools.StorageTool format -t "$id" -c "$dir/server.properties" >"$dir/logs/format.log" 2>&1 \
      || { tail -n 20 "$dir/logs/format.log" >&2; die "kafka storage format failed (node $i)"; }
  fi
  log "starting kafka node $i on 127.0.0.1:$port (controller $cport)"
  nohup java -Xms256m -Xmx"${KAFKA_HEAP:-768m}" -XX:+UseG1GC -Xshare:auto -cp "$LIBS/*" \
    -Dlog4j2.configurationFile="$ROOT/infra/kafka/log4j2.properties" -Dkafka.logs.dir="$dir/logs" \
    kafka.Kafka "$dir/server.properties" >"$dir/logs/stdout.log" 2>&1 < /dev/null &
  echo $! > "$dir/kafka.pid"
}

kafka_up() {
  local i dir; fetch_jars
  # One layout at a time: a cluster cannot adopt the single node (or the reverse) on its ports.
  for dir in $(started_dirs); do
    if [[ "$dir" != "$(node_dir 1)" && "$dir" != "$INFRA/kafka-2" && "$dir" != "$INFRA/kafka-3" ]] || { (( NODES == 1 )) && [[ "$dir" != "$INFRA/kafka" ]]; }; then
      pid_in "$dir" >/dev/null && die "kafka ${dir##*/} (another layout than KAFKA_BROKERS=$NODES) is running from $INFRA; run infra.sh down first"
    fi
  done
  for i in $(seq 1 "$NODES"); do node_up "$i"; done
  for i in $(seq 1 "$NODES"); do wait_kafka "$i"; done
  printf 'KAFKA_BROKERS=%s\nKAFKA_REPLICATION_FACTOR=%s\n' "$(broker_list)" "$(replication_factor)" > "$INFRA/kafka.env"
}

wait_kafka() { # i
  # Ready means a client gets metadata back, listing every node of the cluster, not merely that
  # the port is open.
  local i="${1:-1}" dir port; dir="$(node_dir "$i")"; port="$(node_port "$i")"
  local default_timeout=90; (( NODES > 1 )) && default_timeout=180
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-$default_timeout}))
  until KAFKA_BROKERS="127.0.0.1:$port" KAFKA_EXPECT_BROKERS="$NODES" node "$ROOT/scripts/kafka-ready.js" >/dev/null 2>&1; do
    if [[ -f "$dir/kafka.pid" ]] && ! kill -0 "$(cat "$dir/kafka.pid")" 2>/dev/null; then
      log "kafka node $i exited; last lines of its log:"; tail -n 30 "$dir/logs/stdout.log" "$dir/logs/server.log" 2>/dev/null >&2 || true
      die "kafka did not come up"
    fi
    if (( SECONDS > deadline )); then
      log "kafka node $i did not answer metadata requests in time; last lines of its log:"
      tail -n 30 "$dir/logs/server.log" "$dir/logs/stdout.log" 2>/dev/null >&2 || true
      die "kafka did not come up on 127.0.0.1:$port"
    fi
    sleep 1
  done
  log "kafka ready on 127.0.0.1:$port$( (( NODES > 1 )) && echo " (node $i of $NODES)")"
}

# Every node this script started from INFRA (one node or a cluster, whatever KAFKA_BROKERS says now).
started_dirs() { local d; for d in "$INFRA/kafka" "$INFRA"/kafka-[0-9]*; do [[ -f "$d/server.properties" ]] && echo "$d"; done; return 0; }

kafka_down() {
  local dir pid any=0
  for dir in $(started_dirs); do
    if pid="$(pid_in "$dir")"; then
      any=1; log "stopping kafka ${dir##*/} (pid $pid)"; kill "$pid"
    fi
  done
  for dir in $(started_dirs); do
    pid="$(cat "$dir/kafka.pid" 2>/dev/null)" || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "kafka ${dir##*/} did not stop in 30 s; killing"; kill -9 "$pid"; fi
    rm -f "$dir/kafka.pid"
  done
  (( any )) || log "kafka not running (started by this script)"
}

# --- PostgreSQL -------------------------------------------------------------------------------
pg_private() { [[ "$PG_MODE" == private ]] || { [[ -z "${DATABASE_URL:-}" ]] && ! port_open "$PG_SHARED_PORT"; }; }

pg_base_url() {
  if [[ "$PG_MODE" == private ]]; then echo "postgres://postgres@127.0.0.1:$PG_PRIVATE_PORT"; return; fi
  if [[ -n "${DATABASE_URL:-}" ]]; then
    # A DATABASE_URL from pg.env names the app role, which administers nothing: use the superuser.
    local base="${DATABASE_URL%/*}"
    if [[ "$base" == *"://${PG_APP_ROLE:-trial_followup_app}@"* || "$base" == *"://${PG_OWNER_ROLE:-trial_followup_owner}@"* ]]; then
      base="$(with_user "$base" postgres)"
    fi
    echo "$base"; return
  fi
  if port_open "$PG_SHARED_PORT"; then echo "postgres://postgres@127.0.0.1:$PG_SHARED_PORT"; return; fi
  echo "postgres://postgres@127.0.0.1:$PG_PRIVATE_PORT"
}

pg_up() {
  [[ "$PG_MODE" == auto || "$PG_MODE" == private ]] || die "PG_MODE must be auto or private, not $PG_MODE"
  if pg_private; then
    local bindir; bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$bindir" ]] || die "no PostgreSQL on 127.0.0.1:$PG_SHARED_PORT and no initdb to start one; set DATABASE_URL"
    if [[ ! -f "$PG_PRIVATE/PG_VERSION" ]]; then
      log "creating a private PostgreSQL cluster in $PG_PRIVATE (port $PG_PRIVATE_PORT)"
      local owner=(); [[ "$(id -u)" == 0 ]] && { mkdir -p "$PG_PRIVATE"; chown postgres "$PG_PRIVATE" "$INFRA"; owner=(runuser -u postgres --); }
      "${owner[@]}" "$bindir/initdb" -D "$PG_PRIVATE" -U postgres --auth=trust >/dev/null
    fi
    if ! port_open "$PG_PRIVATE_PORT"; then
      local owner=(); [[ "$(id -u)" == 0 ]] && owner=(runuser -u postgres --)
      "${owner[@]}" "$bindir/pg_ctl" -D "$PG_PRIVATE" -o "-p $PG_PRIVATE_PORT -k /tmp -c listen_addresses=127.0.0.1" -l "$PG_PRIVATE/log" -w start >/dev/null
    fi
  fi
  local base; base="$(pg_base_url)"
  local url="${DATABASE_URL:-}" test_url="${TEST_DATABASE_URL:-}"
  # A private cluster's URLs name its own port, whatever the environment's point at.
  [[ "$PG_MODE" == private ]] && { url="$base/$(db_name "$url" trial_followup)"; test_url="$base/$(db_name "$test_url" trial_followup_test)"; }
  for db in "$(db_name "$url" trial_followup)" "$(db_name "$test_url" trial_followup_test)"; do
    if ! psql "$base/postgres" -tAc "select 1 from pg_database where datname = '$db'" | grep -q 1; then
      log "creating database $db"; psql "$base/postgres" -qc "create database \"$db\"" >/dev/null
    fi
  done
  # start.sh and test.sh read this, so the services use the same server (private or shared).
  mkdir -p "$INFRA"
  local app_url="${url:-$base/trial_followup}" owner_url=""
  if pg_roles "$base" "$(db_name "$url" trial_followup)"; then
    app_url="$(with_user "$base" "$PG_APP_ROLE")/$(db_name "$url" trial_followup)"
    owner_url="$(with_user "$base" "$PG_OWNER_ROLE")/$(db_name "$url" trial_followup)"
  fi
  { printf 'DATABASE_URL=%s\n' "$app_url"
    [[ -n "$owner_url" ]] && printf 'MIGRATION_DATABASE_URL=%s\n' "$owner_url"
    printf 'TEST_DATABASE_URL=%s\n' "${test_url:-$base/trial_followup_test}"; } > "$INFRA/pg.env"
  log "postgres ready at $base"
}

PG_OWNER_ROLE="${PG_OWNER_ROLE:-trial_followup_owner}"
PG_APP_ROLE="${PG_APP_ROLE:-trial_followup_app}"

with_user() { # base-url role: the URL with its user (and any password) replaced
  local base="$1" rest; rest="${base#*://}"; rest="${rest#*@}"; echo "postgres://$2@$rest"
}

# The owner and app roles for database $2, created or brought back to what they must be; every
# step is idempotent. Returns 1 (the caller keeps the URL it was given) without the right to.
pg_roles() {
  local base="$1" db="$2" admin="$1/postgres"
  if [[ "$(psql "$admin" -tAc "select rolsuper or rolcreaterole from pg_roles where rolname = current_user")" != t ]]; then
    log "WARNING: $(psql "$admin" -tAc 'select current_user') may not create roles: the services will connect as it"
    return 1
  fi
  local r
  for r in "$PG_OWNER_ROLE" "$PG_APP_ROLE"; do
    [[ "$r" =~ ^[a-z_][a-z0-9_]*$ ]] || die "role name $r: use lower-case letters, digits and _"
    # Two runs at once may both try to create it: the loser's duplicate is not an error.
    psql "$admin" -qv ON_ERROR_STOP=1 >/dev/null <<SQL
do \$\$ begin
  if not exists (select from pg_roles where rolname = '$r') then create role $r login; end if;
exception when duplicate_object or unique_violation then null; end \$\$;
alter role $r login nosuperuser nocreatedb nocreaterole noreplication nobypassrls;
SQL
  done
  # The owner owns the database, its public schema and everything in it (tables a superuser
  # created before the roles existed too); the app role may connect and use the schema. The
  # table rights of the app role are granted after each migration (libs/storage/src/roles.ts).
  psql "$base/$db" -qv ON_ERROR_STOP=1 >/dev/null <<SQL
alter database "$db" owner to $PG_OWNER_ROLE;
alter schema public owner to $PG_OWNER_ROLE;
revoke create on schema public from public;
grant connect on database "$db" to $PG_APP_ROLE;
grant usage on schema public to $PG_APP_ROLE;
do \$\$ declare o record; begin
  for o in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S') and pg_get_userbyid(c.relowner) <> '$PG_OWNER_ROLE'
           and not (c.relkind = 'S' and exists (select from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i'))) loop
    execute format(case o.relkind when 'S' then 'alter sequence public.%I owner to $PG_OWNER_ROLE' when 'v' then 'alter view public.%I owner to $PG_OWNER_ROLE'
      when 'm' then 'alter materialized view public.%I owner to $PG_OWNER_ROLE' else 'alter table public.%I owner to $PG_OWNER_ROLE' end, o.relname);
  end loop;
  for o in select p.oid::regprocedure as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname = 'public' and pg_get_userbyid(p.proowner) <> '$PG_OWNER_ROLE' loop
    execute format('alter routine %s owner to $PG_OWNER_ROLE', o.f);
  end loop;
end \$\$;
SQL
  log "database $db: owner role $PG_OWNER_ROLE, services as $PG_APP_ROLE"
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
  KAFKA_BROKERS="$(broker_list)" KAFKA_REPLICATION_FACTOR="$(replication_factor)" \
    node "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/topics.ts"
}

status() {
  local i dir port shown=" "
  for i in $(seq 1 "$NODES"); do
    dir="$(node_dir "$i")"; port="$(node_port "$i")"; shown+="$dir "
    local name="kafka:   "; (( NODES > 1 )) && name="kafka $i: "
    if pid_in "$dir" >/dev/null; then echo "$name running (pid $(pid_in "$dir")) on 127.0.0.1:$port"
    elif port_open "$port"; then echo "$name something (not started by this script) listens on 127.0.0.1:$port"
    else echo "$name stopped"; fi
  done
  # Nodes of another layout (a cluster while KAFKA_BROKERS=1, or the reverse) that still run.
  for dir in $(started_dirs); do
    [[ "$shown" == *" $dir "* ]] && continue
    if pid_in "$dir" >/dev/null; then echo "kafka (${dir##*/}): running (pid $(pid_in "$dir")); infra.sh down stops it"; fi
  done
  local base; base="$(pg_base_url)"
  if psql "$base/postgres" -tAc 'select 1' >/dev/null 2>&1; then echo "postgres: up at $base"; else echo "postgres: down ($base)"; fi
}

case "${1:-}" in
  up) pg_up; kafka_up; topics_up ;;
  # PostgreSQL alone (its databases, roles and pg.env).
  pg-up) pg_up ;;
  down) kafka_down; pg_down ;;
  status) status ;;
  # Kafka alone: start whichever nodes are not running (a suite brings a killed broker back so).
  kafka-up) kafka_up; topics_up ;;
  kafka-down) kafka_down ;;
  *) echo "usage: $0 up|down|status|kafka-up|kafka-down|pg-up" >&2; exit 2 ;;
esac
