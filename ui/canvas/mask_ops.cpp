// SPDX-License-Identifier: GPL-3.0-or-later
#include "mask_ops.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace ldm::ui::mask {

namespace {

QImage asGrey(const QImage& image)
{
    return image.format() == QImage::Format_Grayscale8
               ? image
               : image.convertToFormat(QImage::Format_Grayscale8);
}

// One pass of a separable filter over rows (horizontal) or columns: `apply` maps a line of
// values to the filtered line.
template <typename Apply> void filterLines(QImage& image, bool horizontal, Apply apply)
{
    const int length = horizontal ? image.width() : image.height();
    const int lines = horizontal ? image.height() : image.width();
    std::vector<int> in(static_cast<size_t>(length));
    std::vector<int> out(static_cast<size_t>(length));
    for (int line = 0; line < lines; ++line) {
        for (int i = 0; i < length; ++i)
            in[size_t(i)] =
                horizontal ? image.constScanLine(line)[i] : image.constScanLine(i)[line];
        apply(in, out);
        for (int i = 0; i < length; ++i) {
            const auto value = static_cast<uchar>(std::clamp(out[size_t(i)], 0, 255));
            if (horizontal)
                image.scanLine(line)[i] = value;
            else
                image.scanLine(i)[line] = value;
        }
    }
}

void maxFilter(QImage& image, int radius)
{
    const auto apply = [radius](const std::vector<int>& in, std::vector<int>& out) {
        const int n = static_cast<int>(in.size());
        for (int i = 0; i < n; ++i) {
            int best = 0;
            for (int j = std::max(0, i - radius); j <= std::min(n - 1, i + radius) && best < 255;
                 ++j)
                best = std::max(best, in[size_t(j)]);
            out[size_t(i)] = best;
        }
    };
    filterLines(image, true, apply);
    filterLines(image, false, apply);
}

void boxBlur(QImage& image, int radius)
{
    const auto apply = [radius](const std::vector<int>& in, std::vector<int>& out) {
        const int n = static_cast<int>(in.size());
        // Running sum with the edge values repeated past both ends.
        const auto at = [&in, n](int i) { return in[size_t(std::clamp(i, 0, n - 1))]; };
        int sum = 0;
        for (int j = -radius; j <= radius; ++j)
            sum += at(j);
        const int window = 2 * radius + 1;
        for (int i = 0; i < n; ++i) {
            out[size_t(i)] = (sum + window / 2) / window;
            sum += at(i + radius + 1) - at(i - radius);
        }
    };
    filterLines(image, true, apply);
    filterLines(image, false, apply);
}

} // namespace

QImage blank(QSize size)
{
    QImage mask(size, QImage::Format_Grayscale8);
    mask.fill(Kept);
    return mask;
}

bool anyFilled(const QImage& mask)
{
    const QImage grey = asGrey(mask);
    for (int y = 0; y < grey.height(); ++y) {
        const uchar* row = grey.constScanLine(y);
        if (std::any_of(row, row + grey.width(), [](uchar v) { return v > 127; }))
            return true;
    }
    return false;
}

QImage inverted(const QImage& mask)
{
    QImage out = asGrey(mask).copy();
    for (int y = 0; y < out.height(); ++y) {
        uchar* row = out.scanLine(y);
        for (int x = 0; x < out.width(); ++x)
            row[x] = static_cast<uchar>(255 - row[x]);
    }
    return out;
}

QImage feathered(const QImage& mask, int radius)
{
    QImage out = asGrey(mask).copy();
    if (radius <= 0 || out.isNull())
        return out;
    maxFilter(out, radius);
    boxBlur(out, radius);
    return out;
}

QImage fromImage(const QImage& image, QSize size)
{
    if (image.isNull() || size.isEmpty())
        return {};
    const QImage argb = image.convertToFormat(QImage::Format_ARGB32);
    QImage grey(argb.size(), QImage::Format_Grayscale8);
    for (int y = 0; y < argb.height(); ++y) {
        const auto* from = reinterpret_cast<const QRgb*>(argb.constScanLine(y));
        uchar* to = grey.scanLine(y);
        for (int x = 0; x < argb.width(); ++x)
            to[x] = static_cast<uchar>(qGray(from[x]));
    }
    if (grey.size() != size)
        grey = grey.scaled(size, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                   .convertToFormat(QImage::Format_Grayscale8);
    return grey;
}

GrownCanvas grow(const QImage& picture, const Margins& margins)
{
    GrownCanvas grown;
    const QImage source = picture.convertToFormat(QImage::Format_RGB888);
    if (source.isNull())
        return grown;
    const int left = std::max(0, margins.left);
    const int top = std::max(0, margins.top);
    const QSize size(source.width() + left + std::max(0, margins.right),
                     source.height() + top + std::max(0, margins.bottom));
    grown.picture = QImage(size, QImage::Format_RGB888);
    grown.mask = blank(size);
    for (int y = 0; y < size.height(); ++y) {
        const int sy = std::clamp(y - top, 0, source.height() - 1);
        const uchar* from = source.constScanLine(sy);
        uchar* to = grown.picture.scanLine(y);
        uchar* maskRow = grown.mask.scanLine(y);
        const bool insideRows = y - top == sy;
        for (int x = 0; x < size.width(); ++x) {
            const int sx = std::clamp(x - left, 0, source.width() - 1);
            std::memcpy(to + 3 * x, from + 3 * sx, 3);
            if (!insideRows || x - left != sx)
                maskRow[x] = Filled;
        }
    }
    return grown;
}

QImage cropToMultiple(const QImage& picture, int multiple)
{
    const QImage rgb = picture.convertToFormat(QImage::Format_RGB888);
    multiple = std::max(1, multiple);
    const int width = rgb.width() / multiple * multiple;
    const int height = rgb.height() / multiple * multiple;
    if (width == rgb.width() && height == rgb.height())
        return rgb;
    if (width <= 0 || height <= 0)
        return {};
    return rgb.copy((rgb.width() - width) / 2, (rgb.height() - height) / 2, width, height);
}

} // namespace ldm::ui::mask
