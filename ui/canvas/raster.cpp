// SPDX-License-Identifier: GPL-3.0-or-later
#include "raster.h"

#include <QVector>

#include <cstdlib>
#include <cstring>

namespace ldm::ui::raster {

QRect brushBounds(QPoint center, int size)
{
    size = qMax(1, size);
    return QRect(center.x() - size / 2, center.y() - size / 2, size, size);
}

QRect stamp(QImage& ids, QPoint center, int size, BrushShape shape, uchar id)
{
    const QRect box = brushBounds(center, size);
    const QRect clipped = box & ids.rect();
    if (clipped.isEmpty())
        return {};
    const double radius = box.width() / 2.0;
    const double cx = box.x() + radius;
    const double cy = box.y() + radius;
    for (int y = clipped.top(); y <= clipped.bottom(); ++y) {
        uchar* row = ids.scanLine(y);
        const double dy = y + 0.5 - cy;
        for (int x = clipped.left(); x <= clipped.right(); ++x) {
            const double dx = x + 0.5 - cx;
            if (shape == BrushShape::Square || dx * dx + dy * dy <= radius * radius)
                row[x] = id;
        }
    }
    return clipped;
}

QRect line(QImage& ids, QPoint from, QPoint to, int size, BrushShape shape, uchar id)
{
    QRect dirty;
    int x = from.x();
    int y = from.y();
    const int dx = std::abs(to.x() - x);
    const int dy = -std::abs(to.y() - y);
    const int sx = x < to.x() ? 1 : -1;
    const int sy = y < to.y() ? 1 : -1;
    int error = dx + dy;
    while (true) {
        dirty |= stamp(ids, QPoint(x, y), size, shape, id);
        if (x == to.x() && y == to.y())
            break;
        const int e2 = 2 * error;
        if (e2 >= dy) {
            error += dy;
            x += sx;
        }
        if (e2 <= dx) {
            error += dx;
            y += sy;
        }
    }
    return dirty;
}

QRect fillRect(QImage& ids, QPoint corner1, QPoint corner2, uchar id)
{
    const QRect area = QRect(corner1, corner2).normalized() & ids.rect();
    if (area.isEmpty())
        return {};
    for (int y = area.top(); y <= area.bottom(); ++y)
        std::memset(ids.scanLine(y) + area.left(), id, static_cast<size_t>(area.width()));
    return area;
}

QRect floodFill(QImage& ids, QPoint seed, uchar id)
{
    if (!ids.rect().contains(seed))
        return {};
    const uchar target = ids.constScanLine(seed.y())[seed.x()];
    if (target == id)
        return {};
    const int width = ids.width();
    const int height = ids.height();
    int minX = seed.x(), maxX = seed.x(), minY = seed.y(), maxY = seed.y();
    // Scanline fill with an explicit stack: recursion would overflow on large regions.
    QVector<QPoint> stack{seed};
    while (!stack.isEmpty()) {
        const QPoint p = stack.takeLast();
        uchar* row = ids.scanLine(p.y());
        if (row[p.x()] != target)
            continue;
        int left = p.x();
        while (left > 0 && row[left - 1] == target)
            --left;
        int right = p.x();
        while (right + 1 < width && row[right + 1] == target)
            ++right;
        std::memset(row + left, id, static_cast<size_t>(right - left + 1));
        minX = qMin(minX, left);
        maxX = qMax(maxX, right);
        minY = qMin(minY, p.y());
        maxY = qMax(maxY, p.y());
        for (const int ny : {p.y() - 1, p.y() + 1}) {
            if (ny < 0 || ny >= height)
                continue;
            const uchar* next = ids.constScanLine(ny);
            bool inRun = false;
            for (int x = left; x <= right; ++x) {
                const bool match = next[x] == target;
                if (match && !inRun)
                    stack.append(QPoint(x, ny));
                inRun = match;
            }
        }
    }
    return QRect(QPoint(minX, minY), QPoint(maxX, maxY));
}

} // namespace ldm::ui::raster
