#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Times the same txt2img with 1, 2 and automatic threads while another process keeps one core busy, with the
# programs' default OpenMP wait policy (passive) and with libgomp's own default (spin, then sleep;
# an empty OMP_WAIT_POLICY keeps the programs from choosing), to check
# that 2 threads are never much slower than 1 on a loaded 2-core machine.
# Usage: scripts/bench-busy-core.sh [CLI] [repeats]
set -euo pipefail
cli="${1:-build/bin/latent-canvas-cli}"
repeats="${2:-3}"
args=(txt2img --prompt "mountains above a lake" --seed 1 --steps 20 --out /tmp/ldm-busy-core.png)

busy() { while :; do :; done; }
busy & busy_pid=$!
trap 'kill $busy_pid 2>/dev/null' EXIT

best() { # prints the best wall time of $repeats runs of "$@"
  local best_s=""
  for _ in $(seq "$repeats"); do
    local t0 t1 s
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc)
    if [ -z "$best_s" ] || [ "$(echo "$s < $best_s" | bc)" = 1 ]; then best_s=$s; fi
  done
  printf '%.2f' "$best_s"
}

echo "load before the busy loop: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "policy     threads=1  threads=2  auto       2-thread / 1-thread speed  auto / 1-thread"
for policy in passive libgomp; do
  envs=()
  [ "$policy" = libgomp ] && envs=(OMP_WAIT_POLICY=)
  t1=$(best env "${envs[@]}" "$cli" "${args[@]}" --threads 1)
  t2=$(best env "${envs[@]}" "$cli" "${args[@]}" --threads 2)
  ta=$(best env -u LDM_THREADS "${envs[@]}" "$cli" "${args[@]}" --threads 0) # 0: automatic
  printf '%-10s %8ss %8ss %8ss   %.2fx                      %.2fx\n' "$policy" "$t1" "$t2" "$ta" \
    "$(echo "$t1 / $t2" | bc -l)" "$(echo "$t1 / $ta" | bc -l)"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
