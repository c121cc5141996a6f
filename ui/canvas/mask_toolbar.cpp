// SPDX-License-Identifier: GPL-3.0-or-later
#include "mask_toolbar.h"

#include "mask_document.h"
#include "mask_ops.h"
#include "widgets/themed_icon.h"

#include <QAction>
#include <QActionGroup>
#include <QLabel>
#include <QSpinBox>
#include <QUndoGroup>

namespace ldm::ui {

MaskToolBar::MaskToolBar(MaskCanvas* canvas, QUndoGroup* undo, QWidget* parent)
    : QToolBar(parent)
    , m_canvas(canvas)
    , m_tools(new QActionGroup(this))
    , m_size(new QSpinBox(this))
{
    setIconSize(QSize(20, 20));
    const struct
    {
        MaskCanvas::Tool tool;
        const char* icon;
        QString text;
        QKeySequence key;
    } tools[] = {
        {MaskCanvas::Tool::Brush, "brush", tr("Mask Brush (B): paint the area to change"),
         QKeySequence(Qt::Key_B)},
        {MaskCanvas::Tool::Eraser, "eraser", tr("Mask Eraser (E): keep this area"),
         QKeySequence(Qt::Key_E)},
        {MaskCanvas::Tool::Rectangle, "rect", tr("Rectangle (R): mask a rectangle"),
         QKeySequence(Qt::Key_R)},
        {MaskCanvas::Tool::Fill, "fill", tr("Fill (F): mask the enclosed area under the cursor"),
         QKeySequence(Qt::Key_F)},
    };
    for (const auto& t : tools) {
        QAction* action = addAction(themedIcon(QString::fromLatin1(t.icon)), t.text);
        action->setCheckable(true);
        action->setShortcut(t.key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        action->setData(static_cast<int>(t.tool));
        action->setChecked(t.tool == canvas->tool());
        m_tools->addAction(action);
        m_maskActions.append(action);
        const MaskCanvas::Tool tool = t.tool;
        connect(action, &QAction::triggered, canvas, [canvas, tool] { canvas->setTool(tool); });
    }
    addSeparator();
    auto* sizeLabel = new QLabel(tr("Size"), this);
    sizeLabel->setContentsMargins(4, 0, 4, 0);
    addWidget(sizeLabel);
    m_size->setRange(1, 512);
    m_size->setSuffix(tr(" px"));
    m_size->setValue(canvas->brushSize());
    m_size->setToolTip(tr("Brush diameter in picture pixels"));
    connect(m_size, &QSpinBox::valueChanged, canvas, &MaskCanvas::setBrushSize);
    addWidget(m_size);
    addSeparator();

    m_invert = addAction(themedIcon(QStringLiteral("invert")), tr("Invert Mask (I)"));
    m_invert->setShortcut(QKeySequence(Qt::Key_I));
    m_invert->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_invert, &QAction::triggered, this, [this] {
        if (MaskDocument* document = m_canvas->document(); document && !document->isEmpty())
            document->replaceMask(mask::inverted(document->mask()), tr("Invert mask"));
    });
    m_clear = addAction(themedIcon(QStringLiteral("clear")), tr("Clear Mask"));
    connect(m_clear, &QAction::triggered, this, [this] {
        if (MaskDocument* document = m_canvas->document(); document && !document->isEmpty())
            document->replaceMask(mask::blank(document->size()), tr("Clear mask"));
    });
    m_loadMask = addAction(themedIcon(QStringLiteral("open")), tr("Load Mask…"));
    m_loadMask->setToolTip(tr("Load a mask from an image file: white is changed, black is kept"));
    m_saveMask = addAction(themedIcon(QStringLiteral("save")), tr("Save Mask…"));
    m_saveMask->setToolTip(tr("Save the mask as a black-and-white PNG"));
    m_maskActions << m_invert << m_clear << m_loadMask << m_saveMask;
    addSeparator();

    // Icon-only: the undo text grows with the step's name ("Undo Brush stroke").
    m_undo = undo->createUndoAction(this, tr("Undo"));
    m_undo->setIcon(themedIcon(QStringLiteral("undo")));
    m_redo = undo->createRedoAction(this, tr("Redo"));
    m_redo->setIcon(themedIcon(QStringLiteral("redo")));
    addAction(m_undo);
    addAction(m_redo);
    addSeparator();
    addAction(themedIcon(QStringLiteral("zoom-in")), tr("Zoom In"), canvas, &MaskCanvas::zoomIn);
    addAction(themedIcon(QStringLiteral("zoom-out")), tr("Zoom Out"), canvas,
              &MaskCanvas::zoomOut);
    addAction(themedIcon(QStringLiteral("zoom-fit")), tr("Fit"), canvas, &MaskCanvas::fitToView);
    setToolButtonStyle(Qt::ToolButtonIconOnly);
}

QAction* MaskToolBar::toolAction(MaskCanvas::Tool tool) const
{
    for (QAction* action : m_tools->actions()) {
        if (action->data().toInt() == static_cast<int>(tool))
            return action;
    }
    return nullptr;
}

void MaskToolBar::setMaskEditable(bool editable)
{
    for (QAction* action : std::as_const(m_maskActions))
        action->setEnabled(editable);
    m_size->setEnabled(editable);
}

} // namespace ldm::ui
