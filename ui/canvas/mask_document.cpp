// SPDX-License-Identifier: GPL-3.0-or-later
#include "mask_document.h"

#include "mask_ops.h"

#include <QUndoCommand>

#include <cstring>
#include <utility>

namespace ldm::ui {

namespace {

/// One brush stroke, rectangle or fill of the mask: the dirty rectangle before and after.
class MaskStrokeCommand final : public QUndoCommand
{
public:
    MaskStrokeCommand(MaskDocument* document, const QRect& rect, QImage before, QImage after,
                      const QString& text)
        : QUndoCommand(text)
        , m_document(document)
        , m_rect(rect)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
    }
    void undo() override { m_document->writeRegion(m_rect, m_before); }
    void redo() override
    {
        // Pushed after the pixels were painted: the first redo has nothing to do.
        if (!std::exchange(m_applied, false))
            m_document->writeRegion(m_rect, m_after);
    }

private:
    MaskDocument* m_document;
    QRect m_rect;
    QImage m_before;
    QImage m_after;
    bool m_applied = true;
};

/// The whole mask replaced (invert, clear).
class ReplaceMaskCommand final : public QUndoCommand
{
public:
    ReplaceMaskCommand(MaskDocument* document, QImage before, QImage after, const QString& text)
        : QUndoCommand(text)
        , m_document(document)
        , m_before(std::move(before))
        , m_after(std::move(after))
    {
    }
    void undo() override { m_document->setMask(m_before); }
    void redo() override { m_document->setMask(m_after); }

private:
    MaskDocument* m_document;
    QImage m_before;
    QImage m_after;
};

} // namespace

MaskDocument::MaskDocument(QObject* parent)
    : QObject(parent)
{
}

int MaskDocument::maskAt(QPoint pos) const
{
    return m_mask.rect().contains(pos) ? m_mask.constScanLine(pos.y())[pos.x()] : -1;
}

void MaskDocument::setPicture(const QImage& picture, const QImage& mask)
{
    if (m_inStroke)
        endStroke(QString());
    m_undo.clear();
    m_picture = picture.isNull() ? QImage() : picture.convertToFormat(QImage::Format_RGB888);
    m_mask = !mask.isNull() && mask.size() == m_picture.size()
                 ? mask.convertToFormat(QImage::Format_Grayscale8)
                 : mask::blank(m_picture.size());
    Q_EMIT reset();
}

void MaskDocument::replaceMask(const QImage& mask, const QString& undoText)
{
    if (mask.isNull() || mask.size() != m_mask.size())
        return;
    m_undo.push(new ReplaceMaskCommand(this, m_mask,
                                       mask.convertToFormat(QImage::Format_Grayscale8), undoText));
}

void MaskDocument::beginStroke()
{
    if (m_inStroke)
        return;
    m_inStroke = true;
    m_before = m_mask; // shared until the first write detaches: no copy for an empty stroke
    m_dirty = QRect();
}

void MaskDocument::touch(const QRect& dirty)
{
    if (dirty.isEmpty())
        return;
    m_dirty |= dirty;
    Q_EMIT changed(dirty);
}

void MaskDocument::endStroke(const QString& undoText)
{
    if (!m_inStroke)
        return;
    m_inStroke = false;
    const QRect rect = m_dirty & m_mask.rect();
    if (!rect.isEmpty() && m_before.copy(rect) != m_mask.copy(rect))
        m_undo.push(
            new MaskStrokeCommand(this, rect, m_before.copy(rect), m_mask.copy(rect), undoText));
    m_before = QImage();
    m_dirty = QRect();
}

void MaskDocument::writeRegion(const QRect& rect, const QImage& pixels)
{
    if (!m_mask.rect().contains(rect) || pixels.size() != rect.size())
        return;
    for (int y = 0; y < rect.height(); ++y)
        std::memcpy(m_mask.scanLine(rect.y() + y) + rect.x(), pixels.constScanLine(y),
                    static_cast<size_t>(rect.width()));
    Q_EMIT changed(rect);
}

void MaskDocument::setMask(const QImage& mask)
{
    m_mask = mask;
    Q_EMIT reset();
}

} // namespace ldm::ui
