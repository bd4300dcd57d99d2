#!/usr/bin/env bash
# Install everything the loopback test servers need. Idempotent: a second run
# on the same machine only checks what is already there (no network, ~0 s).
#
#   nginx-light, Jersey 1, curl   Debian packages (apt-get update only when one is missing)
#   s3s-fs 0.14.1                 cargo install --root "$CACHE"      -> $CACHE/bin/s3s-fs
#   Hadoop 2.7.3 server jars      from the pyspark 2.4.8 sdist (pip) -> $CACHE/hadoop/jars
#
# CACHE is ${SPARKLING_CI_CACHE:-$HOME/.cache/sparkling-ci}. The s3s-fs build
# uses a throw-away target dir unless SPARKLING_CI_TOOLS_TARGET_DIR names one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR
source "$here/common.sh"

mkdir -p "$CACHE"
# Two checkouts on one machine may run this at once: one installs, the other waits.
exec 9>"$CACHE/.install.lock"
flock 9
t_all=$(now)

# --------------------------------------------------------------- Debian ----
apt_install() {
    local t0 missing=() pkg
    t0=$(now)
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
    command -v curl >/dev/null 2>&1 || missing+=(curl ca-certificates)
    python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
    if [ ${#missing[@]} -eq 0 ]; then
        log "apt: all present (${APT_PACKAGES[*]})"
        return
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
    log "apt: installing ${missing[*]}"
    # Keep the packages' maintainer scripts from starting a system nginx on
    # port 80: invoke-rc.d asks policy-rc.d first (101 = action forbidden).
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
        "${sudo[@]}" chmod 755 /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    {
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                --no-install-recommends "${missing[@]}" >/dev/null
    } || rc=$?
    if [ "$made_policy" = 1 ]; then "${sudo[@]}" rm -f /usr/sbin/policy-rc.d; fi
    [ "$rc" -eq 0 ] || die "apt-get install ${missing[*]} failed (exit $rc)"
    log "apt: done in $(since "$t0")"
}

# ---------------------------------------------------------------- s3s-fs ----
s3s_installed() {
    [ -x "$S3S_BIN" ] && grep -q "\"s3s-fs $S3S_VERSION " "$CACHE/.crates.toml" 2>/dev/null
}

s3s_install() {
    local t0
    t0=$(now)
    if s3s_installed; then
        log "s3s-fs $S3S_VERSION: present ($S3S_BIN)"
        return
    fi
    log "s3s-fs $S3S_VERSION: cargo install (a few minutes)"
    local target=()
    if [ -n "${SPARKLING_CI_TOOLS_TARGET_DIR:-}" ]; then
        target=(--target-dir "$SPARKLING_CI_TOOLS_TARGET_DIR")
    fi
    # The project's CARGO_TARGET_DIR must not receive this unrelated build.
    env -u CARGO_TARGET_DIR -u RUSTFLAGS cargo install s3s-fs --version "$S3S_VERSION" \
        --features binary --locked --root "$CACHE" "${target[@]}" --quiet ||
        die "cargo install s3s-fs $S3S_VERSION failed"
    s3s_installed || die "cargo install finished but $S3S_BIN is missing"
    log "s3s-fs $S3S_VERSION: done in $(since "$t0")"
}

# ------------------------------------------------------------ Hadoop jars ----
hadoop_jars_installed() {
    [ -f "$HADOOP_JARS/.complete" ] || return 1
    local jar
    for jar in "${HADOOP_JAR_NAMES[@]}"; do
        [ -f "$HADOOP_JARS/$jar.jar" ] || return 1
    done
}

hadoop_jars_install() {
    local t0
    t0=$(now)
    if hadoop_jars_installed; then
        log "hadoop jars: present ($HADOOP_JARS)"
        return
    fi
    log "hadoop jars: pip download pyspark==$PYSPARK_VERSION sdist (~220 MB)"
    rm -rf "$CACHE"/download.* # left over by an interrupted run
    local dl
    dl="$(mktemp -d "$CACHE/download.XXXXXX")"
    # pyspark 2.4.8's setup.py (run by pip for the metadata) needs pypandoc < 1.8.
    echo 'pypandoc<1.8' >"$dl/constraints.txt"
    if ! PIP_CONSTRAINT="$dl/constraints.txt" PIP_NO_INPUT=1 python3 -m pip download \
        --quiet --no-cache-dir --no-deps --no-binary pyspark "pyspark==$PYSPARK_VERSION" -d "$dl/dist" \
        >"$dl/pip.log" 2>&1; then
        tail -n 30 "$dl/pip.log" >&2
        rm -rf "$dl"
        die "pip download pyspark==$PYSPARK_VERSION failed"
    fi
    local members=() jar
    for jar in "${HADOOP_JAR_NAMES[@]}"; do
        members+=("pyspark-$PYSPARK_VERSION/deps/jars/$jar.jar")
    done
    mkdir -p "$dl/x"
    tar -xzf "$dl/dist/pyspark-$PYSPARK_VERSION.tar.gz" -C "$dl/x" "${members[@]}" ||
        { rm -rf "$dl"; die "extracting jars from pyspark-$PYSPARK_VERSION.tar.gz failed"; }
    rm -rf "$HADOOP_JARS"
    mkdir -p "$(dirname "$HADOOP_JARS")"
    mv "$dl/x/pyspark-$PYSPARK_VERSION/deps/jars" "$HADOOP_JARS"
    rm -rf "$dl" # the 220 MB download
    printf '%s\n' "${HADOOP_JAR_NAMES[@]}" >"$HADOOP_JARS/.complete"
    hadoop_jars_installed || die "hadoop jars incomplete in $HADOOP_JARS"
    log "hadoop jars: ${#HADOOP_JAR_NAMES[@]} jars ($(du -sh "$HADOOP_JARS" | cut -f1)) in $(since "$t0")"
}

apt_install
# The jar download is network-bound and the s3s-fs build CPU-bound: overlap them.
jars_log="$(mktemp)"
hadoop_jars_install >"$jars_log" 2>&1 &
jars_pid=$!
# Whatever happens to s3s-fs, let the download finish (or fail) and show its log.
trap 'wait "$jars_pid" 2>/dev/null; cat "$jars_log" >&2; rm -f "$jars_log"' EXIT
s3s_install
jars_rc=0
wait "$jars_pid" || jars_rc=$?
trap - EXIT
cat "$jars_log" >&2
rm -f "$jars_log"
[ "$jars_rc" -eq 0 ] || die "installing the hadoop jars failed (see above)"

for jar in "${JERSEY_JARS[@]}"; do
    [ -f "$jar" ] || die "missing $jar (Debian's Jersey 1 packages)"
done
log "install: everything present in $(since "$t_all") (cache: $CACHE)"
