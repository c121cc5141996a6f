#!/usr/bin/env bash
# Installs the Debian 12 packages Latent Canvas needs to build, test and package.
# Idempotent: apt skips what is already installed. Runs as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config ccache
  qt6-base-dev qt6-tools-dev qt6-l10n-tools libqt6svg6
  libtorch-dev libsentencepiece-dev libopencv-dev libquazip1-qt6-dev
  libyaml-cpp-dev nlohmann-json3-dev libopenblas0-openmp libjemalloc2
  libgtest-dev libpng-dev zlib1g-dev libssl-dev libutf8proc-dev
  xvfb xauth fonts-dejavu-core dpkg-dev clang
  appstream desktop-file-utils  # checks of the packaged desktop entry and metainfo
  wordnet-base  # glosses for the LDM tokenizer corpus (train-ldm)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
