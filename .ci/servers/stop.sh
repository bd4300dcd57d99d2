#!/usr/bin/env bash
# Stop the servers started by start.sh and remove their temporary data.
#
#   bash .ci/servers/stop.sh ENV_FILE
#
# Only the PIDs recorded in ENV_FILE are signalled, and only while their command
# line still names this run's directory (a recycled PID is left alone): TERM,
# then KILL after 10 s. Set SPARKLING_CI_KEEP_SERVERS_DIR=1 to keep the
# directory (data and logs) for a post-mortem.
set -uo pipefail

env_file="${1:?usage: stop.sh ENV_FILE}"
if [ ! -f "$env_file" ]; then
    echo "[ci/servers] stop: $env_file does not exist, nothing to stop" >&2
    exit 0
fi

# Read the recorded values without executing anything else from the file.
value() {
    sed -n "s/^export $1=//p" "$env_file" | tail -n 1 | python3 -c \
        'import shlex, sys; s = sys.stdin.read().strip(); print(shlex.split(s)[0] if s else "")'
}
run_dir="$(value SPARKLING_TEST_SERVERS_DIR)"
case "$run_dir" in
*/sparkling-servers.*) ;;
*)
    echo "[ci/servers] stop: $env_file names no servers directory" >&2
    exit 1
    ;;
esac

ours() { # PID still runs one of this run's servers
    [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$run_dir"
}

pids=()
for var in SPARKLING_TEST_HTTP_PID SPARKLING_TEST_S3_PID SPARKLING_TEST_S3_ANON_PID \
    SPARKLING_TEST_HDFS_DATANODE_PID SPARKLING_TEST_HDFS_NAMENODE_PID; do
    # Every value recorded for the variable (a retried start records several).
    recorded=$(sed -n "s/^export $var=//p" "$env_file")
    for pid in $recorded; do
        if [[ "$pid" =~ ^[0-9]+$ ]] && ours "$pid"; then
            kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
        elif [ "$pid" = "$(tail -n 1 <<<"$recorded")" ]; then
            # A server that died under the tests explains their failures.
            echo "[ci/servers] stop: $var=$pid was not running any more" >&2
        fi
    done
done

for _ in $(seq 1 100); do
    left=()
    for pid in "${pids[@]}"; do ours "$pid" && left+=("$pid"); done
    [ ${#left[@]} -eq 0 ] && break
    sleep 0.1
done
for pid in "${left[@]}"; do
    echo "[ci/servers] stop: PID $pid ignored TERM for 10 s, sending KILL" >&2
    kill -KILL "$pid" 2>/dev/null
done
[ ${#pids[@]} -gt 0 ] && echo "[ci/servers] stopped PIDs ${pids[*]}" >&2

touch "$run_dir/stopped" 2>/dev/null # tells start.sh's watchdog to exit
if [ "${SPARKLING_CI_KEEP_SERVERS_DIR:-0}" = 1 ]; then
    echo "[ci/servers] kept $run_dir" >&2
else
    rm -rf "$run_dir"
    # An env file outside the run dir is stale now: its PIDs may be reused.
    rm -f "$env_file"
fi
exit 0
