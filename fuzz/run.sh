#!/usr/bin/env bash
# Runs every fuzz target for a few seconds each (default 20): `bash fuzz/run.sh [SECONDS]`.
# libFuzzer's instrumentation needs unstable compiler flags; RUSTC_BOOTSTRAP=1 allows them on a stable toolchain.
set -euo pipefail
seconds="${1:-20}"
cd "$(dirname "$0")"
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
target_dir="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
for target in text json rules; do
  mkdir -p "corpus/$target"
done
# The shipped rules are a seed of the rules target as they stand, not a copy that drifts.
cp ../rules/default.toml corpus/rules/default.toml
for target in text json rules; do
  RUSTC_BOOTSTRAP=1 cargo fuzz run --target-dir "$target_dir" "$target" "corpus/$target" "seeds/$target" \
    -- -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 2>&1 | tail -n 12
done
