#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Screenshots of every activity of the desktop app, taken under Xvfb.
#   scripts/screenshots.sh OUT_DIR [IMAGE]
# writes OUT_DIR/{prompt,paint,edit-inpaint,edit-outpaint,edit-img2img,upscale,gallery}.png
# (English) and the same under OUT_DIR/vi/ (Vietnamese), then a fresh profile's first start
# and every page at 800 × 600 (see the end). IMAGE is opened on the Upscale page
# (default: a photo from a Debian wallpaper package, when one is installed). The app runs with
# a throw-away settings folder and gallery.
# LDM_BUILD_DIR selects the build folder (default: build).
set -euo pipefail

out=${1:?usage: scripts/screenshots.sh OUT_DIR [IMAGE]}
image=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
app=${LDM_BUILD_DIR:-$root/build}/bin/latent-canvas
[ -x "$app" ] || { echo "no $app: build the latent-canvas target first" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run missing (apt install xvfb xauth)" >&2; exit 1; }

if [ -z "$image" ]; then
  for candidate in /usr/share/backgrounds/*_by_*.jpg /usr/share/backgrounds/mate/nature/*.jpg \
                   /usr/lib/python3/dist-packages/skimage/data/chelsea.png; do
    if [ -f "$candidate" ]; then image=$candidate; break; fi
  done
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export XDG_CONFIG_HOME=$scratch/config XDG_DATA_HOME=$scratch/data XDG_RUNTIME_DIR=$scratch

mkdir -p "$out"
out=$(cd "$out" && pwd)
for lang in en vi; do
  dest=$out
  [ "$lang" = en ] || dest=$out/$lang
  xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$app" --lang "$lang" --screenshot-dir "$dest" ${image:+"$image"}
done

# A fresh profile (English): the first start, its first Generate on Prompt and Paint with the
# settings they open with (wall times printed) and every page at 800 × 600:
# first-start.png, first-prompt.png, first-paint.png, 800x600-<page>.png.
export XDG_CONFIG_HOME=$scratch/fresh/config XDG_DATA_HOME=$scratch/fresh/data
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" --lang en --first-start-dir "$out"
