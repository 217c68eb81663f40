# Shared by every ops/ script: where the stack lives, its ports, and how to start and stop each
# server. Source it; do not run it. Every name here is also what compose/ and the services read.
set -euo pipefail

OPS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_DIR=$(cd "$OPS_DIR/.." && pwd)

# The test stack (ops/test) uses its own data and ports so that it never touches a running stack.
if [ "${EXAM_STACK:-run}" = test ]; then
  : "${STACK_DIR:=$REPO_DIR/.run-test}"
  : "${POSTGRES_PORT:=25432}" "${REDIS_PORT:=26379}" "${AMQP_PORT:=25673}"
  : "${AMQP_DIST_PORT:=25674}" "${ERL_EPMD_PORT:=24369}" "${GATEWAY_PORT:=28080}" "${SERVICE_PORT_BASE:=28100}"
  : "${PAYMENT_SIMULATOR_PORT:=28110}"
  : "${PROMETHEUS_PORT:=29090}" "${POSTGRES_EXPORTER_PORT:=29187}" "${REDIS_EXPORTER_PORT:=29121}" "${NODE_EXPORTER_PORT:=29100}"
  : "${RABBITMQ_METRICS_PORT:=25692}"
else
  : "${STACK_DIR:=$REPO_DIR/.run}"
  : "${POSTGRES_PORT:=15432}" "${REDIS_PORT:=16379}" "${AMQP_PORT:=15673}"
  : "${AMQP_DIST_PORT:=15674}" "${ERL_EPMD_PORT:=14369}" "${GATEWAY_PORT:=8080}" "${SERVICE_PORT_BASE:=8100}"
  : "${PAYMENT_SIMULATOR_PORT:=8110}"
  : "${PROMETHEUS_PORT:=9090}" "${POSTGRES_EXPORTER_PORT:=9187}" "${REDIS_EXPORTER_PORT:=9121}" "${NODE_EXPORTER_PORT:=9100}"
  : "${RABBITMQ_METRICS_PORT:=15692}"
fi
# Where candidates pay and orders are queried: the simulator unless a real provider is set.
: "${PAYMENT_PROVIDER_URL:=http://127.0.0.1:$PAYMENT_SIMULATOR_PORT}"
export PAYMENT_SIMULATOR_PORT PAYMENT_PROVIDER_URL
: "${BUILD_CONFIGURATION:=release}"
: "${POSTGRES_HOST:=127.0.0.1}" "${POSTGRES_DATABASE:=exam}"
: "${POSTGRES_USER:=exam_app}" "${POSTGRES_PASSWORD:=exam_app_local}"
: "${POSTGRES_OWNER_USER:=exam_owner}" "${POSTGRES_OWNER_PASSWORD:=exam_owner_local}"
: "${REDIS_HOST:=127.0.0.1}"
: "${AMQP_HOST:=127.0.0.1}" "${AMQP_USER:=exam}" "${AMQP_PASSWORD:=exam_local}" "${AMQP_VHOST:=/}"
export STACK_DIR POSTGRES_HOST POSTGRES_PORT POSTGRES_DATABASE POSTGRES_USER POSTGRES_PASSWORD
export POSTGRES_OWNER_USER POSTGRES_OWNER_PASSWORD REDIS_HOST REDIS_PORT
export AMQP_HOST AMQP_PORT AMQP_USER AMQP_PASSWORD AMQP_VHOST AMQP_DIST_PORT ERL_EPMD_PORT GATEWAY_PORT SERVICE_PORT_BASE

# Browser pages of the gateway's own address may send forms (CSRF origin check in the services).
: "${ALLOWED_ORIGINS:=http://127.0.0.1:$GATEWAY_PORT,http://localhost:$GATEWAY_PORT}"
export ALLOWED_ORIGINS

# Where the document service keeps its files (their index is in PostgreSQL).
: "${DOCUMENT_STORE:=$STACK_DIR/documents}"
export DOCUMENT_STORE

# The keys that seal personal data (ID and phone numbers): made once per stack, kept beside its
# data, readable by this user only. A real deployment sets PERSONAL_DATA_KEYS and
# PERSONAL_DATA_LOOKUP_KEY from its secret store; back them up with the database, since the
# sealed values cannot be read without them.
if [ -z "${PERSONAL_DATA_KEYS:-}" ]; then
  if [ ! -s "$STACK_DIR/secrets.env" ]; then
    mkdir -p "$STACK_DIR"
    (umask 077 && printf 'PERSONAL_DATA_KEYS=k%s:%s\nPERSONAL_DATA_LOOKUP_KEY=%s\n' \
      "$(date +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" "$(head -c 32 /dev/urandom | base64 -w0)" >"$STACK_DIR/secrets.env")
  fi
  # The Ed25519 key that signs the admission tickets' QR codes (added to stacks made before it).
  # The passphrase that encrypts the backups (pgBackRest's repository and the documents' archive).
  grep -q '^BACKUP_CIPHER_PASS=' "$STACK_DIR/secrets.env" ||
    (umask 077 && printf 'BACKUP_CIPHER_PASS=%s\n' "$(head -c 32 /dev/urandom | base64 -w0)" >>"$STACK_DIR/secrets.env")
  grep -q '^DOCUMENT_SIGNING_KEYS=' "$STACK_DIR/secrets.env" ||
    (umask 077 && printf 'DOCUMENT_SIGNING_KEYS=d%s:%s\n' "$(date +%Y%m%d)" "$(head -c 32 /dev/urandom | base64 -w0)" >>"$STACK_DIR/secrets.env")
  set -a; source "$STACK_DIR/secrets.env"; set +a
fi

# The payment providers' keys, for the simulator (ops/payment-sim): made once per stack (with
# python3-cryptography, so after need_packages) unless the environment gives real ones.
payment_keys() {
  [ -n "${ALIPAY_PUBLIC_KEY:-}" ] && return 0
  # (Made again for a stack whose keys predate the signed queries.)
  if ! grep -q WECHAT_MERCHANT_SERIAL "$STACK_DIR/payment-sim/payment.env" 2>/dev/null; then
    (umask 077 && python3 "$REPO_DIR/ops/payment-sim/make_keys.py" "$STACK_DIR/payment-sim")
  fi
  set -a; source "$STACK_DIR/payment-sim/payment.env"; set +a
}

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PIDS="$STACK_DIR/pids"
LOGS="$STACK_DIR/logs"

# The services, in the order of their HTTP ports (SERVICE_PORT_BASE + position) and gateway paths.
SERVICES=(Registration Confirmation PaymentCallback Review Arrangement DocumentGeneration)
declare -A GATEWAY_PATH=(
  [Registration]=/api/registration/ [Confirmation]=/api/confirmation/ [PaymentCallback]=/api/payment/
  [Review]=/api/review/ [Arrangement]=/api/arrangement/ [DocumentGeneration]=/api/documents/
)

# A server started in the background must not keep its starter's other files open: a caller
# waiting for the starter's pipes to close would wait for the server's whole life.
close_inherited_fds() {
  local fd
  for fd in /proc/$BASHPID/fd/*; do
    fd=${fd##*/}
    case $fd in 0 | 1 | 2) ;; *) eval "exec $fd>&-" 2>/dev/null || true ;; esac
  done
}

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

service_port() { # NAME -> the API process's port
  local i
  for i in "${!SERVICES[@]}"; do [ "${SERVICES[$i]}" = "$1" ] && { echo $((SERVICE_PORT_BASE + i + 1)); return; }; done
  die "unknown service '$1' (one of: ${SERVICES[*]})"
}
worker_port() { # NAME N -> worker N's health/metrics port: 20 slots per service above the API ports
  local api; api=$(service_port "$1"); echo $((SERVICE_PORT_BASE + 100 + (api - SERVICE_PORT_BASE - 1) * 20 + $2))
}

pid_alive() { [ -f "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # PORT WHAT SECONDS
  local i
  for ((i = 0; i < $3 * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
  die "$2 did not open port $1 within $3 s (see $LOGS)"
}
stop_pidfile() { # PIDFILE WHAT: TERM, wait, then KILL what did not stop
  local f=$1 pid i
  pid_alive "$f" || { rm -f "$f"; return 0; }
  pid=$(head -n 1 "$f")
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { say "$2 ignored SIGTERM; killing"; kill -KILL "$pid" 2>/dev/null || true; }
  rm -f "$f"
}

# --- installing -------------------------------------------------------------------------------
# need_packages [EXTRA ...]: what the stack needs from Debian, and what a caller adds (ops/test: the browser).
need_packages() {
  local missing=() p
  for p in postgresql postgresql-contrib redis-server rabbitmq-server nginx-light librabbitmq-dev libhiredis-dev libargon2-dev libgd-dev zlib1g-dev pkg-config libpango1.0-dev libcairo2-dev libqrencode-dev fonts-noto-cjk poppler-utils prometheus prometheus-postgres-exporter prometheus-redis-exporter prometheus-node-exporter pgbackrest openssl curl python3 python3-venv python3-cryptography wrk iproute2 "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]} (run as root, or apt-get install them)"
  say "installing ${missing[*]}"
  # The packages' own system-wide instances are not used; keep them from starting.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}
need_swift() {
  command -v swift >/dev/null || [ -x /opt/swift/usr/bin/swift ] || die "Swift 6 is not installed (expected on PATH or /opt/swift)"
  command -v swift >/dev/null || export PATH=/opt/swift/usr/bin:$PATH
}

# --- PostgreSQL --------------------------------------------------------------------------------
# PostgreSQL refuses to run as root; as root the cluster belongs to the 'postgres' system user.
# (From / so that a working directory the postgres user cannot enter does not matter.)
as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi; }

# Where the cluster lives: under the stack's folder, unless (as root) the postgres user cannot
# reach that folder, e.g. a clone inside a private 0700 directory; then in a folder of its own.
pg_home() {
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STACK_DIR" 2>/dev/null; then
    echo "/var/lib/exam-registration/$(printf %s "$STACK_DIR" | sha256sum | cut -c1-12)"
  else
    echo "$STACK_DIR"
  fi
}
pg_data() { echo "$(pg_home)/postgres"; }

start_postgres() {
  mkdir -p "$STACK_DIR"
  local home data log
  home=$(pg_home) data=$(pg_data) log="$(pg_home)/postgres.log"
  mkdir -p "$home"; [ "$(id -u)" = 0 ] && [ "$home" != "$STACK_DIR" ] && chown postgres: "$home"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "initialising PostgreSQL in $data"
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown postgres: "$data"
    chmod 700 "$data"
    local pwfile="$home/.pg-superuser-password"
    echo "${POSTGRES_SUPERUSER_PASSWORD:-postgres_local}" >"$pwfile"
    [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 >"$LOGS/postgres-init.log"
    rm -f "$pwfile"
    cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
shared_buffers = 256MB
CONF
  fi
  # Continuous WAL archiving to pgBackRest (added to clusters made before it; takes a restart).
  local restart=no
  backup_config
  if ! grep -q '^# backups (pgBackRest)' "$data/postgresql.conf"; then
    cat >>"$data/postgresql.conf" <<CONF
# backups (pgBackRest)
unix_socket_directories = '$(backup_home)/socket'
archive_mode = on
archive_command = 'pgbackrest --config=$(backup_home)/pgbackrest.conf --stanza=exam archive-push %p'
archive_timeout = 30
CONF
    restart=yes
  fi
  if [ $restart = yes ] && as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "restarting PostgreSQL to start archiving its WAL"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w restart -o "-p $POSTGRES_PORT" -l "$log" >/dev/null
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    say "starting PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
    touch "$log"; [ "$(id -u)" = 0 ] && chown postgres: "$log"
    [ "$log" = "$LOGS/postgres.log" ] || ln -sfn "$log" "$LOGS/postgres.log"
    as_pg "$PG_BIN/pg_ctl" -D "$data" -o "-p $POSTGRES_PORT" -l "$log" -w -t 60 start >/dev/null
  fi
  setup_database
  [ -f "$(backup_home)/stanza-created" ] || { as_pg pgbackrest --config="$(backup_home)/pgbackrest.conf" --stanza=exam stanza-create >/dev/null &&
    as_pg touch "$(backup_home)/stanza-created"; }
}

# --- backups (pgBackRest) -----------------------------------------------------------------------
# The repository, its configuration and PostgreSQL's socket for pgBackRest (which reaches a local
# cluster only through its socket), beside the cluster and owned by its user.
backup_home() { echo "$(pg_home)/pgbackrest"; }
backup_config() {
  local home; home=$(backup_home)
  mkdir -p "$home/repo" "$home/log" "$home/lock" "$home/spool" "$home/socket"
  (umask 077 && cat >"$home/pgbackrest.conf" <<CONF
[global]
repo1-path=$home/repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$BACKUP_CIPHER_PASS
repo1-retention-full=2
compress-type=gz
compress-level=3
process-max=2
start-fast=y
log-path=$home/log
lock-path=$home/lock
spool-path=$home/spool
log-level-console=warn

[exam]
pg1-path=$(pg_data)
pg1-port=$POSTGRES_PORT
pg1-socket-path=$home/socket
pg1-user=postgres
CONF
  )
  [ "$(id -u)" = 0 ] && chown -R postgres: "$home"
  chmod 700 "$home"
}
pgbackrest_() { as_pg pgbackrest --config="$(backup_home)/pgbackrest.conf" --stanza=exam "$@"; }

psql_super() { PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="${POSTGRES_SUPERUSER_PASSWORD:-postgres_local}" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
# As the schema owner, in the stack's database.
psql_owner() { PGPASSWORD="$POSTGRES_OWNER_PASSWORD" psql -h 127.0.0.1 -p "$POSTGRES_PORT" -U "$POSTGRES_OWNER_USER" -d "$POSTGRES_DATABASE" -v ON_ERROR_STOP=1 -qAt "$@"; }

# Two roles: the owner runs migrations; the services' role may read and write rows but not
# change the schema (and, where a table says so, not update or delete).
setup_database() {
  psql_super -d postgres <<SQL >/dev/null
SELECT 'CREATE ROLE $POSTGRES_OWNER_USER LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$POSTGRES_OWNER_USER') \gexec
SELECT 'CREATE ROLE $POSTGRES_USER LOGIN' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$POSTGRES_USER') \gexec
ALTER ROLE $POSTGRES_OWNER_USER PASSWORD '$POSTGRES_OWNER_PASSWORD';
ALTER ROLE $POSTGRES_USER PASSWORD '$POSTGRES_PASSWORD';
SELECT 'CREATE DATABASE $POSTGRES_DATABASE OWNER $POSTGRES_OWNER_USER' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DATABASE') \gexec
SQL
  psql_super -d "$POSTGRES_DATABASE" <<SQL >/dev/null
CREATE EXTENSION IF NOT EXISTS ltree;
ALTER SCHEMA public OWNER TO $POSTGRES_OWNER_USER;
GRANT USAGE ON SCHEMA public TO $POSTGRES_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE $POSTGRES_OWNER_USER IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO $POSTGRES_USER;
ALTER DEFAULT PRIVILEGES FOR ROLE $POSTGRES_OWNER_USER IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO $POSTGRES_USER;
SQL
}

stop_postgres() {
  local data; data=$(pg_data)
  [ -f "$data/postmaster.pid" ] || return 0
  say "stopping PostgreSQL"
  as_pg "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || stop_pidfile "$data/postmaster.pid" PostgreSQL
}

# --- Redis -------------------------------------------------------------------------------------
start_redis() {
  pid_alive "$PIDS/redis.pid" && return 0
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$STACK_DIR/redis"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$STACK_DIR/redis" --daemonize yes \
    --pidfile "$PIDS/redis.pid" --logfile "$LOGS/redis.log" --appendonly yes --save "" \
    --protected-mode yes --maxmemory 1gb --maxmemory-policy noeviction
  wait_port "$REDIS_PORT" Redis 20
}
stop_redis() { pid_alive "$PIDS/redis.pid" && say "stopping Redis"; stop_pidfile "$PIDS/redis.pid" Redis; }

# --- RabbitMQ ----------------------------------------------------------------------------------
# Unprivileged, on its own node name, ports and data; Erlang's distribution bound to loopback.
rabbit_env() {
  local base="$STACK_DIR/rabbitmq"
  mkdir -p "$base/home" "$base/mnesia" "$base/logs"
  if [ ! -f "$base/rabbitmq.conf" ]; then
    cat >"$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$AMQP_PORT
distribution.listener.interface = 127.0.0.1
distribution.listener.port_range.min = $AMQP_DIST_PORT
distribution.listener.port_range.max = $AMQP_DIST_PORT
default_user = $AMQP_USER
default_pass = $AMQP_PASSWORD
loopback_users = none
disk_free_limit.absolute = 100MB
log.file.level = warning
CONF
  fi
  # RabbitMQ's own Prometheus endpoint, per queue (depth, consumers), on loopback; added to the
  # files of stacks made before it.
  grep -q '^prometheus.tcp.port' "$base/rabbitmq.conf" || printf 'prometheus.tcp.ip = 127.0.0.1\nprometheus.tcp.port = %s\nprometheus.return_per_object_metrics = true\n' \
    "$RABBITMQ_METRICS_PORT" >>"$base/rabbitmq.conf"
  grep -q rabbitmq_prometheus "$base/enabled_plugins" 2>/dev/null || echo '[rabbitmq_prometheus].' >"$base/enabled_plugins"
  export HOME="$base/home" RABBITMQ_NODENAME="exam-${EXAM_STACK:-run}@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT" RABBITMQ_DIST_PORT="$AMQP_DIST_PORT" ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/logs" RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" RABBITMQ_PID_FILE="$PIDS/rabbitmq.pid"
  export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
  # A node that fails to start writes its crash dump here, not into whatever directory started it.
  export ERL_CRASH_DUMP="$base/logs/erl_crash.dump"
}
rabbitmqctl_() { ( rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" "$@" ); }

start_rabbitmq() {
  if pid_alive "$PIDS/rabbitmq.pid" && port_open "$AMQP_PORT"; then return 0; fi
  say "starting RabbitMQ on 127.0.0.1:$AMQP_PORT (takes 5-15 s)"
  ( rabbit_env; close_inherited_fds; setsid nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$LOGS/rabbitmq.log" 2>&1 </dev/null & )
  local i
  for ((i = 0; i < 600; i++)); do
    [ -s "$PIDS/rabbitmq.pid" ] && port_open "$AMQP_PORT" && break
    sleep 0.1
  done
  rabbitmqctl_ await_startup --timeout 60 >/dev/null 2>&1 || die "RabbitMQ did not start (see $LOGS/rabbitmq.log)"
}
stop_rabbitmq() {
  pid_alive "$PIDS/rabbitmq.pid" || { rm -f "$PIDS/rabbitmq.pid"; return 0; }
  say "stopping RabbitMQ"
  rabbitmqctl_ stop "$PIDS/rabbitmq.pid" >/dev/null 2>&1 || stop_pidfile "$PIDS/rabbitmq.pid" RabbitMQ
  rm -f "$PIDS/rabbitmq.pid"
  # epmd was started on this stack's own port; it is ours to stop (found by that port).
  local epmd
  epmd=$(ss -ltnpH "sport = :$ERL_EPMD_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)
  [ -n "$epmd" ] && kill "$epmd" 2>/dev/null || true
}

# --- servers borrowed for one command (ops/test, ops/bench) ---------------------------------------
# Starts whichever servers are not up and remembers them, so that the command stops only those:
# a stack that was already running is reused and left running.
STARTED_HERE=()
start_servers_here() {
  pid_alive "$PIDS/redis.pid" || STARTED_HERE+=(redis)
  pid_alive "$PIDS/rabbitmq.pid" || STARTED_HERE+=(rabbitmq)
  [ -f "$(pg_data)/postmaster.pid" ] || STARTED_HERE+=(postgres)
  start_postgres
  start_redis
  start_rabbitmq
}
stop_servers_started_here() {
  local server
  for server in rabbitmq redis postgres; do
    [[ " ${STARTED_HERE[*]} " == *" $server "* ]] && "stop_$server"
  done
  return 0
}

# --- the services -------------------------------------------------------------------------------
: "${GATEWAY_RATE:=100}" "${GATEWAY_BURST:=200}" "${GATEWAY_CALLBACK_RATE:=500}" "${GATEWAY_CALLBACK_BURST:=1000}"
export GATEWAY_RATE GATEWAY_BURST GATEWAY_CALLBACK_RATE GATEWAY_CALLBACK_BURST

bin_dir() { (cd "$REPO_DIR" && swift build -c "$BUILD_CONFIGURATION" --show-bin-path); }

build_system() {
  say "building ($BUILD_CONFIGURATION; a first build takes several minutes)"
  (cd "$REPO_DIR" && swift build -c "$BUILD_CONFIGURATION" 2>&1 | tail -n 3)
  [ "${PIPESTATUS[0]}" = 0 ] || die "the build failed"
}

migrate() {
  say "applying migrations"
  POSTGRES_USER="$POSTGRES_OWNER_USER" POSTGRES_PASSWORD="$POSTGRES_OWNER_PASSWORD" EXAM_REPOSITORY="$REPO_DIR" \
    "$(bin_dir)/examctl" migrate | sed 's/^/    /'
  [ "${PIPESTATUS[0]}" = 0 ] || die "migrations failed"
}

health_code() { curl -s -o /dev/null -m 3 -w '%{http_code}' "http://127.0.0.1:$1/health" 2>/dev/null || true; }

# start_process SERVICE ROLE PORT PIDFILE: starts one process unless it runs, and waits until its
# health answers 200 (or it exits, whose last lines are then shown).
start_process() {
  local service=$1 role=$2 port=$3 pidfile=$4 log="$LOGS/$(basename "$4" .pid).log" bin i
  payment_keys
  pid_alive "$pidfile" && return 0
  bin="$(bin_dir)/$service"
  [ -x "$bin" ] || die "$bin is not built"
  ROLE=$role HTTP_HOST=127.0.0.1 HTTP_PORT=$port setsid nohup "$bin" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for ((i = 0; i < 600; i++)); do
    [ "$(health_code "$port")" = 200 ] && return 0
    pid_alive "$pidfile" || { tail -n 5 "$log" >&2; rm -f "$pidfile"; die "$service ($role) exited"; }
    sleep 0.1
  done
  die "$service ($role) did not become healthy on port $port within 60 s (see $log)"
}

# start_services [WORKERS]: every service's API process and WORKERS worker processes each.
start_services() {
  local service n
  for service in "${SERVICES[@]}"; do
    start_process "$service" api "$(service_port "$service")" "$PIDS/$service-api.pid"
    for ((n = 1; n <= ${1:-0}; n++)); do
      start_process "$service" worker "$(worker_port "$service" "$n")" "$PIDS/$service-worker-$n.pid"
    done
  done
  say "services are up"
}

stop_services() {
  local f
  for f in "$PIDS"/*-api.pid "$PIDS"/*-worker-*.pid; do
    [ -e "$f" ] || continue
    stop_pidfile "$f" "$(basename "$f" .pid)"
  done
}

# render_gateway_config OUT [compose]: the gateway's nginx.conf from ops/gateway/nginx.conf.template.
# For compose the upstreams are the service containers and it listens on all of the container's
# addresses; otherwise the loopback processes of this stack.
render_gateway_config() {
  local out=$1 target=${2:-loopback} upstreams="" locations="" service name host listen state errors access web user=""
  for service in "${SERVICES[@]}"; do
    name=$(echo "$service" | tr 'A-Z' 'a-z')
    host=127.0.0.1; [ "$target" = compose ] && host=$name
    upstreams+="    upstream $name {"$'\n'"        server $host:$(service_port "$service");"$'\n'"        keepalive 256;"$'\n'"    }"$'\n'
    locations+="        location ${GATEWAY_PATH[$service]} {"$'\n'"            limit_req zone=per_client burst=$GATEWAY_BURST nodelay;"$'\n'"            proxy_pass http://$name/;"$'\n'"        }"$'\n'
  done
  if [ "$target" = compose ]; then
    listen=8080 state=/tmp errors=/dev/stderr access=/dev/stdout web=/srv/web
  else
    listen=127.0.0.1:$GATEWAY_PORT state=$STACK_DIR/nginx errors=$LOGS/nginx-error.log access=$LOGS/nginx-access.log web=$REPO_DIR/Services/Web
    # Started by root, nginx's workers would be `nobody`, who cannot read a checkout under a
    # private directory (a CI clone in mktemp -d): on loopback they run as whoever runs the stack.
    [ "$(id -u)" = 0 ] && user="user root;"
  fi
  UPSTREAMS="$upstreams" LOCATIONS="$locations" GATEWAY_LISTEN="$listen" GATEWAY_STATE="$state" WEB_ROOT="$web" GATEWAY_USER="$user" \
    GATEWAY_ERROR_LOG="$errors" GATEWAY_ACCESS_LOG="$access" \
    python3 - "$OPS_DIR/gateway/nginx.conf.template" "$out" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
def fill(match):
    name = match.group(1)
    if name not in os.environ:
        sys.exit(f"gateway template: {name} is not set")
    return os.environ[name].rstrip("\n")
open(sys.argv[2], "w").write(re.sub(r"@([A-Z_]+)@", fill, text))
PY
}

write_gateway_config() {
  mkdir -p "$STACK_DIR/nginx"
  render_gateway_config "$STACK_DIR/nginx/nginx.conf"
}

start_gateway() {
  write_gateway_config
  nginx -t -q -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$LOGS/nginx-error.log" || die "the gateway's configuration is invalid"
  if pid_alive "$STACK_DIR/nginx/nginx.pid"; then
    nginx -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$LOGS/nginx-error.log" -s reload
  else
    say "starting the gateway on 127.0.0.1:$GATEWAY_PORT"
    nginx -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx/nginx.conf" -e "$LOGS/nginx-error.log"
  fi
  wait_port "$GATEWAY_PORT" gateway 10
}
# The payment-provider simulator (ops/payment-sim), which notifies through the gateway.
start_payment_simulator() {
  payment_keys
  pid_alive "$PIDS/payment-simulator.pid" && return 0
  say "starting the payment simulator on 127.0.0.1:$PAYMENT_SIMULATOR_PORT"
  PORT=$PAYMENT_SIMULATOR_PORT KEYS_DIR="$STACK_DIR/payment-sim" CALLBACK_URL="http://127.0.0.1:$GATEWAY_PORT/callbacks/payment" \
    setsid nohup python3 "$REPO_DIR/ops/payment-sim/simulator.py" >>"$LOGS/payment-simulator.log" 2>&1 </dev/null &
  echo $! >"$PIDS/payment-simulator.pid"
  wait_port "$PAYMENT_SIMULATOR_PORT" "payment simulator" 10
}
stop_payment_simulator() { stop_pidfile "$PIDS/payment-simulator.pid" "payment simulator"; }

# --- metrics and alerts -------------------------------------------------------------------------
# Prometheus scrapes every service process (found from the PID files, as ops/status finds them),
# PostgreSQL and Redis through their exporters, RabbitMQ's own endpoint and the machine's disks;
# the alert rules are ops/monitoring/alerts.yml. All on loopback, data under the stack's folder.
MONITORING=(prometheus postgres-exporter redis-exporter node-exporter)

# The services' processes as Prometheus file-based discovery reads them; rewritten whenever
# processes start or stop (ops/run, ops/scale), picked up within 5 s.
write_scrape_targets() {
  local dir="$STACK_DIR/prometheus/targets" f name service port first=1
  mkdir -p "$dir"
  {
    echo '['
    for f in "$PIDS"/*-api.pid "$PIDS"/*-worker-*.pid; do
      [ -e "$f" ] && pid_alive "$f" || continue
      name=$(basename "$f" .pid); service=${name%%-*}
      if [[ $name == *-api ]]; then port=$(service_port "$service"); role=api; else port=$(worker_port "$service" "${name##*-}"); role=worker; fi
      [ $first = 1 ] || echo ','
      first=0
      printf '{"targets": ["127.0.0.1:%s"], "labels": {"service": "%s", "role": "%s", "process": "%s"}}' "$port" "$service" "$role" "$name"
    done
    echo ']'
  } >"$dir/services.json.tmp"
  mv "$dir/services.json.tmp" "$dir/services.json"
}

render_prometheus_config() {
  sed -e "s|@MONITORING_DIR@|$REPO_DIR/ops/monitoring|g" -e "s|@TARGETS_DIR@|$STACK_DIR/prometheus/targets|g" \
    -e "s|@POSTGRES_EXPORTER_PORT@|$POSTGRES_EXPORTER_PORT|g" -e "s|@REDIS_EXPORTER_PORT@|$REDIS_EXPORTER_PORT|g" \
    -e "s|@RABBITMQ_METRICS_PORT@|$RABBITMQ_METRICS_PORT|g" -e "s|@NODE_EXPORTER_PORT@|$NODE_EXPORTER_PORT|g" \
    "$REPO_DIR/ops/monitoring/prometheus.yml.template" >"$1"
}

# run_monitor NAME PORT COMMAND...: one monitoring process, unless it runs, its PID kept.
run_monitor() {
  local name=$1 port=$2
  shift 2
  pid_alive "$PIDS/$name.pid" && return 0
  setsid nohup "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
  wait_port "$port" "$name" 15
}

start_monitoring() {
  mkdir -p "$STACK_DIR/prometheus/data"
  write_scrape_targets
  render_prometheus_config "$STACK_DIR/prometheus/prometheus.yml"
  say "starting Prometheus on 127.0.0.1:$PROMETHEUS_PORT with the PostgreSQL, Redis and machine exporters"
  DATA_SOURCE_NAME="postgresql://$POSTGRES_OWNER_USER:$POSTGRES_OWNER_PASSWORD@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DATABASE?sslmode=disable" \
    run_monitor postgres-exporter "$POSTGRES_EXPORTER_PORT" prometheus-postgres-exporter --web.listen-address="127.0.0.1:$POSTGRES_EXPORTER_PORT" \
    --extend.query-path="$REPO_DIR/ops/monitoring/postgres-queries.yml"
  run_monitor redis-exporter "$REDIS_EXPORTER_PORT" prometheus-redis-exporter -redis.addr="redis://127.0.0.1:$REDIS_PORT" \
    -web.listen-address="127.0.0.1:$REDIS_EXPORTER_PORT"
  run_monitor node-exporter "$NODE_EXPORTER_PORT" prometheus-node-exporter --collector.disable-defaults --collector.filesystem \
    --collector.cpu --collector.meminfo --collector.loadavg --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT"
  run_monitor prometheus "$PROMETHEUS_PORT" prometheus --config.file="$STACK_DIR/prometheus/prometheus.yml" \
    --storage.tsdb.path="$STACK_DIR/prometheus/data" --storage.tsdb.retention.time=30d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
}
stop_monitoring() {
  local name
  for name in "${MONITORING[@]}"; do stop_pidfile "$PIDS/$name.pid" "$name"; done
}

stop_gateway() { pid_alive "$STACK_DIR/nginx/nginx.pid" && say "stopping the gateway"; stop_pidfile "$STACK_DIR/nginx/nginx.pid" gateway; }
