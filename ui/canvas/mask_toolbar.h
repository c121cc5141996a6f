// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "mask_canvas.h"

#include <QToolBar>

class QActionGroup;
class QSpinBox;
class QUndoGroup;

namespace ldm::ui {

/// The Edit activity's mask tools for one MaskCanvas: brush, eraser, rectangle and fill, the
/// brush size, invert and clear (each one undo step), loading and saving the mask as a file,
/// undo and redo of the active document, and zoom.
class MaskToolBar final : public QToolBar
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MaskToolBar)

public:
    MaskToolBar(MaskCanvas* canvas, QUndoGroup* undo, QWidget* parent = nullptr);

    QAction* toolAction(MaskCanvas::Tool tool) const;
    QAction* invertAction() const { return m_invert; }
    QAction* clearAction() const { return m_clear; }
    QAction* loadMaskAction() const { return m_loadMask; }
    QAction* saveMaskAction() const { return m_saveMask; }
    QAction* undoAction() const { return m_undo; }
    QAction* redoAction() const { return m_redo; }
    QSpinBox* brushSizeBox() const { return m_size; }
    /// Enables the mask tools (not zoom) only while the mask is shown and editable.
    void setMaskEditable(bool editable);

private:
    MaskCanvas* m_canvas;
    QActionGroup* m_tools;
    QList<QAction*> m_maskActions;
    QSpinBox* m_size;
    QAction* m_invert;
    QAction* m_clear;
    QAction* m_loadMask; ///< the panel connects it: it owns the file dialogs
    QAction* m_saveMask;
    QAction* m_undo;
    QAction* m_redo;
};

} // namespace ldm::ui
