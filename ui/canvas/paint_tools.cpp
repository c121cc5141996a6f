// SPDX-License-Identifier: GPL-3.0-or-later
#include "paint_tools.h"

#include "widgets/themed_icon.h"

#include <QAction>
#include <QActionGroup>
#include <QComboBox>
#include <QIcon>
#include <QLabel>
#include <QSpinBox>
#include <QToolBar>

namespace ldm::ui {

PaintTools::PaintTools(QObject* parent)
    : QObject(parent)
    , m_brushTool(std::make_unique<BrushTool>(&m_brush, false))
    , m_eraser(std::make_unique<BrushTool>(&m_brush, true))
    , m_line(std::make_unique<LineTool>(&m_brush))
    , m_rect(std::make_unique<RectTool>())
    , m_fill(std::make_unique<FillTool>())
    , m_eyedropper(std::make_unique<EyedropperTool>([this](int id) { Q_EMIT classPicked(id); }))
    , m_group(new QActionGroup(this))
{
    m_current = m_brushTool.get();
    addTool(QStringLiteral("brush"), tr("Brush"), QKeySequence(Qt::Key_B), m_brushTool.get());
    addTool(QStringLiteral("eraser"), tr("Eraser (paints the default class)"),
            QKeySequence(Qt::Key_E), m_eraser.get());
    addTool(QStringLiteral("fill"), tr("Fill"), QKeySequence(Qt::Key_G), m_fill.get());
    addTool(QStringLiteral("line"), tr("Line"), QKeySequence(Qt::Key_L), m_line.get());
    addTool(QStringLiteral("rect"), tr("Rectangle"), QKeySequence(Qt::Key_R), m_rect.get());
    addTool(QStringLiteral("eyedropper"), tr("Pick class"), QKeySequence(Qt::Key_I),
            m_eyedropper.get());
    m_actions.first()->setChecked(true);
}

PaintTools::~PaintTools() = default;

QAction* PaintTools::addTool(const QString& iconName, const QString& text,
                             const QKeySequence& shortcut, CanvasTool* tool)
{
    auto* action = new QAction(themedIcon(iconName), text, this);
    action->setCheckable(true);
    action->setShortcut(shortcut);
    action->setToolTip(
        QStringLiteral("%1 (%2)").arg(text, shortcut.toString(QKeySequence::NativeText)));
    m_group->addAction(action);
    m_actions.append(action);
    connect(action, &QAction::toggled, this, [this, tool](bool on) {
        if (!on)
            return;
        m_current = tool;
        Q_EMIT toolChanged(tool);
    });
    return action;
}

QToolBar* PaintTools::createToolBar(QWidget* parent)
{
    auto* bar = new QToolBar(tr("Tools"), parent);
    bar->setIconSize(QSize(22, 22));
    bar->addActions(m_actions);
    bar->addSeparator();

    auto* shape = new QComboBox(bar);
    shape->addItem(tr("Round"), int(raster::BrushShape::Round));
    shape->addItem(tr("Square"), int(raster::BrushShape::Square));
    shape->setToolTip(tr("Brush shape"));
    connect(shape, &QComboBox::currentIndexChanged, this,
            [this, shape] { m_brush.shape = raster::BrushShape(shape->currentData().toInt()); });
    bar->addWidget(shape);

    m_size = new QSpinBox(bar);
    m_size->setRange(1, 256);
    m_size->setValue(m_brush.size);
    m_size->setSuffix(QStringLiteral(" px"));
    m_size->setToolTip(tr("Brush size ([ and ] change it)"));
    connect(m_size, &QSpinBox::valueChanged, this, [this](int v) { m_brush.size = v; });
    bar->addWidget(new QLabel(tr(" Size "), bar));
    bar->addWidget(m_size);

    auto* smaller = new QAction(tr("Smaller Brush"), bar);
    smaller->setShortcut(QKeySequence(Qt::Key_BracketLeft));
    connect(smaller, &QAction::triggered, this,
            [this] { setBrushSize(qMax(1, m_brush.size * 4 / 5)); });
    auto* larger = new QAction(tr("Larger Brush"), bar);
    larger->setShortcut(QKeySequence(Qt::Key_BracketRight));
    connect(larger, &QAction::triggered, this,
            [this] { setBrushSize(qMax(m_brush.size + 1, m_brush.size * 5 / 4)); });
    parent->addAction(smaller);
    parent->addAction(larger);
    return bar;
}

void PaintTools::setBrushSize(int size)
{
    m_brush.size = qBound(1, size, 256);
    if (m_size)
        m_size->setValue(m_brush.size);
}

} // namespace ldm::ui
