// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The painting tools, one class each (Flameshot's src/tools/ layout, much smaller).

#include "canvas_tool.h"

#include <functional>

namespace ldm::ui {

/// Freehand brush; as an eraser it paints the document's default class.
class BrushTool final : public CanvasTool
{
public:
    BrushTool(const BrushSettings* settings, bool eraser);
    void press(LabelDocument& document, QPoint pos, int classId) override;
    void move(LabelDocument& document, QPoint pos, int classId) override;
    void release(LabelDocument& document, QPoint pos, int classId) override;
    bool showsBrushCursor() const override { return true; }

private:
    int classFor(const LabelDocument& document, int classId) const;

    const BrushSettings* m_settings;
    bool m_eraser;
    bool m_active = false;
    QPoint m_last;
};

/// Straight line with the brush footprint; previewed while dragging.
class LineTool final : public CanvasTool
{
public:
    explicit LineTool(const BrushSettings* settings);
    void press(LabelDocument& document, QPoint pos, int classId) override;
    void move(LabelDocument& document, QPoint pos, int classId) override;
    void release(LabelDocument& document, QPoint pos, int classId) override;
    QPainterPath overlay() const override;
    bool showsBrushCursor() const override { return true; }

private:
    const BrushSettings* m_settings;
    bool m_active = false;
    QPoint m_start;
    QPoint m_end;
};

/// Filled rectangle between press and release.
class RectTool final : public CanvasTool
{
public:
    void press(LabelDocument& document, QPoint pos, int classId) override;
    void move(LabelDocument& document, QPoint pos, int classId) override;
    void release(LabelDocument& document, QPoint pos, int classId) override;
    QPainterPath overlay() const override;

private:
    bool m_active = false;
    QPoint m_start;
    QPoint m_end;
};

/// Flood fill of the clicked region.
class FillTool final : public CanvasTool
{
public:
    void press(LabelDocument& document, QPoint pos, int classId) override;
    void move(LabelDocument&, QPoint, int) override {}
    void release(LabelDocument&, QPoint, int) override {}
};

/// Picks the class under the cursor.
class EyedropperTool final : public CanvasTool
{
public:
    explicit EyedropperTool(std::function<void(int)> picked);
    void press(LabelDocument& document, QPoint pos, int classId) override;
    void move(LabelDocument& document, QPoint pos, int classId) override;
    void release(LabelDocument&, QPoint, int) override { m_active = false; }

private:
    std::function<void(int)> m_picked;
    bool m_active = false;
};

} // namespace ldm::ui
