// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "canvas_tool.h"
#include "tools.h"

#include <QObject>

#include <memory>

class QAction;
class QActionGroup;
class QComboBox;
class QSpinBox;
class QToolBar;

namespace ldm::ui {

/// Owns the tools and brush settings and the tool bar that chooses between them.
class PaintTools final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PaintTools)

public:
    explicit PaintTools(QObject* parent = nullptr);
    ~PaintTools() override;

    /// A tool bar with one checkable action per tool, the brush shape and size.
    QToolBar* createToolBar(QWidget* parent);
    CanvasTool* currentTool() const { return m_current; }
    const BrushSettings* brush() const { return &m_brush; }
    void setBrushSize(int size);
    int brushSize() const { return m_brush.size; }

Q_SIGNALS:
    void toolChanged(ldm::ui::CanvasTool* tool);
    void classPicked(int classId);

private:
    QAction* addTool(const QString& iconName, const QString& text, const QKeySequence& shortcut,
                     CanvasTool* tool);

    BrushSettings m_brush;
    std::unique_ptr<BrushTool> m_brushTool;
    std::unique_ptr<BrushTool> m_eraser;
    std::unique_ptr<LineTool> m_line;
    std::unique_ptr<RectTool> m_rect;
    std::unique_ptr<FillTool> m_fill;
    std::unique_ptr<EyedropperTool> m_eyedropper;
    CanvasTool* m_current = nullptr;
    QActionGroup* m_group;
    QList<QAction*> m_actions;
    QSpinBox* m_size = nullptr;
};

} // namespace ldm::ui
