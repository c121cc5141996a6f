#!/usr/bin/env bash
# Times one UNet step with each CPU speed-up switched on in turn, every variant in its own
# process (BLAS and malloc are chosen when a process starts), and prints a table of ratios
# against the first row. Usage:
#   scripts/bench-speedups.sh [MODEL] [WIDTH] [HEIGHT] [STEPS]    (default: small_unet 256 256 5)
# Needs a built build/bin/latent-canvas-cli, jq, the netlib reference BLAS (libblas3, for the
# "before OpenBLAS" row) and libjemalloc2.
set -euo pipefail
cd "$(dirname "$0")/.."
model="${1:-small_unet}"; width="${2:-256}"; height="${3:-256}"; steps="${4:-5}"
cli=build/bin/latent-canvas-cli
libdir=/usr/lib/x86_64-linux-gnu
netlib="$libdir/blas"                 # reference BLAS, ahead of the OpenBLAS alternative
jemalloc="$libdir/libjemalloc.so.2"

# run NAME ENV... -- BENCH-ARGS...
run() {
  local name="$1"; shift
  local envs=()
  while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done
  shift
  local json
  json=$(env "${envs[@]}" "$cli" bench --model "$model" --width "$width" --height "$height" \
           --steps "$steps" --warmup 1 --decode-runs 0 --no-peak --json "$@")
  local median
  median=$(jq -r '.unet.median_s' <<<"$json")
  printf '%s\t%s\n' "$name" "$median"
}

{
  run "reference BLAS, glibc malloc, fp32, unblocked attention" \
      LD_LIBRARY_PATH="$netlib" LDM_ATTENTION_BLOCK_ELEMENTS=0 -- --precision fp32
  run "+ OpenBLAS" LDM_ATTENTION_BLOCK_ELEMENTS=0 -- --precision fp32
  run "+ blocked attention" LDM_BENCH_UNUSED=1 -- --precision fp32
  run "+ jemalloc" LD_PRELOAD="$jemalloc" -- --precision fp32
  run "+ channels_last" LD_PRELOAD="$jemalloc" -- --precision fp32 --channels-last
  run "+ bf16 autocast (oneDNN)" LD_PRELOAD="$jemalloc" -- --precision bf16 --channels-last
  run "bf16, NCHW, glibc malloc" LDM_BENCH_UNUSED=1 -- --precision bf16
} | awk -F'\t' -v model="$model" -v size="${width}x${height}" '
  BEGIN { printf "%s at %s, seconds per UNet step (median)\n", model, size }
  NR == 1 { base = $2 }
  { printf "  %-58s %8.3f s  %5.2fx\n", $1, $2, base / $2 }'
