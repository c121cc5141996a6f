// SPDX-License-Identifier: GPL-3.0-or-later
#include "tools.h"

#include "label_document.h"

#include <QCoreApplication>

#include <utility>

namespace ldm::ui {

namespace {

// Free functions translate through this; lupdate reads the context from it.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ldm::ui::CanvasTools)
};

uchar classByte(int classId)
{
    return static_cast<uchar>(classId & 0xff);
}

} // namespace

BrushTool::BrushTool(const BrushSettings* settings, bool eraser)
    : m_settings(settings)
    , m_eraser(eraser)
{
}

int BrushTool::classFor(const LabelDocument& document, int classId) const
{
    return m_eraser ? document.defaultClass() : classId;
}

void BrushTool::press(LabelDocument& document, QPoint pos, int classId)
{
    m_active = true;
    m_last = pos;
    document.beginStroke();
    document.touch(raster::stamp(document.strokeImage(), pos, m_settings->size, m_settings->shape,
                                 classByte(classFor(document, classId))));
}

void BrushTool::move(LabelDocument& document, QPoint pos, int classId)
{
    if (!m_active || pos == m_last)
        return;
    // Connect the samples so fast strokes leave no gaps.
    document.touch(raster::line(document.strokeImage(), m_last, pos, m_settings->size,
                                m_settings->shape, classByte(classFor(document, classId))));
    m_last = pos;
}

void BrushTool::release(LabelDocument& document, QPoint pos, int classId)
{
    if (!m_active)
        return;
    move(document, pos, classId);
    m_active = false;
    document.endStroke(m_eraser ? Text::tr("Erase") : Text::tr("Brush stroke"));
}

LineTool::LineTool(const BrushSettings* settings)
    : m_settings(settings)
{
}

void LineTool::press(LabelDocument&, QPoint pos, int)
{
    m_active = true;
    m_start = m_end = pos;
}

void LineTool::move(LabelDocument&, QPoint pos, int)
{
    if (m_active)
        m_end = pos;
}

void LineTool::release(LabelDocument& document, QPoint pos, int classId)
{
    if (!m_active)
        return;
    m_active = false;
    document.beginStroke();
    document.touch(raster::line(document.strokeImage(), m_start, pos, m_settings->size,
                                m_settings->shape, classByte(classId)));
    document.endStroke(Text::tr("Line"));
}

QPainterPath LineTool::overlay() const
{
    QPainterPath path;
    if (m_active) {
        path.moveTo(QPointF(m_start) + QPointF(0.5, 0.5));
        path.lineTo(QPointF(m_end) + QPointF(0.5, 0.5));
    }
    return path;
}

void RectTool::press(LabelDocument&, QPoint pos, int)
{
    m_active = true;
    m_start = m_end = pos;
}

void RectTool::move(LabelDocument&, QPoint pos, int)
{
    if (m_active)
        m_end = pos;
}

void RectTool::release(LabelDocument& document, QPoint pos, int classId)
{
    if (!m_active)
        return;
    m_active = false;
    document.beginStroke();
    document.touch(raster::fillRect(document.strokeImage(), m_start, pos, classByte(classId)));
    document.endStroke(Text::tr("Rectangle"));
}

QPainterPath RectTool::overlay() const
{
    QPainterPath path;
    if (m_active)
        path.addRect(QRectF(QRect(m_start, m_end).normalized()));
    return path;
}

void FillTool::press(LabelDocument& document, QPoint pos, int classId)
{
    document.beginStroke();
    document.touch(raster::floodFill(document.strokeImage(), pos, classByte(classId)));
    document.endStroke(Text::tr("Fill"));
}

EyedropperTool::EyedropperTool(std::function<void(int)> picked)
    : m_picked(std::move(picked))
{
}

void EyedropperTool::press(LabelDocument& document, QPoint pos, int)
{
    m_active = true;
    const int id = document.classAt(pos);
    if (id >= 0 && m_picked)
        m_picked(id);
}

void EyedropperTool::move(LabelDocument& document, QPoint pos, int classId)
{
    if (m_active)
        press(document, pos, classId);
}

} // namespace ldm::ui
