// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Pixel operations on inpainting masks: Format_Grayscale8 images where 255 marks the area the
// engine fills and 0 the area it keeps exactly (the engine fills a pixel above 127). Pure
// functions, safe on any thread.

#include <QImage>

namespace ldm::ui::mask {

constexpr uchar Filled = 255;
constexpr uchar Kept = 0;

/// A mask of `size` with nothing to fill.
QImage blank(QSize size);
/// True when any pixel would be filled (above 127).
bool anyFilled(const QImage& mask);
/// Filled and kept swapped (grey levels mirrored).
QImage inverted(const QImage& mask);
/// Grows the filled area by `radius` pixels with a soft edge: full strength up to the painted
/// edge, half at `radius` beyond it (where the engine's fill rule now ends), none at twice
/// `radius`. So the new content reaches past the painted edge and blends into what is kept.
QImage feathered(const QImage& mask, int radius);

/// A mask of `size` from any image a person saved as one: its grey level, white = filled, the
/// colour channels only (as A1111 reads an uploaded mask, so the same file masks the same
/// area); scaled smoothly when the sizes differ. Null when `image` is null.
QImage fromImage(const QImage& image, QSize size);

/// Pixels added on each side of a picture when outpainting.
struct Margins
{
    int left = 0;
    int top = 0;
    int right = 0;
    int bottom = 0;
    bool isNull() const { return left <= 0 && top <= 0 && right <= 0 && bottom <= 0; }
};

/// A picture on a larger canvas and the mask of what is new.
struct GrownCanvas
{
    QImage picture; ///< Format_RGB888: the original inside, its edges extended outwards
    QImage mask;    ///< Filled over the new area, Kept over the original
};

/// Outpainting's canvas: `picture` moved in by the margins; each new pixel repeats the nearest
/// edge pixel of the original, so the engine (and the eye) start from matching colours.
GrownCanvas grow(const QImage& picture, const Margins& margins);

/// The centre of `picture` with both sides cut down to multiples of `multiple` (a model's
/// latent grid); the picture itself when they already are. Format_RGB888.
QImage cropToMultiple(const QImage& picture, int multiple);

} // namespace ldm::ui::mask
