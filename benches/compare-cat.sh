#!/usr/bin/env bash
# Throughput of `steward redact` next to `cat` on the same input: a 1 GiB mixed log (plain + JSON lines, about
# 1 line in 20 with personal data) and a 1 GiB pure-JSON log, both generated with a fixed seed.
#
# Usage: benches/compare-cat.sh [BYTES]
#   env: RUNS (default 3), SEED (default 7), CARGO_TARGET_DIR (default target), TMPDIR (where the inputs go),
#        STEWARD (an already built steward binary: skips the build),
#        SINK (where outputs go; default a file in the temp dir; SINK=/dev/null takes the disk out of the figure)
# Pins both commands to CPU 0 with taskset when available (one core); uses hyperfine when installed, else a
# plain timing loop. Prints MB/s (10^6 bytes per second of input) for each, the ratio, and steward's peak RSS.
# Needs about 3 x BYTES of free space under TMPDIR; everything is removed at exit.
set -euo pipefail

cd "$(dirname "$0")/.."

BYTES=${1:-${BYTES:-1073741824}}
RUNS=${RUNS:-3}
SEED=${SEED:-7}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${STEWARD:-}" ]; then
    STEWARD="$TARGET_DIR/release/steward"
    echo "== building steward (release)"
    cargo build --release --bin steward
fi

if [ ! -x /usr/bin/time ]; then
    echo "== /usr/bin/time missing: installing the 'time' package"
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq time
    elif command -v sudo >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq time
    fi
fi

TMP=$(mktemp -d "${TMPDIR:-/tmp}/steward-compare-cat.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
SINK=${SINK:-$TMP/out}

PIN=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    PIN=(taskset -c 0)
    echo "== pinned to CPU 0 (taskset -c 0)"
else
    echo "== taskset unavailable: commands are not pinned to one core"
fi

echo "== generating $BYTES bytes of mixed log and of pure-JSON log (seed $SEED)"
"$STEWARD" corpus mixed-log --bytes "$BYTES" --seed "$SEED" --out "$TMP/mixed.log"
"$STEWARD" corpus mixed-log --bytes "$BYTES" --seed "$SEED" --json-only --out "$TMP/json.log"

# mbps SIZE SECONDS
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / s / 1e6; else print "inf" }'; }

# time_runs NAME INPUT CMD... : prints the median seconds of RUNS runs of `CMD < INPUT > $SINK`.
time_runs() {
    local name=$1 input=$2
    shift 2
    if command -v hyperfine >/dev/null; then
        local quoted
        quoted=$(printf '%q ' "$@")
        hyperfine --style none --warmup 1 --runs "$RUNS" --command-name "$name" \
            --export-csv "$TMP/hyperfine.csv" "$quoted < '$input' > '$SINK'" >&2
        awk -F, 'NR == 2 { print $4 }' "$TMP/hyperfine.csv"
        return
    fi
    local times=() i t0 t1
    for ((i = 1; i <= RUNS; i++)); do
        t0=$(date +%s.%N)
        "$@" <"$input" >"$SINK"
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
        echo "   $name run $i: ${times[-1]} s" >&2
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

peak_rss_kb() {
    local input=$1
    /usr/bin/time -v -o "$TMP/time.txt" "${PIN[@]}" "$STEWARD" redact <"$input" >"$SINK" 2>/dev/null
    awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$TMP/time.txt"
}

compare() {
    local label=$1 input=$2 size cat_s steward_s cat_mbps steward_mbps rss
    size=$(wc -c <"$input")
    cat "$input" >/dev/null # warm the page cache
    echo "== $label: $size bytes, $RUNS runs each (median)"
    cat_s=$(time_runs cat "$input" "${PIN[@]}" cat)
    steward_s=$(time_runs steward "$input" "${PIN[@]}" "$STEWARD" redact)
    cat_mbps=$(mbps "$size" "$cat_s")
    steward_mbps=$(mbps "$size" "$steward_s")
    rss=""
    if [ -x /usr/bin/time ]; then
        rss=$(peak_rss_kb "$input")
    fi
    printf '%-10s %-8s %10.4f s %10s MB/s\n' "$label" cat "$cat_s" "$cat_mbps"
    printf '%-10s %-8s %10.4f s %10s MB/s\n' "$label" steward "$steward_s" "$steward_mbps"
    awk -v c="$cat_s" -v s="$steward_s" -v l="$label" \
        'BEGIN { if (c > 0) printf "%-10s steward/cat throughput ratio %.3f (steward takes %.1fx the time of cat)\n", l, c / s, s / c }'
    if [ -n "$rss" ]; then
        awk -v k="$rss" -v l="$label" 'BEGIN { printf "%-10s steward peak RSS %.1f MiB\n", l, k / 1024 }'
    fi
    rm -f "$TMP/out"
}

echo "== outputs go to $SINK"

compare mixed "$TMP/mixed.log"
compare json "$TMP/json.log"
