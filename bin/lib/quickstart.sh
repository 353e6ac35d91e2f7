#!/usr/bin/env bash
# bin/warden quickstart: Warden in front of a real Trino 476, with the retail example, until Ctrl-C.
#
#   1. builds the warden command's jar and the Trino plugin if they are missing or older than their sources;
#   2. fetches the Trino server and its command-line client once (bin/fetch-trino-server, bin/fetch-trino-cli);
#   3. starts a Warden server on its embedded store and applies examples/retail through its API;
#   4. creates an API key with permission SERVICE for the plugin;
#   5. installs Trino as docs/trino.md says (the plugin copied into plugin/, etc/access-control.properties with
#      the key as ${ENV:WARDEN_API_KEY}) and starts it;
#   6. prints commands that query as different users, and waits. Ctrl-C stops both servers.
#
# Everything lives in $WARDEN_QUICKSTART_DIR (default ./warden-quickstart under the repository), which each run
# starts afresh: warden-data/ (the store), trino/ (the installation; etc/ is worth a look), warden.log, trino.log.
# Ports: $WARDEN_QUICKSTART_WARDEN_PORT (default 8470) and $WARDEN_QUICKSTART_TRINO_PORT (default 8080).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/bin/lib/java.sh"
source "$root/bin/lib/build.sh"

dir="${WARDEN_QUICKSTART_DIR:-$root/warden-quickstart}"
warden_port="${WARDEN_QUICKSTART_WARDEN_PORT:-8470}"
trino_port="${WARDEN_QUICKSTART_TRINO_PORT:-8080}"
java="$JAVA_HOME/bin/java"
warden_uri="http://127.0.0.1:$warden_port"
trino_uri="http://127.0.0.1:$trino_port"
# Written into the directory so that a later run knows it may delete it.
marker=".warden-quickstart"

log() { echo "quickstart: $*" >&2; }
die() { log "error: $*"; exit 1; }

(( $# == 0 )) || die "bin/warden quickstart takes no arguments (settings: WARDEN_QUICKSTART_DIR, WARDEN_QUICKSTART_WARDEN_PORT, WARDEN_QUICKSTART_TRINO_PORT)"
command -v curl >/dev/null || die "'curl' is needed (apt-get install -y curl)"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_in_use "$warden_port" && die "port $warden_port is in use; stop what listens there or set WARDEN_QUICKSTART_WARDEN_PORT"
port_in_use "$trino_port" && die "port $trino_port is in use; stop what listens there or set WARDEN_QUICKSTART_TRINO_PORT"

# --- 1 and 2: what it runs ----------------------------------------------------------------------------------

version="$(sed -n 's:^    <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -n 1)"
warden_jar="$root/warden-cli/target/warden.jar"
plugin_zip="$root/warden-trino/target/warden-trino-$version.zip"
plugin_dir="$root/warden-trino/target/warden-trino-$version/warden"
build_if_stale "$warden_jar" warden-policy warden-bundle warden-server warden-cli
build_if_stale "$plugin_zip" warden-policy warden-client warden-trino
[[ -d "$plugin_dir" ]] || die "the build left no plugin directory at $plugin_dir"

trino_server="$("$root/bin/fetch-trino-server")"
trino_cli="$("$root/bin/fetch-trino-cli")"

# --- the processes it starts, stopped on any exit ------------------------------------------------------------

pids=()
stop_all() {
    trap - INT TERM EXIT
    (( ${#pids[@]} > 0 )) || return 0
    log "stopping the servers"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    local waited=0
    while kill -0 "${pids[@]}" 2>/dev/null && (( waited < 30 )); do
        sleep 1
        waited=$((waited + 1))
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
    log "stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_until WHAT PID SECONDS LOG COMMAND...: runs COMMAND every second until it succeeds; fails when PID ends first
# (showing the end of LOG) or after SECONDS.
wait_until() {
    local what="$1" pid="$2" seconds="$3" logfile="$4" waited=0
    shift 4
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$logfile" >&2
            die "$what stopped while starting; its output is above and in $logfile"
        fi
        (( waited < seconds )) || die "$what did not start within ${seconds}s; see $logfile"
        sleep 1
        waited=$((waited + 1))
    done
}

# --- 3 and 4: Warden ------------------------------------------------------------------------------------------

if [[ -e "$dir" ]]; then
    [[ -f "$dir/$marker" ]] || die "$dir exists and was not made by quickstart; remove it or set WARDEN_QUICKSTART_DIR"
    rm -rf "$dir"
fi
mkdir -p "$dir"
touch "$dir/$marker"

admin_key="wdn_quickstart_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
log "starting the Warden server on $warden_uri (log: $dir/warden.log)"
WARDEN_SERVER_BOOTSTRAP_ADMIN_KEY="$admin_key" \
    "$java" -Xmx1g -jar "$warden_jar" server --data-dir "$dir/warden-data" --port "$warden_port" >"$dir/warden.log" 2>&1 &
pids+=($!)
wait_until "the Warden server" "${pids[0]}" 60 "$dir/warden.log" curl -fsS "$warden_uri/health"

log "applying examples/retail (data sources, users, groups, attributes, policies)"
"$java" -jar "$warden_jar" apply --server "$warden_uri" --api-key "$admin_key" "$root/examples/retail" >"$dir/apply.log" 2>&1 \
    || { cat "$dir/apply.log" >&2; die "warden apply examples/retail failed"; }

response="$(curl -fsS -X POST "$warden_uri/api/v1/api-keys" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d '{"name": "trino-quickstart", "permissions": ["SERVICE"]}')" \
    || die "creating the plugin's API key failed"
service_key="$(sed -n 's/.*"key" *: *"\([^"]*\)".*/\1/p' <<<"$response")"
[[ -n "$service_key" ]] || die "the server answered without a key: $response"

# --- 5: Trino, installed as docs/trino.md says ----------------------------------------------------------------

# An installation of its own, so that the cached server stays as fetched: bin/ copied (the launcher finds the
# installation from its own path), lib/ linked, the tpch and memory plugins linked, Warden's plugin copied.
trino="$dir/trino"
mkdir -p "$trino/plugin" "$trino/etc/catalog"
cp -R "$trino_server/bin" "$trino/bin"
ln -s "$trino_server/lib" "$trino/lib"
ln -s "$trino_server/plugin/tpch" "$trino/plugin/tpch"
ln -s "$trino_server/plugin/memory" "$trino/plugin/memory"
cp -R "$plugin_dir" "$trino/plugin/warden"

cat >"$trino/etc/node.properties" <<EOF
node.environment=quickstart
node.id=warden-quickstart
node.data-dir=$trino/var
EOF
cat >"$trino/etc/jvm.config" <<EOF
-server
-Xmx1G
-XX:+UseG1GC
-XX:+ExitOnOutOfMemoryError
-XX:+EnableDynamicAgentLoading
-Djdk.attach.allowAttachSelf=true
-Dfile.encoding=UTF-8
EOF
cat >"$trino/etc/config.properties" <<EOF
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$trino_port
discovery.uri=$trino_uri
EOF
echo "connector.name=tpch" >"$trino/etc/catalog/tpch.properties"
echo "connector.name=memory" >"$trino/etc/catalog/memory.properties"
cat >"$trino/etc/access-control.properties" <<EOF
access-control.name=warden
warden.server-uri=$warden_uri
warden.api-key=\${ENV:WARDEN_API_KEY}
EOF

log "starting Trino $trino_uri with the Warden plugin (log: $dir/trino.log; about 15 s)"
WARDEN_API_KEY="$service_key" JAVA_HOME="$JAVA_HOME" "$trino/bin/launcher" run >"$dir/trino.log" 2>&1 &
pids+=($!)
wait_until "Trino" "${pids[1]}" 180 "$dir/trino.log" grep -q "======== SERVER STARTED ========" "$dir/trino.log"
# Trino prints SERVER STARTED a few seconds before its coordinator schedules queries that read tables ("No nodes
# available"; SELECT 1 already runs): wait until its node manager lists an active node, then for the node selector's
# node map, which Trino keeps for 5 s, to be read again (as TrinoServerProcess does).
cli=("$java" --enable-native-access=ALL-UNNAMED -jar "$trino_cli" --server "$trino_uri")
wait_until "Trino" "${pids[1]}" 60 "$dir/trino.log" "${cli[@]}" --user trino-readiness-check \
    --execute "SELECT CASE WHEN count(*) > 0 THEN 1 ELSE fail('no active node yet') END FROM system.runtime.nodes WHERE state = 'active'"
sleep 6

# --- 6: how to use it -------------------------------------------------------------------------------------------

query="SELECT custkey, name, address, phone, acctbal, mktsegment FROM tpch.tiny.customer ORDER BY custkey LIMIT 5"
cat <<EOF

Warden $warden_uri and Trino $trino_uri are running with the retail example (examples/retail).
Ask Trino as different users; Warden decides what each sees.

alice, an analyst: customers of her segments only (AUTOMOBILE, BUILDING); names hashed, addresses hidden,
phones cut to the country code, balances rounded down to thousands:

  ${cli[*]} --user alice --execute "$query"

bob, in finance: every segment and exact balances (names, addresses and phones are masked for him too):

  ${cli[*]} --user bob --execute "$query"

carol, in support: no grant on customers, so Trino denies the query:

  ${cli[*]} --user carol --execute "$query"

An interactive session: ${cli[*]} --user alice --catalog tpch --schema tiny
Why alice sees what she sees: $root/bin/warden explain --server $warden_uri --api-key $admin_key --user alice --data-source tpch.customer
The admin key for the API (docs/server.md): $admin_key
Files: $dir (Trino's etc/ is in trino/etc, logs in warden.log and trino.log)

Press Ctrl-C to stop both servers.
EOF

# Returns when either server ends, or at Ctrl-C (the traps then stop the other).
set +e
wait -n "${pids[@]}"
status=$?
set -e
log "a server stopped unexpectedly (exit $status); see $dir/warden.log and $dir/trino.log"
exit 1
