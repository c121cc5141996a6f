// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Exact pixel operations on Format_Indexed8 label maps. QPainter cannot paint into indexed
// images (and would antialias if it could), so class ids are written byte by byte here.
// Every function clips to the image and returns the rectangle it changed (null if none).

#include <QImage>
#include <QPoint>
#include <QRect>

namespace ldm::ui::raster {

enum class BrushShape { Round, Square };

/// Pixels covered by a `size`×`size` brush centred on `center`: a disc of diameter `size`
/// (pixel centres inside it) or the full square.
QRect stamp(QImage& ids, QPoint center, int size, BrushShape shape, uchar id);

/// Stamps along the straight line from `from` to `to` (Bresenham), both ends included.
QRect line(QImage& ids, QPoint from, QPoint to, int size, BrushShape shape, uchar id);

/// Fills the rectangle spanned by two corners (both included).
QRect fillRect(QImage& ids, QPoint corner1, QPoint corner2, uchar id);

/// 4-connected flood fill of the region that has the seed's class.
QRect floodFill(QImage& ids, QPoint seed, uchar id);

/// Rectangle a brush at `center` can touch (unclipped); for cursor outlines and dirty areas.
QRect brushBounds(QPoint center, int size);

} // namespace ldm::ui::raster
