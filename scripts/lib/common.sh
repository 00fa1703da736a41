# scripts/lib/common.sh - shared by scripts/run, scripts/test and scripts/bench:
# installing what is missing, building, and running PostgreSQL as an
# unprivileged user in a folder of our own. Sourced, not run.

PARTRACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PARTRACK_PACKAGES="build-essential cmake pkg-config libzmq3-dev libczmq-dev libprotobuf-c-dev
protobuf-c-compiler libpq-dev postgresql libcriterion-dev libutf8proc-dev libjansson-dev
python3 python3-yaml util-linux bc"

say() { printf '%s\n' "partrack: $*" >&2; }
die() { say "$*"; exit 1; }

# Installs the Debian packages partrack needs, if any is missing.
install_deps() {
    local missing=() p
    for p in $PARTRACK_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        die "missing packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
    fi
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install failed"
    # Debian's postgresql package starts a system cluster; ours is separate.
}

# build DIR [cmake options...]
build() {
    local dir=$1; shift
    cmake -S "$PARTRACK_ROOT" -B "$dir" "$@" >/dev/null || die "cmake configure failed"
    cmake --build "$dir" -j"$(nproc)" -- --no-print-directory >/dev/null ||
        { cmake --build "$dir" -j1 2>&1 | grep -E 'error|warning' | head -30 >&2; die "build failed"; }
}

pg_bindir() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -x "$d/initdb" ] || die "PostgreSQL server binaries not found (package postgresql)"
    echo "$d"
}

# The user PostgreSQL runs as: ourselves, or 'postgres' when we are root.
pg_user() {
    if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# pg_start DATADIR PORT SOCKETDIR [extra postgres -c settings...]
# Creates the cluster on first use (owner partrack, trust on loopback and
# the socket only), then starts it and waits until it accepts connections.
# free_port LOW HIGH: a port in [LOW, HIGH] nothing listens on (loopback).
free_port() {
    local low=$1 high=$2 port try
    for try in $(seq 50); do
        port=$(( low + RANDOM % (high - low + 1) ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    die "no free port between $low and $high"
}

pg_start() {
    local data=$1 port=$2 sock=$3; shift 3
    local bin; bin=$(pg_bindir)
    mkdir -p "$data" "$sock"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$(pg_user)" "$(dirname "$data")" "$data" "$sock"
        chmod 700 "$data"
        as_pg test -w "$data" ||
            die "$data is not reachable by the postgres user (a parent folder is private?)"
    fi
    if [ ! -f "$data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$data" -U partrack -A trust -E UTF8 --locale=C.UTF-8 \
            >"$(dirname "$data")/initdb.log" 2>&1 || { cat "$(dirname "$data")/initdb.log" >&2; die "initdb failed"; }
    fi
    local opts="-p $port -k $sock -c listen_addresses=127.0.0.1"
    local extra
    for extra in "$@"; do opts="$opts -c $extra"; done
    echo "$opts" >"$(dirname "$data")/start.opts"
    if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$data" -o "$opts" -l "$(dirname "$data")/postgres.log" -w -t 60 start \
            >/dev/null || { tail -20 "$(dirname "$data")/postgres.log" >&2; die "PostgreSQL did not start"; }
    fi
}

pg_stop() {
    local data=$1
    [ -f "$data/PG_VERSION" ] || return 0
    as_pg "$(pg_bindir)/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
}

# psql_as PORT SOCKETDIR DB SQL...
psql_run() {
    local port=$1 sock=$2 db=$3; shift 3
    psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U partrack -d "$db" "$@"
}
