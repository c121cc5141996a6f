// SPDX-License-Identifier: GPL-3.0-or-later
#include "label_document.h"

#include "bridge/label_map_io.h"
#include "canvas_commands.h"

#include <cstring>
#include <utility>

namespace ldm::ui {

namespace {

constexpr int DefaultSide = 512;

} // namespace

LabelDocument::LabelDocument(bridge::ClassPalette palette, QObject* parent)
    : QObject(parent)
    , m_palette(std::move(palette))
{
    const int sky = m_palette.idOfName(QStringLiteral("sky"));
    m_defaultClass = sky >= 0 ? sky : m_palette.classes().first().id;
    m_ids = bridge::makeLabelMap(DefaultSide, DefaultSide, m_defaultClass, m_palette);
}

int LabelDocument::classAt(QPoint pos) const
{
    return m_ids.rect().contains(pos) ? m_ids.constScanLine(pos.y())[pos.x()] : -1;
}

void LabelDocument::setDefaultClass(int classId)
{
    if (m_palette.contains(classId))
        m_defaultClass = classId;
}

void LabelDocument::newMap(QSize size, int fillClass)
{
    replaceMap(bridge::makeLabelMap(size.width(), size.height(), fillClass, m_palette),
               tr("New map"));
}

void LabelDocument::replaceMap(const QImage& ids, const QString& undoText)
{
    if (ids.isNull() || ids.format() != QImage::Format_Indexed8)
        return;
    QImage copy = ids;
    copy.setColorTable(m_palette.colorTable());
    m_undo.push(new ReplaceMapCommand(this, m_ids, copy, undoText));
}

void LabelDocument::beginStroke()
{
    if (m_inStroke)
        return;
    m_inStroke = true;
    m_before = m_ids; // shared until the first write detaches: no copy for an empty stroke
    m_dirty = QRect();
}

void LabelDocument::touch(const QRect& dirty)
{
    if (dirty.isEmpty())
        return;
    m_dirty |= dirty;
    Q_EMIT changed(dirty);
}

void LabelDocument::endStroke(const QString& undoText)
{
    if (!m_inStroke)
        return;
    m_inStroke = false;
    const QRect rect = m_dirty & m_ids.rect();
    if (!rect.isEmpty())
        m_undo.push(new StrokeCommand(this, rect, m_before.copy(rect), m_ids.copy(rect), undoText));
    m_before = QImage();
    m_dirty = QRect();
}

void LabelDocument::writeRegion(const QRect& rect, const QImage& pixels)
{
    if (!m_ids.rect().contains(rect) || pixels.size() != rect.size())
        return;
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(m_ids.scanLine(rect.y() + y) + rect.x(), pixels.constScanLine(y),
                    static_cast<size_t>(rect.width()));
    Q_EMIT changed(rect);
}

void LabelDocument::setImage(const QImage& ids)
{
    m_ids = ids;
    Q_EMIT reset();
}

} // namespace ldm::ui
