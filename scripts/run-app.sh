#!/usr/bin/env bash
# Installs the Debian packages, builds the app and starts it on the shipped default models.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build --parallel "$(nproc)" --target latent-canvas latent-canvas-cli
exec ./build/bin/latent-canvas "$@"
