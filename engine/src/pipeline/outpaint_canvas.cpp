// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/outpaint_canvas.h"

#include "core/input_limits.h"

#include <algorithm>
#include <string>
#include <utility>

namespace ldm {
namespace {

Error invalid(const std::string& message)
{
    return makeError(ErrorCode::InvalidRequest, message);
}

/// Rounds the growth of one axis so that `side + before + after` is a multiple of `factor`;
/// false when the axis does not grow and the side is not a multiple.
bool roundAxis(int side, int& before, int& after, int factor)
{
    const int64_t total = int64_t(side) + before + after;
    const int extra = int((factor - total % factor) % factor);
    if (extra == 0)
        return true;
    if (before == 0 && after == 0)
        return false;
    (after > 0 ? after : before) += extra;
    return true;
}

} // namespace

Result<OutpaintCanvas> makeOutpaintCanvas(const RgbImage& input, const CanvasGrowth& requested,
                                          int factor, int maxSide)
{
    if (input.empty() || input.pixels.size() != size_t(input.width) * size_t(input.height) * 3)
        return invalid("no input image to extend");
    CanvasGrowth g = requested;
    for (auto [value, side] :
         {std::pair{g.left, "left"}, {g.right, "right"}, {g.top, "top"}, {g.bottom, "bottom"}}) {
        if (value < 0)
            return invalid("the " + std::string(side) + " growth is " + std::to_string(value) +
                           " pixels; growth cannot be negative (crop the image instead)");
        if (value > maxSide)
            return invalid("the " + std::string(side) + " growth of " + std::to_string(value) +
                           " pixels is beyond the largest side of " + std::to_string(maxSide));
    }
    if (!g.any())
        return invalid("nothing to grow: give at least one of left, right, top, bottom in "
                       "pixels");
    const std::string size = std::to_string(input.width) + "x" + std::to_string(input.height);
    if (!roundAxis(input.width, g.left, g.right, factor))
        return invalid("the input is " + size +
                       " and its width does not grow; this model needs "
                       "sides that are multiples of " +
                       std::to_string(factor) + " (grow left or right, or crop the image)");
    if (!roundAxis(input.height, g.top, g.bottom, factor))
        return invalid("the input is " + size +
                       " and its height does not grow; this model "
                       "needs sides that are multiples of " +
                       std::to_string(factor) + " (grow top or bottom, or crop the image)");
    const int64_t width = int64_t(input.width) + g.left + g.right;
    const int64_t height = int64_t(input.height) + g.top + g.bottom;
    const int64_t largest = std::min<int64_t>(maxSide, limits::MaxImageSide);
    if (width > largest || height > largest || width * height > limits::MaxImagePixels)
        return invalid("growing the " + size + " image gives " + std::to_string(width) + "x" +
                       std::to_string(height) + "; the largest accepted side is " +
                       std::to_string(largest) + " pixels (grow less)");

    OutpaintCanvas canvas;
    canvas.growth = g;
    canvas.image = {int(width), int(height), std::vector<uint8_t>(size_t(width * height) * 3)};
    canvas.mask = {int(width), int(height), std::vector<uint8_t>(size_t(width * height) * 3, 0)};
    for (int64_t y = 0; y < height; ++y) {
        const int64_t sourceY = std::clamp<int64_t>(y - g.top, 0, input.height - 1);
        const bool rowInside = y >= g.top && y < g.top + input.height;
        for (int64_t x = 0; x < width; ++x) {
            const int64_t sourceX = std::clamp<int64_t>(x - g.left, 0, input.width - 1);
            const size_t to = size_t(y * width + x) * 3;
            const size_t from = size_t(sourceY * input.width + sourceX) * 3;
            std::copy_n(input.pixels.begin() + std::ptrdiff_t(from), 3,
                        canvas.image.pixels.begin() + std::ptrdiff_t(to));
            const bool inside = rowInside && x >= g.left && x < g.left + input.width;
            if (!inside)
                std::fill_n(canvas.mask.pixels.begin() + std::ptrdiff_t(to), 3, uint8_t(255));
        }
    }
    return canvas;
}

} // namespace ldm
