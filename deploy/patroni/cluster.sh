#!/usr/bin/env bash
# A three-node PostgreSQL cluster with Patroni and one etcd, all on this
# machine: the failover setup of docs/deploy.md, small enough to try and to
# test (internal/failover runs it). Debian: apt-get install patroni
# etcd-server postgresql.
#
#   cluster.sh up     [DIR]   start etcd and three Patroni nodes; wait for a
#                             leader and its synchronous standby; create the
#                             role and database zhibu; print DATABASE_URL
#   cluster.sh status [DIR]   the members, their roles and lag (patronictl list)
#   cluster.sh url    [DIR]   print the application's multi-host DATABASE_URL
#   cluster.sh down   [DIR]   stop the three nodes and etcd (the data stay;
#                             `up` starts the same cluster again)
#   cluster.sh kill   [DIR]   SIGKILL everything at once (immediate shutdown
#                             of PostgreSQL), for a cluster about to be deleted
#
# DIR defaults to ./.data/patroni. It holds etcd/ and node1..node3/ (each a
# patroni.yml made from patroni.yml.in, a data directory, logs and pid
# files), secrets (the generated passwords, mode 0600) and database-url.
#
# Settings (environment; the defaults suit a demonstration on one machine):
#   ETCD_PORT, ETCD_PEER_PORT      2379, 2380
#   PG_PORTS                       "5441 5442 5443"
#   API_PORTS                      "8008 8009 8010"  (Patroni's REST API)
#   PATRONI_TTL, PATRONI_LOOP_WAIT, PATRONI_RETRY_TIMEOUT
#                                  10, 1, 3: a failover in about ten seconds;
#                                  Patroni's defaults are 30, 10, 10
#   PG_BIN                         the newest /usr/lib/postgresql/*/bin
#   UP_TIMEOUT                     120 (seconds `up` waits for the cluster)
#
# Run as root, the nodes run as the postgres system user (PostgreSQL refuses
# root), which then owns DIR; DIR's parents must be searchable by it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-./.data/patroni}

ETCD_PORT=${ETCD_PORT:-2379}
ETCD_PEER_PORT=${ETCD_PEER_PORT:-2380}
# etcd reads ETCD_* variables as its flags: keep these two to ourselves.
export -n ETCD_PORT ETCD_PEER_PORT
read -r -a pg_ports <<<"${PG_PORTS:-5441 5442 5443}"
read -r -a api_ports <<<"${API_PORTS:-8008 8009 8010}"
PATRONI_TTL=${PATRONI_TTL:-10}
PATRONI_LOOP_WAIT=${PATRONI_LOOP_WAIT:-1}
PATRONI_RETRY_TIMEOUT=${PATRONI_RETRY_TIMEOUT:-3}
UP_TIMEOUT=${UP_TIMEOUT:-120}

die() { echo "cluster.sh: $*" >&2; exit 1; }

[ "${#pg_ports[@]}" -eq 3 ] && [ "${#api_ports[@]}" -eq 3 ] || die "PG_PORTS and API_PORTS name three ports each"

# owner is the prefix that runs a command as the user who owns the
# cluster: postgres when we are root, else ourselves. setpriv and env exec,
# so `"${owner[@]}" cmd &` leaves the command's own pid in $!.
owner=()
if [ "$(id -u)" -eq 0 ]; then
	owner=(setpriv --reuid=postgres --regid=postgres --init-groups
		env HOME="$(getent passwd postgres | cut -d: -f6)")
fi

# alive PIDFILE WORD: the process in the pid file runs and its command line
# holds WORD (a pid reused by another program after a crash is not ours).
alive() {
	local pid
	[ -f "$1" ] && pid=$(head -1 "$1") && [ -n "$pid" ] &&
		tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q -- "$2"
}

pg_bin() {
	if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n | tail -1)
	[ -n "$d" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)"
	echo "$d"
}

secret() { grep "^$1=" "$dir/secrets" | cut -d= -f2-; }

# cluster_json prints Patroni's view of the cluster from the first node
# that answers.
cluster_json() {
	local p
	for p in "${api_ports[@]}"; do
		if curl -fsS --max-time 2 "http://127.0.0.1:$p/cluster" 2>/dev/null; then return 0; fi
	done
	return 1
}

# ready reads /cluster on stdin: a running leader and two replicas, one of
# them its synchronous standby, both streaming from it. Prints the leader's
# PostgreSQL port.
ready() {
	python3 -c '
import json, sys
c = json.load(sys.stdin)
m = c.get("members", [])
leader = [x for x in m if x.get("role") == "leader" and x.get("state") == "running"]
sync = [x for x in m if x.get("role") == "sync_standby" and x.get("state") in ("running", "streaming")]
reps = [x for x in m if x.get("role") in ("replica", "sync_standby") and x.get("state") in ("running", "streaming") and x.get("lag") not in (None, "unknown")]
if len(leader) == 1 and len(sync) == 1 and len(reps) == 2:
    print(leader[0]["port"])
else:
    sys.exit(1)
'
}

database_url() {
	local hosts="" p
	for p in "${pg_ports[@]}"; do hosts+="${hosts:+,}127.0.0.1:$p"; done
	echo "postgres://zhibu:$(secret zhibu)@$hosts/zhibu?sslmode=disable&target_session_attrs=read-write"
}

up() {
	command -v patroni >/dev/null || die "patroni not found (apt-get install patroni)"
	command -v etcd >/dev/null || die "etcd not found (apt-get install etcd-server)"
	local bin
	bin=$(pg_bin)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	chmod 0700 "$dir"
	if [ ! -f "$dir/secrets" ]; then
		umask 077
		{
			echo "superuser=$(openssl rand -hex 16)"
			echo "replication=$(openssl rand -hex 16)"
			echo "zhibu=$(openssl rand -hex 16)"
		} >"$dir/secrets"
		umask 022
	fi
	local i name
	for i in 1 2 3; do
		name=node$i
		mkdir -p "$dir/$name"
		chmod 0700 "$dir/$name"
		sed -e "s|@NAME@|$name|g" \
			-e "s|@API_PORT@|${api_ports[$((i - 1))]}|g" \
			-e "s|@PG_PORT@|${pg_ports[$((i - 1))]}|g" \
			-e "s|@ETCD_PORT@|$ETCD_PORT|g" \
			-e "s|@TTL@|$PATRONI_TTL|g" \
			-e "s|@LOOP_WAIT@|$PATRONI_LOOP_WAIT|g" \
			-e "s|@RETRY_TIMEOUT@|$PATRONI_RETRY_TIMEOUT|g" \
			-e "s|@DIR@|$dir|g" \
			-e "s|@PG_BIN@|$bin|g" \
			-e "s|@SUPERUSER_PASSWORD@|$(secret superuser)|g" \
			-e "s|@REPLICATION_PASSWORD@|$(secret replication)|g" \
			"$here/patroni.yml.in" >"$dir/$name/patroni.yml"
		chmod 0600 "$dir/$name/patroni.yml"
	done
	mkdir -p "$dir/etcd"
	chmod 0700 "$dir/etcd"
	if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi

	if ! alive "$dir/etcd.pid" etcd; then
		"${owner[@]}" etcd --name etcd1 --data-dir "$dir/etcd" \
			--listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
			--advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
			--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
			--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
			--initial-cluster "etcd1=http://127.0.0.1:$ETCD_PEER_PORT" \
			--initial-cluster-token zhibu --logger zap --log-level warn \
			>>"$dir/etcd.log" 2>&1 </dev/null &
		echo $! >"$dir/etcd.pid"
	fi
	local deadline=$((SECONDS + 30))
	until curl -fsS --max-time 1 "http://127.0.0.1:$ETCD_PORT/health" >/dev/null 2>&1; do
		alive "$dir/etcd.pid" etcd || { tail -20 "$dir/etcd.log" >&2; die "etcd exited"; }
		[ $SECONDS -lt $deadline ] || die "etcd did not answer on port $ETCD_PORT"
		sleep 0.1
	done

	# The first node bootstraps the cluster; the others copy it. Starting
	# them together is fine: they race for the initialize key in etcd.
	for i in 1 2 3; do
		name=node$i
		alive "$dir/$name/patroni.pid" patroni && continue
		"${owner[@]}" patroni "$dir/$name/patroni.yml" >>"$dir/$name/patroni.log" 2>&1 </dev/null &
		echo $! >"$dir/$name/patroni.pid"
	done

	local leader_port="" json
	deadline=$((SECONDS + UP_TIMEOUT))
	while :; do
		if json=$(cluster_json) && leader_port=$(ready <<<"$json"); then break; fi
		for i in 1 2 3; do
			alive "$dir/node$i/patroni.pid" patroni || { tail -20 "$dir/node$i/patroni.log" >&2; die "node$i's Patroni exited"; }
		done
		[ $SECONDS -lt $deadline ] || { echo "${json:-no answer}" >&2; die "no leader with a synchronous standby after ${UP_TIMEOUT}s"; }
		sleep 0.2
	done

	# The application's role and database, once (through the leader).
	PGPASSWORD=$(secret superuser) PGCONNECT_TIMEOUT=5 "$bin/psql" -X -q -v ON_ERROR_STOP=1 \
		-h 127.0.0.1 -p "$leader_port" -U postgres -d postgres <<SQL
SELECT 'CREATE ROLE zhibu LOGIN PASSWORD ''$(secret zhibu)'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zhibu') \gexec
SELECT 'CREATE DATABASE zhibu OWNER zhibu ENCODING ''UTF8'''
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'zhibu') \gexec
SQL
	# Until every standby has replayed the new database, a client of the
	# multi-host URL whose first host is a standby is refused with
	# "database does not exist" there (a FATAL error, so it does not go
	# on to the next host): wait for each node to have it.
	local port
	deadline=$((SECONDS + 30))
	for port in "${pg_ports[@]}"; do
		until [ "$(PGPASSWORD=$(secret superuser) PGCONNECT_TIMEOUT=2 "$bin/psql" -X -qtA -h 127.0.0.1 -p "$port" -U postgres -d postgres \
			-c "SELECT 1 FROM pg_database WHERE datname = 'zhibu'" 2>/dev/null)" = 1 ]; do
			[ $SECONDS -lt $deadline ] || die "the database zhibu did not reach the node on port $port"
			sleep 0.1
		done
	done
	database_url >"$dir/database-url"
	chmod 0600 "$dir/database-url"
	echo "leader on port $leader_port"
	echo "DATABASE_URL=$(cat "$dir/database-url")"
}

down() {
	[ -d "$dir" ] || return 0
	local i f pid
	# Patroni stops its PostgreSQL on SIGTERM (fast shutdown); all three at
	# once, since this tears the cluster down (a switchover is
	# `patronictl switchover`).
	for i in 1 2 3; do
		f=$dir/node$i/patroni.pid
		if alive "$f" patroni; then kill -TERM "$(head -1 "$f")"; fi
	done
	local deadline=$((SECONDS + 30))
	for i in 1 2 3; do
		f=$dir/node$i/patroni.pid
		while alive "$f" patroni && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		if alive "$f" patroni; then kill -KILL "$(head -1 "$f")"; fi
		rm -f "$f"
		# A PostgreSQL left behind by a killed Patroni: immediate shutdown.
		f=$dir/node$i/data/postmaster.pid
		if alive "$f" postgres; then kill -QUIT "$(head -1 "$f")" || true; fi
	done
	f=$dir/etcd.pid
	if alive "$f" etcd; then
		pid=$(head -1 "$f")
		kill -TERM "$pid"
		deadline=$((SECONDS + 10))
		while alive "$f" etcd && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
		if alive "$f" etcd; then kill -KILL "$pid"; fi
	fi
	rm -f "$f"
}

# kill_all stops everything at once, with no shutdown checkpoint: for a
# cluster about to be deleted (the failover test's teardown).
kill_all() {
	[ -d "$dir" ] || return 0
	local i f
	for i in 1 2 3; do
		f=$dir/node$i/patroni.pid
		if alive "$f" patroni; then kill -KILL "$(head -1 "$f")" || true; fi
		rm -f "$f"
		f=$dir/node$i/data/postmaster.pid
		if alive "$f" postgres; then kill -QUIT "$(head -1 "$f")" || true; fi
	done
	f=$dir/etcd.pid
	if alive "$f" etcd; then kill -KILL "$(head -1 "$f")" || true; fi
	rm -f "$f"
	# Wait (at most 10 s) until the postmasters are gone, so the folder can
	# be removed.
	local deadline=$((SECONDS + 10))
	for i in 1 2 3; do
		f=$dir/node$i/data/postmaster.pid
		while alive "$f" postgres && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	done
}

status() {
	"${owner[@]}" patronictl -c "$dir/node1/patroni.yml" list
}

case "$cmd" in
up) up ;;
down) down ;;
kill) kill_all ;;
status) status ;;
url) database_url ;;
*)
	sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
