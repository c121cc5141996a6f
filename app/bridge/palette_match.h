// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Carrying a painted map from one class palette to another by class name: our landscape
// palette, COCO-Stuff (the CompVis semantic-synthesis releases) and ADE20K (segmentation
// ControlNets) name the same things differently ("sky" / "sky-other", "forest" / "tree",
// "dirt" / "earth"), so names are compared after a small normalisation.

#include "class_palette.h"

#include <QStringList>

#include <array>

namespace ldm::bridge {

/// For every id of one palette, the class of another palette that means the same.
struct PaletteMatch
{
    std::array<int, 256> target; ///< new id for each old id; -1: no class of that name
    PaletteMatch() { target.fill(-1); }
};

/// The name two palettes' classes are compared by: lower case, COCO-Stuff's "-other" and
/// "-stuff" suffixes dropped, and the few synonyms between the palettes made one word
/// ("forest" and "palm" are "tree", "earth" is "dirt", "windowpane" is "window", ...).
QString canonicalClassName(const QString& name);

/// Matches every class of `from` to `to`: the class of the same name first (any case), else
/// the first class of `to` (in palette order) with the same canonical name.
PaletteMatch matchPalettes(const ClassPalette& from, const ClassPalette& to);

/// A palette bundled with the app: "landscape", "cocostuff" or "ade20k" (the resources
/// compiled in from resources/palettes/); empty for another key.
ClassPalette bundledPalette(const QString& key);

/// The two "classes" of a scribble: white paper (id 0) and black strokes (id 1). A scribble
/// ControlNet reads the strokes as white on black (lllyasviel's scribble convention); see
/// scribbleHint().
ClassPalette scribblePalette();

/// Name of the scribble palette (ClassPalette::name()).
inline constexpr const char* ScribblePaletteName = "scribble";
/// Class ids of scribblePalette().
inline constexpr int ScribblePaper = 0;
inline constexpr int ScribbleStroke = 1;

} // namespace ldm::bridge
