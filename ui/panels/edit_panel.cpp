// SPDX-License-Identifier: GPL-3.0-or-later
#include "edit_panel.h"

#include "bridge/image_io.h"
#include "canvas/mask_canvas.h"
#include "canvas/mask_document.h"
#include "canvas/mask_toolbar.h"
#include "generation_settings.h"
#include "model_picker.h"
#include "preview_view.h"
#include "prompt_fields.h"
#include "widgets/themed_icon.h"

#include <QAction>
#include <QButtonGroup>
#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QUndoGroup>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace ldm::ui {

namespace {

constexpr int StrengthSteps = 100;

QToolButton* bigButton(QWidget* parent)
{
    auto* button = new QToolButton(parent);
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    button->setIconSize(QSize(22, 22));
    button->setMinimumHeight(40);
    return button;
}

} // namespace

EditPanel::EditPanel(QUndoGroup* undo, QWidget* parent)
    : QWidget(parent)
    , m_undo(undo ? undo : new QUndoGroup(this))
    , m_document(new MaskDocument(this))
    , m_outpaint(new MaskDocument(this))
    , m_canvas(new MaskCanvas(m_document, this))
    , m_toolBar(new MaskToolBar(m_canvas, m_undo, this))
    , m_fields(new PromptFields(this))
    , m_models(new ModelPicker(QStringLiteral("inpaint"), QStringLiteral("edit"), this))
    , m_settings(new GenerationSettings(false, this))
    , m_preview(new PreviewView(this))
    , m_modes(new QButtonGroup(this))
    , m_strength(new QSlider(Qt::Horizontal, this))
    , m_strengthValue(new QLabel(this))
    , m_feather(new QSpinBox(this))
    , m_growBy(new QSpinBox(this))
    , m_info(new QLabel(this))
    , m_generate(bigButton(this))
    , m_cancel(bigButton(this))
{
    m_undo->addStack(m_document->undoStack());
    m_undo->addStack(m_outpaint->undoStack());
    m_openImage =
        new QAction(themedIcon(QStringLiteral("open")), tr("Open Picture to Edit…"), this);
    connect(m_openImage, &QAction::triggered, this, &EditPanel::chooseImage);
    connect(m_toolBar->loadMaskAction(), &QAction::triggered, this, &EditPanel::chooseMaskToLoad);
    connect(m_toolBar->saveMaskAction(), &QAction::triggered, this, &EditPanel::chooseMaskToSave);
    m_canvas->setPlaceholder(tr("Open a picture or drop one here, or choose “Edit” on a result "
                                "or in the gallery. Then paint the area to change."));
    m_preview->setPlaceholder(tr("The edited picture appears here."));
    connect(m_document, &MaskDocument::reset, this, &EditPanel::rebuildOutpaint);

    auto* canvasColumn = new QWidget(this);
    auto* canvasLayout = new QVBoxLayout(canvasColumn);
    canvasLayout->setContentsMargins(0, 0, 0, 0);
    m_toolBar->insertAction(m_toolBar->actions().value(0), m_openImage);
    m_toolBar->insertSeparator(m_toolBar->actions().value(1));
    canvasLayout->addWidget(m_toolBar);
    canvasLayout->addWidget(m_canvas, 1);
    canvasLayout->addWidget(m_info);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(buildSidePanel());
    splitter->addWidget(canvasColumn);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
    setMode(Mode::Inpaint);
    if (!undo)
        activateUndo(); // its own group: nothing else can hold it
    updateInfo();
}

QWidget* EditPanel::buildModeControls()
{
    auto* box = new QWidget(this);
    auto* row = new QHBoxLayout(box);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(0);
    const QString names[] = {tr("Inpaint"), tr("Outpaint"), tr("Image to Image")};
    const QString tips[] = {tr("Redraw the masked area; the rest stays exactly as it is"),
                            tr("Grow the canvas and fill the new area"),
                            tr("Redraw the whole picture; strength says how much")};
    for (int i = 0; i < 3; ++i) {
        auto* button = new QToolButton(box);
        button->setText(names[i]);
        button->setToolTip(tips[i]);
        button->setCheckable(true);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        m_modes->addButton(button, i);
        row->addWidget(button);
    }
    connect(m_modes, &QButtonGroup::idClicked, this,
            [this](int id) { setMode(static_cast<Mode>(id)); });
    return box;
}

QWidget* EditPanel::buildSidePanel()
{
    auto* side = new QWidget;
    auto* column = new QVBoxLayout(side);
    column->addWidget(sectionHeading(tr("Mode"), side));
    column->addWidget(buildModeControls());

    m_strength->setRange(0, StrengthSteps);
    m_strength->setToolTip(tr("0 keeps the picture as it is, 1 redraws it from noise"));
    connect(m_strength, &QSlider::valueChanged, this, [this](int value) {
        m_strengths[static_cast<int>(m_mode)] = double(value) / StrengthSteps;
        m_strengthValue->setText(QString::number(double(value) / StrengthSteps, 'f', 2));
    });
    m_feather->setRange(0, 64);
    m_feather->setSuffix(tr(" px"));
    m_feather->setValue(4);
    m_feather->setToolTip(tr("Grows the mask by this many pixels with a soft edge, so new content "
                             "blends into what is kept"));
    auto* strengthRow = new QHBoxLayout;
    strengthRow->addWidget(m_strength, 1);
    strengthRow->addWidget(m_strengthValue);
    auto* form = new QFormLayout;
    form->addRow(tr("Strength"), strengthRow);
    form->addRow(tr("Mask feather"), m_feather);
    column->addLayout(form);

    m_outpaintBox = new QWidget(side);
    auto* grid = new QGridLayout(m_outpaintBox);
    grid->setContentsMargins(0, 0, 0, 0);
    m_growBy->setRange(8, 1024);
    m_growBy->setSingleStep(8);
    m_growBy->setValue(64);
    m_growBy->setSuffix(tr(" px"));
    m_growBy->setToolTip(tr("How far the canvas grows on each chosen side"));
    grid->addWidget(new QLabel(tr("Grow by"), m_outpaintBox), 0, 0);
    grid->addWidget(m_growBy, 0, 1, 1, 3);
    const QString sideNames[] = {tr("Left"), tr("Top"), tr("Right"), tr("Bottom")};
    for (int i = 0; i < 4; ++i) {
        m_sides[i] = new QCheckBox(sideNames[i], m_outpaintBox);
        m_sides[i]->setChecked(i == 0 || i == 2);
        grid->addWidget(m_sides[i], 1 + i / 2, 1 + i % 2);
        connect(m_sides[i], &QCheckBox::toggled, this, &EditPanel::rebuildOutpaint);
    }
    connect(m_growBy, &QSpinBox::valueChanged, this, &EditPanel::rebuildOutpaint);
    column->addWidget(m_outpaintBox);

    column->addWidget(m_fields);
    column->addWidget(sectionHeading(tr("Model"), side));
    column->addWidget(m_models);
    column->addWidget(sectionHeading(tr("Sampling"), side));
    column->addWidget(m_settings);
    column->addStretch();

    // The settings scroll on small screens; Generate and Cancel stay in view below them.
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(side);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* pane = new QWidget(this);
    auto* paneColumn = new QVBoxLayout(pane);
    paneColumn->setContentsMargins(0, 0, 0, 0);
    paneColumn->addWidget(scroll, 1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_generate, 2);
    buttons->addWidget(m_cancel, 1);
    paneColumn->addLayout(buttons);
    pane->setMinimumWidth(300);
    return pane;
}

void EditPanel::setGenerateAction(QAction* action)
{
    m_generate->setDefaultAction(action);
}

void EditPanel::setCancelAction(QAction* action)
{
    m_cancel->setDefaultAction(action);
}

void EditPanel::setMode(Mode mode)
{
    m_mode = mode;
    if (QAbstractButton* button = m_modes->button(static_cast<int>(mode)))
        button->setChecked(true);
    m_strength->setValue(int(std::lround(m_strengths[static_cast<int>(mode)] * StrengthSteps)));
    m_strengthValue->setText(QString::number(m_strengths[static_cast<int>(mode)], 'f', 2));
    m_canvas->setDocument(activeDocument());
    updateModeControls();
    followUndo();
    updateInfo();
}

void EditPanel::updateModeControls()
{
    m_canvas->setMaskVisible(m_mode != Mode::ImageToImage);
    m_canvas->setMaskEditable(m_mode == Mode::Inpaint);
    m_toolBar->setMaskEditable(m_mode == Mode::Inpaint);
    m_feather->setEnabled(m_mode == Mode::Inpaint);
    m_outpaintBox->setVisible(m_mode == Mode::Outpaint);
}

MaskDocument* EditPanel::activeDocument() const
{
    return m_mode == Mode::Outpaint ? m_outpaint : m_document;
}

void EditPanel::activateUndo()
{
    m_undo->setActiveStack(activeDocument()->undoStack());
}

bool EditPanel::ownsUndo() const
{
    const QUndoStack* active = m_undo->activeStack();
    return active && (active == m_document->undoStack() || active == m_outpaint->undoStack());
}

void EditPanel::followUndo()
{
    if (ownsUndo())
        activateUndo();
}

double EditPanel::strength() const
{
    return m_strengths[static_cast<int>(m_mode)];
}

void EditPanel::setStrength(double strength)
{
    m_strengths[static_cast<int>(m_mode)] = std::clamp(strength, 0.0, 1.0);
    m_strength->setValue(int(std::lround(m_strengths[static_cast<int>(m_mode)] * StrengthSteps)));
    // The slider holds hundredths; the value asked for (a restored recipe's) is kept exactly.
    m_strengths[static_cast<int>(m_mode)] = std::clamp(strength, 0.0, 1.0);
}

int EditPanel::feather() const
{
    return m_feather->value();
}

void EditPanel::setFeather(int pixels)
{
    m_feather->setValue(pixels);
}

mask::Margins EditPanel::outpaintMargins() const
{
    const int by = m_growBy->value() / m_multiple * m_multiple;
    mask::Margins margins;
    margins.left = m_sides[0]->isChecked() ? by : 0;
    margins.top = m_sides[1]->isChecked() ? by : 0;
    margins.right = m_sides[2]->isChecked() ? by : 0;
    margins.bottom = m_sides[3]->isChecked() ? by : 0;
    return margins;
}

void EditPanel::setOutpaint(int pixels, bool left, bool top, bool right, bool bottom)
{
    const QSignalBlocker block(m_growBy);
    m_growBy->setValue(pixels);
    const bool sides[] = {left, top, right, bottom};
    for (int i = 0; i < 4; ++i) {
        const QSignalBlocker blockSide(m_sides[i]);
        m_sides[i]->setChecked(sides[i]);
    }
    rebuildOutpaint();
}

QString EditPanel::prompt() const
{
    return m_fields->prompt();
}

QString EditPanel::negativePrompt() const
{
    return m_fields->negativePrompt();
}

void EditPanel::saveState(QSettings& settings) const
{
    m_fields->saveState(settings);
    settings.setValue(QStringLiteral("mode"), static_cast<int>(m_mode));
    settings.setValue(QStringLiteral("strengths"),
                      QVariantList{m_strengths[0], m_strengths[1], m_strengths[2]});
    settings.setValue(QStringLiteral("feather"), m_feather->value());
    settings.setValue(QStringLiteral("growBy"), m_growBy->value());
    QVariantList sides;
    for (const QCheckBox* box : m_sides)
        sides << box->isChecked();
    settings.setValue(QStringLiteral("sides"), sides);
    settings.setValue(QStringLiteral("brushSize"), m_canvas->brushSize());
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->saveState(settings);
    settings.endGroup();
}

void EditPanel::restoreState(QSettings& settings)
{
    m_fields->restoreState(settings);
    const QVariantList strengths = settings.value(QStringLiteral("strengths")).toList();
    for (int i = 0; i < 3 && i < strengths.size(); ++i)
        m_strengths[i] = std::clamp(strengths[i].toDouble(), 0.0, 1.0);
    m_feather->setValue(settings.value(QStringLiteral("feather"), m_feather->value()).toInt());
    const QVariantList sides = settings.value(QStringLiteral("sides")).toList();
    setOutpaint(settings.value(QStringLiteral("growBy"), m_growBy->value()).toInt(),
                sides.value(0, true).toBool(), sides.value(1, false).toBool(),
                sides.value(2, true).toBool(), sides.value(3, false).toBool());
    m_toolBar->brushSizeBox()->setValue(
        settings.value(QStringLiteral("brushSize"), m_canvas->brushSize()).toInt());
    setMode(static_cast<Mode>(std::clamp(settings.value(QStringLiteral("mode"), 0).toInt(), 0, 2)));
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->restoreState(settings);
    settings.endGroup();
}

} // namespace ldm::ui
