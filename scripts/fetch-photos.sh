#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fetches the real photographs used to train the default models from three Debian wallpaper
# packages, without installing anything: apt-get download + dpkg -x into a work folder, then the
# curated photos (no abstract art, judged by looking at each one) are copied to data/photos/ with
# a train/val split in data/photos/split.txt. Licences and authors: resources/models/DATA_CARD.md.
#
# Usage: scripts/fetch-photos.sh [--work DIR] [--out DIR] [--taming-repo DIR]
#   --work DIR         where .debs are downloaded and unpacked (default: data/.cache/photo-debs)
#   --out DIR          where photos go (default: data/photos)
#   --taming-repo DIR  also add the ~90 real photos in a CompVis/taming-transformers clone's
#                      data/ folder (S-FLCKR landscapes, COCO and ADE20K scenes) to the train
#                      split; DIR is a work tree or a bare git directory
# Idempotent: downloads are reused; the output folder is rewritten.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/data/.cache/photo-debs"
out="$root/data/photos"
taming=""
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --taming-repo) taming="$2"; shift 2 ;;
    -h|--help) sed -n '3,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

packages=(lomiri-wallpapers-16.04 plasma-workspace-wallpapers mate-backgrounds)

# package | path inside the package | file name in data/photos
# Excluded as not photographs: lomiri analogpattern and umang (abstract), plasma Autumn (painting),
# PastelHills (vector), and every render/illustration in plasma and mate's abstract/ and desktop/.
photos="
lomiri-wallpapers-16.04|usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg|Bridge_by_Sander_Klootwijk.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/Dragonfly_by_Bolly.jpg|Dragonfly_by_Bolly.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/Picture_0B_by_freespace.jpg|Picture_0B_by_freespace.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/Picture_1A_by_freespace.jpg|Picture_1A_by_freespace.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/Wine_by_Jakkub_Mede.jpg|Wine_by_Jakkub_Mede.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/aitzgorri_by_Aitzol_Berasategi.jpg|aitzgorri_by_Aitzol_Berasategi.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/free_by_Peter_Nerlich.jpg|free_by_Peter_Nerlich.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/friends_by_Aitzol_Berasategi.jpg|friends_by_Aitzol_Berasategi.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/greentock_by_Peter_Nerlich.jpg|greentock_by_Peter_Nerlich.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/life_by_Aitzol_Berasategi.jpg|life_by_Aitzol_Berasategi.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg|picosdeeuropa_by_Aitzol_Berasategi.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg|seeding_by_Clements_Engelhardt.jpg
lomiri-wallpapers-16.04|usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg|sunset_by_Aitzol_Berasategi.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/BytheWater/contents/images/2560x1600.jpg|plasma_BytheWater.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/ColdRipple/contents/images/2560x1600.jpg|plasma_ColdRipple.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg|plasma_ColorfulCups.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/DarkestHour/contents/images/2560x1600.jpg|plasma_DarkestHour.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/EveningGlow/contents/images/2560x1600.jpg|plasma_EveningGlow.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/FallenLeaf/contents/images/2560x1600.jpg|plasma_FallenLeaf.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/Grey/contents/images/2560x1600.jpg|plasma_Grey.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/Kite/contents/images/2560x1600.jpg|plasma_Kite.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/OneStandsOut/contents/images/2560x1600.jpg|plasma_OneStandsOut.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/Path/contents/images/2560x1600.jpg|plasma_Path.jpg
plasma-workspace-wallpapers|usr/share/wallpapers/summer_1am/contents/images/2560x1600.jpg|plasma_summer_1am.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Aqua.jpg|mate_Aqua.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Blinds.jpg|mate_Blinds.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Dune.jpg|mate_Dune.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/FreshFlower.jpg|mate_FreshFlower.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Garden.jpg|mate_Garden.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/GreenMeadow.jpg|mate_GreenMeadow.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/LadyBird.jpg|mate_LadyBird.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/RainDrops.jpg|mate_RainDrops.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Storm.jpg|mate_Storm.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/TwoWings.jpg|mate_TwoWings.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/Wood.jpg|mate_Wood.jpg
mate-backgrounds|usr/share/backgrounds/mate/nature/YellowFlower.jpg|mate_YellowFlower.jpg
"

# Held out for validation: two mountain/forest landscapes, a grass close-up (the same three the
# feasibility study held out), a lake at dawn and a macro shot.
val="picosdeeuropa_by_Aitzol_Berasategi.jpg plasma_Path.jpg mate_GreenMeadow.jpg plasma_ColdRipple.jpg mate_LadyBird.jpg"

mkdir -p "$work/debs" "$work/extract"
for p in "${packages[@]}"; do
  if ! ls "$work/debs/${p}_"*.deb >/dev/null 2>&1; then
    echo "downloading $p"
    # apt may warn that it downloads unsandboxed when run as root; harmless here.
    (cd "$work/debs" && apt-get download -q "$p" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
    ls "$work/debs/${p}_"*.deb >/dev/null 2>&1 || { echo "download of $p failed" >&2; exit 1; }
  fi
  if [ ! -d "$work/extract/$p" ]; then
    dpkg -x "$(ls "$work/debs/${p}_"*.deb | head -n1)" "$work/extract/$p.partial"
    mv "$work/extract/$p.partial" "$work/extract/$p"
  fi
done

rm -rf "$out"
mkdir -p "$out/licenses"
count=0
while IFS='|' read -r pkg path name; do
  [ -n "$pkg" ] || continue
  src="$work/extract/$pkg/$path"
  [ -f "$src" ] || { echo "missing $path in $pkg (package layout changed?)" >&2; exit 1; }
  cp "$src" "$out/$name"
  count=$((count + 1))
done <<< "$photos"

# Keep the licence texts and per-wallpaper metadata beside the photos for attribution.
for p in "${packages[@]}"; do
  cp "$work/extract/$p/usr/share/doc/$p/copyright" "$out/licenses/$p.copyright"
done
for m in "$work/extract/plasma-workspace-wallpapers/usr/share/wallpapers/"*/metadata.json; do
  n="$(basename "$(dirname "$m")")"
  [ -f "$out/plasma_$n.jpg" ] && cp "$m" "$out/licenses/plasma_$n.metadata.json"
done

# Extra training photos from taming-transformers' data/ (its ImageNet-derived drin_images are
# left out: ImageNet's terms do not allow redistribution of derived work). Prefixes keep the
# names apart from the wallpapers; none of them is ever a validation photo.
if [ -n "$taming" ]; then
  for set in sflckr_images coco_images ade20k_images; do
    if [ -d "$taming/data/$set" ]; then
      files=$(cd "$taming/data/$set" && find . -type f \( -iname '*.jpg' -o -iname '*.png' \) | sed 's|^\./||')
      read_file() { cat "$taming/data/$set/$1"; }
    else
      files=$(git --git-dir "$taming" ls-tree -r --name-only HEAD "data/$set" | sed "s|^data/$set/||")
      read_file() { git --git-dir "$taming" show "HEAD:data/$set/$1"; }
    fi
    [ -n "$files" ] || { echo "no $set in $taming" >&2; exit 1; }
    while IFS= read -r f; do
      name="taming_${set%_images}_$(echo "$f" | tr '/' '_')"
      name="${name%.*}.jpg"
      read_file "$f" > "$out/$name"
      count=$((count + 1))
    done <<< "$files"
  done
fi

{
  echo "# split<TAB>file, relative to this folder. Written by scripts/fetch-photos.sh."
  for f in $(cd "$out" && ls *.jpg | sort); do
    s=train
    for v in $val; do [ "$f" = "$v" ] && s=val; done
    printf '%s\t%s\n' "$s" "$f"
  done
} > "$out/split.txt"

ntrain=$(grep -c '^train' "$out/split.txt")
nval=$(grep -c '^val' "$out/split.txt")
[ "$nval" -eq 5 ] || { echo "expected 5 validation photos, got $nval" >&2; exit 1; }
echo "copied $count photos to $out ($ntrain train, $nval val)"
