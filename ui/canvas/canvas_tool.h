// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "raster.h"

#include <QPainterPath>
#include <QString>

namespace ldm::ui {

class LabelDocument;

/// Brush options shared by the brush, eraser and line tools.
struct BrushSettings
{
    int size = 16;
    raster::BrushShape shape = raster::BrushShape::Round;
};

/// One canvas tool. Positions are in image pixels; each press..release is one undo step.
class CanvasTool
{
public:
    virtual ~CanvasTool() = default;
    virtual void press(LabelDocument& document, QPoint pos, int classId) = 0;
    virtual void move(LabelDocument& document, QPoint pos, int classId) = 0;
    virtual void release(LabelDocument& document, QPoint pos, int classId) = 0;
    /// Outline to draw over the canvas while dragging (image coordinates), e.g. a line preview.
    virtual QPainterPath overlay() const { return {}; }
    /// Whether the canvas shows the brush footprint under the cursor.
    virtual bool showsBrushCursor() const { return false; }
};

} // namespace ldm::ui
