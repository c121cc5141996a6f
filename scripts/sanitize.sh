#!/usr/bin/env bash
# The engine's unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, in their own build
# folder (build-sanitize; the ordinary build is untouched). Usage:
#   scripts/sanitize.sh [ctest arguments...]       e.g. scripts/sanitize.sh -R tst_hostile
# Environment: JOBS (default: all cores), BUILD_DIR (default: build-sanitize),
# TARGETS (default: every engine unit test below).
#
# Left out, and why:
#  - tests that load the sentencepiece module (tst_tokenizer, and tests that run a model with a
#    sentencepiece tokenizer): the module is opened with RTLD_DEEPBIND (see the README on the
#    protobuf clash), which the sanitizer runtime refuses;
#  - the Qt app and its tests (-DLDM_BUILD_APP=OFF): Qt is not instrumented, and the bridge's
#    untrusted input (images, archives) is bounded by the same engine helpers tested here.
# LibTorch is not instrumented either: container-overflow checks across its boundary give false
# reports, so they are off; leaks at exit (LibTorch's and OpenMP's caches) are not reported.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build-sanitize}"
jobs="${JOBS:-$(nproc)}"
targets="${TARGETS:-tst_safetensors tst_ckpt tst_yaml_config tst_recipe tst_prompt tst_first_stage \
tst_unet tst_conditioning tst_flop_count tst_ksamplers tst_label_maps tst_hostile_input}"

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLDM_SANITIZE=ON \
  -DLDM_BUILD_APP=OFF -DLDM_PRECOMPILED_HEADERS=ON
# shellcheck disable=SC2086 # a list of target names
cmake --build "$build" --parallel "$jobs" --target $targets

export ASAN_OPTIONS="detect_leaks=0:detect_container_overflow=0:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
regex="^($(echo "$targets" | tr -s ' ' '|'))\$"
start=$(date +%s)
# tst_hostile_input's HostileCheckpoints suite trains a sentencepiece tokenizer for its tiny
# text model, so it needs the module: filtered out here (the rest of the binary runs).
export GTEST_FILTER="${GTEST_FILTER:--HostileCheckpoints.*}"
ctest --test-dir "$build" -R "$regex" --output-on-failure --timeout 3600 "$@"
echo "sanitized unit tests: $(( $(date +%s) - start )) s wall"
