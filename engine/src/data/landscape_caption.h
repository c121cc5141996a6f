// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Captions for procedural scenes, built from what is actually visible (pixel shares), so the
// text encoder learns words that match the picture.

#include "data/landscape_generator.h"

#include <array>
#include <cstdint>
#include <string>

namespace ldm::data {

/// Every class covering at least this fraction of the frame is named in the caption.
constexpr float CaptionRequiredShare = 0.06f;

/// What a caption may talk about.
struct CaptionFacts
{
    std::array<float, LandscapeClassCount> share{}; ///< fraction of pixels per class
    float mountainSnow = 0.0f; ///< fraction of pixels that are snow on mountain ranges
    float mountainRock = 0.0f; ///< fraction of pixels that are cliffs of mountain ranges
    float pathDirt = 0.0f;     ///< fraction of pixels that are dirt tracks
    bool sea = false;          ///< the water is the open sea (else a lake)
    bool conifers = false;
    bool dunes = false;
    TimeOfDay time = TimeOfDay::Day;
    Season season = Season::Summer;
    uint64_t seed = 0; ///< picks among equivalent phrasings
};

/// A short English caption, e.g. "snowy mountains above a lake at sunset".
std::string makeLandscapeCaption(const CaptionFacts& facts);

} // namespace ldm::data
