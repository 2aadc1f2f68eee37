#!/bin/sh
# End-to-end throughput, latency and memory of `steward proxy` (TCP -> proxy -> TCP), side by side
# with a plain socat TCP relay on the same input. Run from the repository root:
#   benches/proxy-vs-socat.sh            (BENCH_MB=512 by default; BENCH_CONNS="1 4 64 256")
# Needs python3 and socat (installed with apt-get when missing and running as root).
set -eu
cd "$(dirname "$0")/.."
command -v socat >/dev/null 2>&1 || (apt-get update && apt-get install -y socat)
command -v python3 >/dev/null 2>&1 || (apt-get update && apt-get install -y python3)
MB="${BENCH_MB:-512}"
CONNS="${BENCH_CONNS:-1 4 64 256}"
LAT_SECS="${BENCH_LATENCY_SECS:-5}"
cargo build --release --quiet
BIN="${CARGO_TARGET_DIR:-target}/release/steward"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
INPUT="$WORK/input.jsonl"
python3 benches/proxy_bench.py gen "$INPUT" "$MB"
echo "# input: $(du -m "$INPUT" | cut -f1) MB of ~200-byte JSON lines; machine: $(nproc) cores"
PROXY="$BIN proxy --listen 127.0.0.1:{listen} --forward tcp://127.0.0.1:{sink} --admin off"
RELAY="socat TCP-LISTEN:{listen},reuseaddr,fork TCP:127.0.0.1:{sink}"
for c in $CONNS; do
  printf 'steward %s ' "$c"; STEWARD_LOG=warn python3 benches/proxy_bench.py throughput "$INPUT" "$c" -- $PROXY
  printf 'socat   %s ' "$c"; python3 benches/proxy_bench.py throughput "$INPUT" "$c" -- $RELAY
done
# Latency at half load: half of the proxy's 4-connection throughput, over 4 connections.
HALF="${BENCH_HALF_MBPS:-$(python3 benches/proxy_bench.py throughput "$INPUT" 4 -- $PROXY | python3 -c 'import json,sys; print(json.load(sys.stdin)["MB_per_s"]/2)')}"
printf 'steward latency '; python3 benches/proxy_bench.py latency "$HALF" 4 "$LAT_SECS" -- $PROXY
printf 'socat   latency '; python3 benches/proxy_bench.py latency "$HALF" 4 "$LAT_SECS" -- $RELAY
