// SPDX-License-Identifier: GPL-3.0-or-later
#include "canvas_commands.h"

#include "label_document.h"

#include <utility>

namespace ldm::ui {

StrokeCommand::StrokeCommand(LabelDocument* document, const QRect& rect, QImage before,
                             QImage after, const QString& text)
    : QUndoCommand(text)
    , m_document(document)
    , m_rect(rect)
    , m_before(std::move(before))
    , m_after(std::move(after))
{
}

void StrokeCommand::undo()
{
    m_document->writeRegion(m_rect, m_before);
}

void StrokeCommand::redo()
{
    if (std::exchange(m_applied, false))
        return;
    m_document->writeRegion(m_rect, m_after);
}

ReplaceMapCommand::ReplaceMapCommand(LabelDocument* document, QImage before, QImage after,
                                     const QString& text)
    : QUndoCommand(text)
    , m_document(document)
    , m_before(std::move(before))
    , m_after(std::move(after))
{
}

void ReplaceMapCommand::undo()
{
    m_document->setImage(m_before);
}

void ReplaceMapCommand::redo()
{
    m_document->setImage(m_after);
}

} // namespace ldm::ui
