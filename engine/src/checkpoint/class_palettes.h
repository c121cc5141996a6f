// SPDX-License-Identifier: GPL-3.0-or-later
// Class palettes the engine knows without a file: the COCO-Stuff classes of the CompVis
// semantic-synthesis models, compiled in from resources/palettes/cocostuff.json (beside our
// landscape palette) so a release checkpoint paints with names and colours wherever it runs.
#pragma once

#include "checkpoint/ldm_config.h"

#include <string>
#include <vector>

namespace ldm {

/// Channels of a COCO-Stuff map: labels 1..182 of COCO-Stuff's labels.txt, 0-based.
inline constexpr int64_t CocoStuffClassCount = 182;

/// The COCO-Stuff classes in palette order (landscape classes first); id i is COCO-Stuff
/// label i + 1 ("sky-other" = 156, "tree" = 168).
const std::vector<SemanticClass>& cocoStuffClasses();

/// Reads a palette file's text ({"name": ..., "classes": [{"id", "name", "color"}, ...]}).
/// Ids must be 0..255 and unique, colours "#rrggbb" and distinct.
Result<std::vector<SemanticClass>> parsePaletteJson(const std::string& text);

} // namespace ldm
