// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QImage>
#include <QUndoCommand>

namespace ldm::ui {

class LabelDocument;

/// One brush stroke, fill, line or rectangle: the dirty rectangle before and after.
class StrokeCommand final : public QUndoCommand
{
public:
    StrokeCommand(LabelDocument* document, const QRect& rect, QImage before, QImage after,
                  const QString& text);
    void undo() override;
    void redo() override;

private:
    LabelDocument* m_document;
    QRect m_rect;
    QImage m_before;
    QImage m_after;
    bool m_applied = true; // pushed after the pixels were painted: the first redo is a no-op
};

/// Replacing the whole map (new map, loaded file).
class ReplaceMapCommand final : public QUndoCommand
{
public:
    ReplaceMapCommand(LabelDocument* document, QImage before, QImage after, const QString& text);
    void undo() override;
    void redo() override;

private:
    LabelDocument* m_document;
    QImage m_before;
    QImage m_after;
};

} // namespace ldm::ui
