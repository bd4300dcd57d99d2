#!/usr/bin/env bash
# Start the loopback test servers: nginx (HTTP with Range), s3s-fs (S3) and an
# HDFS NameNode + DataNode (WebHDFS). Each gets free ports on 127.0.0.1 and its
# data under a fresh temporary directory; the script returns once every server
# has answered a real request (HDFS: a file written through WebHDFS and read
# back), then prints the path of the env file to source:
#
#   env_file=$(bash .ci/servers/start.sh [ENV_FILE])  # default: <tmpdir>/env
#   source "$env_file"; cargo test; bash .ci/servers/stop.sh "$env_file"
#
# Needs install.sh to have run. On failure it stops whatever it started, prints
# the tail of the failing server's log and exits non-zero.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "$here/common.sh"

NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
[ -x "$NGINX_BIN" ] || die "nginx is not installed: run $here/install.sh"
[ -x "$S3S_BIN" ] || die "s3s-fs is not installed at $S3S_BIN: run $here/install.sh"
[ -f "$HADOOP_JARS/.complete" ] || die "hadoop jars missing in $HADOOP_JARS: run $here/install.sh"
command -v java >/dev/null || die "java is not installed"
command -v curl >/dev/null || die "curl is not installed"

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/sparkling-servers.XXXXXX")"
env_file="${1:-$run_dir/env}"
state="$run_dir/env"
mkdir -p "$run_dir/logs"
: >"$state"
# The env file is written as servers come up, so stop.sh can clean up after a
# partial start.
put() { printf 'export %s=%q\n' "$1" "$2" >>"$state"; }
put SPARKLING_TEST_SERVERS_DIR "$run_dir"

started_ok=0
cleanup_on_failure() {
    if [ "$started_ok" != 1 ]; then
        # Let a background HDFS launch record its PIDs before stopping all.
        if [ -n "${hdfs_launcher:-}" ]; then wait "$hdfs_launcher" 2>/dev/null || true; fi
        bash "$here/stop.sh" "$state" >&2 || true
    fi
}
trap cleanup_on_failure EXIT
trap 'exit 130' INT TERM

# Free loopback ports, distinct from each other: bind them all at once to port
# 0, then release. A server losing the race later fails to bind; it is retried.
free_ports() {
    python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

# fail NAME LOG WHY: report which server failed and why, with its log.
fail() {
    local name=$1 logf=$2 why=$3
    printf '[ci/servers] ---- last 40 lines of %s ----\n' "$logf" >&2
    tail -n 40 "$logf" >&2 || true
    printf '[ci/servers] ----\n' >&2
    die "$name failed to start: $why (log: $logf; SPARKLING_CI_KEEP_SERVERS_DIR=1 keeps it)"
}

alive() { kill -0 "$1" 2>/dev/null; }
bind_failed() { grep -qiE 'address already in use|BindException' "$1" 2>/dev/null; }

# http_code URL [curl args...]: the status code, 000 when nothing answers.
http_code() {
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" 2>/dev/null || true
}

# ----------------------------------------------------------------- nginx ----
http_root="$run_dir/http"
mkdir -p "$http_root" "$run_dir/nginx/tmp"
start_nginx() {
    local port=$1 d="$run_dir/nginx"
    cat >"$d/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $d/nginx.pid;
error_log $run_dir/logs/nginx.log info;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    types { application/gzip gz; application/x-bzip2 bz2; }
    default_type application/octet-stream;
    access_log $run_dir/logs/nginx-access.log;
    client_body_temp_path $d/tmp/client_body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000;
    server {
        listen 127.0.0.1:$port;
        root $http_root;
        autoindex off;
    }
}
EOF
    : >"$run_dir/logs/nginx.log"
    # shellcheck disable=SC2094 # nginx appends to its error log; so do we, before it starts
    "$NGINX_BIN" -p "$d" -c "$d/nginx.conf" -e "$run_dir/logs/nginx.log" \
        >>"$run_dir/logs/nginx.log" 2>&1 </dev/null &
    NGINX_PID=$!
}

wait_nginx() {
    local port=$1 logf="$run_dir/logs/nginx.log" probe="$http_root/.sparkling-probe" code=000
    printf '0123456789abcdef' >"$probe"
    for _ in $(seq 1 100); do
        alive "$NGINX_PID" || { rm -f "$probe"; return 1; }
        code=$(http_code "http://127.0.0.1:$port/.sparkling-probe" -H 'Range: bytes=0-9')
        if [ "$code" = 206 ]; then
            rm -f "$probe"
            return 0
        fi
        sleep 0.1
    done
    rm -f "$probe"
    kill "$NGINX_PID" 2>/dev/null || true
    fail nginx "$logf" "no 206 answer to a Range request on port $port within 10 s (last status: $code)"
}

# ---------------------------------------------------------------- s3s-fs ----
s3_root="$run_dir/s3"
mkdir -p "$s3_root"
S3_ACCESS_KEY="AKIA$(python3 -c 'import secrets; print(secrets.token_hex(8).upper())')"
# Random per run, so a test cannot pass with hard-coded keys; alphanumeric only.
S3_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
S3_REGION=us-east-1
S3_BUCKET=sparkling
start_s3() {
    local port=$1 anon_port=$2
    : >"$run_dir/logs/s3s-fs.log"
    : >"$run_dir/logs/s3s-fs-anon.log"
    RUST_LOG="${SPARKLING_TEST_S3_LOG:-info}" "$S3S_BIN" --host 127.0.0.1 --port "$port" \
        --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" -- "$s3_root" \
        >>"$run_dir/logs/s3s-fs.log" 2>&1 </dev/null &
    S3_PID=$!
    # The same store without an authentication provider: it serves unsigned
    # (anonymous) requests and rejects signed ones (501).
    RUST_LOG="${SPARKLING_TEST_S3_LOG:-info}" "$S3S_BIN" --host 127.0.0.1 \
        --port "$anon_port" -- "$s3_root" \
        >>"$run_dir/logs/s3s-fs-anon.log" 2>&1 </dev/null &
    S3_ANON_PID=$!
}

wait_s3() {
    local port=$1 anon_port=$2 logf="$run_dir/logs/s3s-fs.log" code=000 anon=000
    # curl 7.88 does not send x-amz-content-sha256 itself; s3s-fs requires it.
    local sig=(--aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY"
        -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
    for _ in $(seq 1 200); do
        alive "$S3_PID" || return 1
        alive "$S3_ANON_PID" || return 2
        # A signed ListBuckets: proves the server is up and checks signatures.
        [ "$code" = 200 ] || code=$(http_code "http://127.0.0.1:$port/" "${sig[@]}")
        [ "$anon" = 200 ] || anon=$(http_code "http://127.0.0.1:$anon_port/")
        if [ "$code" = 200 ] && [ "$anon" = 200 ]; then
            code=$(http_code "http://127.0.0.1:$port/$S3_BUCKET" -X PUT "${sig[@]}")
            [ "$code" = 200 ] ||
                fail s3s-fs "$logf" "CreateBucket $S3_BUCKET answered $code"
            return 0
        fi
        sleep 0.1
    done
    kill "$S3_PID" "$S3_ANON_PID" 2>/dev/null || true
    [ "$code" = 200 ] || fail s3s-fs "$logf" \
        "no 200 answer to a signed ListBuckets on port $port within 20 s (last status: $code)"
    fail "s3s-fs (anonymous)" "$run_dir/logs/s3s-fs-anon.log" \
        "no 200 answer to an unsigned ListBuckets on port $anon_port within 20 s (last status: $anon)"
}

# ------------------------------------------------------------------ HDFS ----
hdfs_dir="$run_dir/hdfs"
HDFS_USER="$(id -un)"
mkdir -p "$hdfs_dir/conf" "$hdfs_dir/home" "$hdfs_dir/name" "$hdfs_dir/data" "$hdfs_dir/tmp"
for app in hdfs datanode secondary static; do
    mkdir -p "$hdfs_dir/webroot/webapps/$app/WEB-INF"
    echo '<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="2.5"></web-app>' \
        >"$hdfs_dir/webroot/webapps/$app/WEB-INF/web.xml"
done
cat >"$hdfs_dir/conf/log4j.properties" <<'EOF'
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
EOF
hdfs_cp="$hdfs_dir/conf:$hdfs_dir/webroot"
for jar in "${HADOOP_JAR_NAMES[@]}"; do hdfs_cp="$hdfs_cp:$HADOOP_JARS/$jar.jar"; done
for jar in "${JERSEY_JARS[@]}"; do hdfs_cp="$hdfs_cp:$jar"; done
hdfs_java=(
    java -Xms64m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1
    --add-exports java.base/sun.net.dns=ALL-UNNAMED
    --add-exports java.base/sun.net.util=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.net=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED
    -Dhadoop.log.dir="$run_dir/logs" -Dhadoop.home.dir="$hdfs_dir/home"
    -Dhadoop.id.str="$HDFS_USER" -Djava.net.preferIPv4Stack=true
    -Dlog4j.configuration="file:$hdfs_dir/conf/log4j.properties"
    -cp "$hdfs_cp"
)

write_hdfs_conf() {
    local rpc=$1 http=$2 dn_data=$3 dn_http=$4 dn_ipc=$5
    prop() { printf '  <property><name>%s</name><value>%s</value></property>\n' "$1" "$2"; }
    {
        echo '<?xml version="1.0"?><configuration>'
        prop fs.defaultFS "hdfs://127.0.0.1:$rpc"
        prop hadoop.tmp.dir "$hdfs_dir/tmp"
        prop hadoop.http.staticuser.user "$HDFS_USER"
        echo '</configuration>'
    } >"$hdfs_dir/conf/core-site.xml"
    {
        echo '<?xml version="1.0"?><configuration>'
        prop dfs.replication 1
        prop dfs.namenode.name.dir "file://$hdfs_dir/name"
        prop dfs.datanode.data.dir "file://$hdfs_dir/data"
        prop dfs.namenode.rpc-address "127.0.0.1:$rpc"
        prop dfs.namenode.http-address "127.0.0.1:$http"
        prop dfs.namenode.https-address "127.0.0.1:0"
        prop dfs.namenode.secondary.http-address "127.0.0.1:0"
        prop dfs.namenode.secondary.https-address "127.0.0.1:0"
        prop dfs.datanode.address "127.0.0.1:$dn_data"
        prop dfs.datanode.http.address "127.0.0.1:$dn_http"
        prop dfs.datanode.https.address "127.0.0.1:0"
        prop dfs.datanode.ipc.address "127.0.0.1:$dn_ipc"
        prop dfs.datanode.hostname 127.0.0.1
        prop dfs.webhdfs.enabled true
        prop dfs.permissions.enabled false
        prop dfs.namenode.datanode.registration.ip-hostname-check false
        prop dfs.namenode.safemode.extension 0
        # The test data is tiny: do not enter safe mode on a nearly full disk
        # (the default keeps 100 MB free), which a CI machine may have.
        prop dfs.namenode.resource.du.reserved 8388608
        # Tests may CREATE with a small blocksize= to get multi-block files.
        prop dfs.namenode.fs-limits.min-block-size 0
        prop dfs.heartbeat.interval 1
        echo '</configuration>'
    } >"$hdfs_dir/conf/hdfs-site.xml"
}

start_hdfs() {
    write_hdfs_conf "$@"
    local fmt="$run_dir/logs/namenode-format.log"
    if ! "${hdfs_java[@]}" org.apache.hadoop.hdfs.server.namenode.NameNode \
        -format -force -nonInteractive >"$fmt" 2>&1 </dev/null; then
        fail hdfs "$fmt" "namenode -format failed"
    fi
    : >"$run_dir/logs/namenode.log"
    : >"$run_dir/logs/datanode.log"
    "${hdfs_java[@]}" org.apache.hadoop.hdfs.server.namenode.NameNode \
        >>"$run_dir/logs/namenode.log" 2>&1 </dev/null &
    put SPARKLING_TEST_HDFS_NAMENODE_PID $!
    "${hdfs_java[@]}" org.apache.hadoop.hdfs.server.datanode.DataNode \
        >>"$run_dir/logs/datanode.log" 2>&1 </dev/null &
    put SPARKLING_TEST_HDFS_DATANODE_PID $!
}

# The format takes a few seconds of JVM time: run it (and the launch) in the
# background while nginx and s3s-fs come up. The PIDs go to the env file.
hdfs_launcher=
launch_hdfs() {
    (start_hdfs "$@") &
    hdfs_launcher=$!
}

# Ready means: WebHDFS answers, and a file written through it (CREATE, two-step
# redirect to the DataNode) reads back identical, so the DataNode is registered.
wait_hdfs() {
    local http=$1 base="http://127.0.0.1:$1/webhdfs/v1" code=000 loc got
    local u="user.name=$HDFS_USER" probe=/.sparkling-probe nn_log="$run_dir/logs/namenode.log"
    local dn_log="$run_dir/logs/datanode.log" step="WebHDFS did not answer"
    for _ in $(seq 1 600); do
        alive "$NN_PID" || return 1
        alive "$DN_PID" || return 2
        code=$(http_code "$base/?op=GETFILESTATUS&$u")
        if [ "$code" = 200 ]; then
            step="CREATE was not redirected to a DataNode"
            loc=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' --max-time 10 -X PUT \
                "$base$probe?op=CREATE&overwrite=true&$u" 2>/dev/null || true)
            if [ "${loc%% *}" = 307 ]; then
                step="the DataNode did not accept the write (${loc#* })"
                code=$(http_code "${loc#* }" --max-time 20 -X PUT --data-binary 'sparkling-ready' \
                    -H 'Content-Type: application/octet-stream')
                if [ "$code" = 201 ]; then
                    step="the probe file did not read back"
                    got=$(curl -sfL --max-time 10 "$base$probe?op=OPEN&$u" 2>/dev/null || true)
                    if [ "$got" = sparkling-ready ]; then
                        curl -sf -o /dev/null --max-time 10 -X DELETE "$base$probe?op=DELETE&$u" ||
                            fail hdfs "$nn_log" "could not delete the probe file"
                        return 0
                    fi
                fi
            fi
        fi
        sleep 0.2
    done
    kill "$NN_PID" "$DN_PID" 2>/dev/null || true
    tail -n 20 "$dn_log" >&2 || true
    fail hdfs "$nn_log" "not ready within 120 s: $step"
}

# --------------------------------------------------------------- start up ----
# Launch all three, then wait for each; a bind race is retried with new ports.
t0=$(now)
read -r http_port s3_port s3_anon_port nn_rpc nn_http dn_data dn_http dn_ipc <<<"$(free_ports 8)"
start_nginx "$http_port"
t_nginx=$(now)
start_s3 "$s3_port" "$s3_anon_port"
t_s3=$(now)
launch_hdfs "$nn_rpc" "$nn_http" "$dn_data" "$dn_http" "$dn_ipc"
t_hdfs=$(now)

for attempt in 1 2 3; do
    put SPARKLING_TEST_HTTP_PID "$NGINX_PID"
    if wait_nginx "$http_port"; then break; fi
    if ! bind_failed "$run_dir/logs/nginx.log" || [ "$attempt" -ge 3 ]; then
        fail nginx "$run_dir/logs/nginx.log" "the process exited"
    fi
    log "nginx: port $http_port taken, retrying"
    read -r http_port <<<"$(free_ports 1)"
    t_nginx=$(now)
    start_nginx "$http_port"
done
log "nginx   ready on 127.0.0.1:$http_port in $(since "$t_nginx")"

for attempt in 1 2 3; do
    put SPARKLING_TEST_S3_PID "$S3_PID"
    put SPARKLING_TEST_S3_ANON_PID "$S3_ANON_PID"
    rc=0
    wait_s3 "$s3_port" "$s3_anon_port" || rc=$?
    [ "$rc" -eq 0 ] && break
    kill "$S3_PID" "$S3_ANON_PID" 2>/dev/null || true
    if [ "$rc" -eq 1 ]; then who=s3s-fs; else who=s3s-fs-anon; fi
    if ! bind_failed "$run_dir/logs/$who.log" || [ "$attempt" -ge 3 ]; then
        fail "$who" "$run_dir/logs/$who.log" "the process exited"
    fi
    log "s3s-fs: a port was taken, retrying"
    read -r s3_port s3_anon_port <<<"$(free_ports 2)"
    t_s3=$(now)
    start_s3 "$s3_port" "$s3_anon_port"
done
log "s3s-fs  ready on 127.0.0.1:$s3_port (anonymous: :$s3_anon_port) in $(since "$t_s3")"

for attempt in 1 2 3; do
    launcher=$hdfs_launcher
    hdfs_launcher=
    wait "$launcher" || exit 1 # start_hdfs already explained why
    NN_PID=$(sed -n 's/^export SPARKLING_TEST_HDFS_NAMENODE_PID=//p' "$state" | tail -n 1)
    DN_PID=$(sed -n 's/^export SPARKLING_TEST_HDFS_DATANODE_PID=//p' "$state" | tail -n 1)
    rc=0
    wait_hdfs "$nn_http" || rc=$?
    [ "$rc" -eq 0 ] && break
    if [ "$rc" -eq 1 ]; then who=namenode; else who=datanode; fi
    kill "$NN_PID" "$DN_PID" 2>/dev/null || true
    if ! bind_failed "$run_dir/logs/$who.log" || [ "$attempt" -ge 3 ]; then
        fail "hdfs $who" "$run_dir/logs/$who.log" "the process exited"
    fi
    log "hdfs: a port was taken, retrying"
    rm -rf "$hdfs_dir/name" "$hdfs_dir/data" "$hdfs_dir/tmp"
    mkdir -p "$hdfs_dir/name" "$hdfs_dir/data" "$hdfs_dir/tmp"
    read -r nn_rpc nn_http dn_data dn_http dn_ipc <<<"$(free_ports 5)"
    t_hdfs=$(now)
    launch_hdfs "$nn_rpc" "$nn_http" "$dn_data" "$dn_http" "$dn_ipc"
done
log "hdfs    ready on 127.0.0.1:$nn_rpc (rpc), :$nn_http (webhdfs) in $(since "$t_hdfs")"

put SPARKLING_TEST_HTTP_URL "http://127.0.0.1:$http_port"
put SPARKLING_TEST_HTTP_ROOT "$http_root"
put SPARKLING_TEST_S3_ENDPOINT "http://127.0.0.1:$s3_port"
put SPARKLING_TEST_S3_ANON_ENDPOINT "http://127.0.0.1:$s3_anon_port"
put SPARKLING_TEST_S3_ROOT "$s3_root"
put SPARKLING_TEST_S3_ACCESS_KEY "$S3_ACCESS_KEY"
put SPARKLING_TEST_S3_SECRET_KEY "$S3_SECRET_KEY"
put SPARKLING_TEST_S3_REGION "$S3_REGION"
put SPARKLING_TEST_S3_BUCKET "$S3_BUCKET"
put SPARKLING_TEST_WEBHDFS_URL "http://127.0.0.1:$nn_http"
put SPARKLING_TEST_HDFS_RPC "hdfs://127.0.0.1:$nn_rpc"
put SPARKLING_TEST_HDFS_USER "$HDFS_USER"
put SPARKLING_TEST_HDFS_DATANODE_URL "http://127.0.0.1:$dn_http"
put SPARKLING_TEST_SERVERS_LOGS "$run_dir/logs"
put SPARKLING_TEST_SERVERS_ENV "$env_file"

if [ "$env_file" != "$state" ]; then
    mkdir -p "$(dirname "$env_file")"
    cp "$state" "$env_file"
fi
# If the caller names its PID (.ci/test does), a watchdog stops the servers
# should that process die without running stop.sh (e.g. SIGKILL at a CI
# timeout). It exits by itself once stop.sh has run.
if [ -n "${SPARKLING_CI_SERVERS_OWNER_PID:-}" ]; then
    bash -c 'while kill -0 "$1" 2>/dev/null && [ -f "$2" ] && [ ! -e "$3/stopped" ]; do
            sleep 1
        done
        if [ -f "$2" ] && [ ! -e "$3/stopped" ]; then bash "$4" "$2"; fi' \
        sparkling-servers-watchdog "$SPARKLING_CI_SERVERS_OWNER_PID" "$env_file" "$run_dir" \
        "$here/stop.sh" >>"$run_dir/logs/watchdog.log" 2>&1 </dev/null &
fi

started_ok=1
log "all servers ready in $(since "$t0"); env file: $env_file"
printf '%s\n' "$env_file"
