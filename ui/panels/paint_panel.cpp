// SPDX-License-Identifier: GPL-3.0-or-later
#include "paint_panel.h"

#include "bridge/label_map_io.h"
#include "canvas/label_document.h"
#include "canvas/map_files.h"
#include "canvas/new_map_dialog.h"
#include "canvas/paint_tools.h"
#include "canvas/palette_list.h"
#include "canvas/semantic_canvas.h"
#include "control_net_box.h"
#include "generation_settings.h"
#include "model_picker.h"
#include "preview_view.h"
#include "widgets/scroll_column.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <numeric>

namespace ldm::ui {

PaintPanel::PaintPanel(QWidget* parent)
    : QWidget(parent)
    , m_document(new LabelDocument(bridge::ClassPalette::builtin(), this))
    , m_tools(new PaintTools(this))
    , m_canvas(new SemanticCanvas(m_document, this))
    , m_palette(new PaletteList(m_document->palette(), this))
    , m_models(new ModelPicker(QStringLiteral("paint"), QStringLiteral("paint"), this))
    , m_control(new ControlNetBox(this))
    , m_defaultClass(new QComboBox(this))
    , m_prompt(new QLineEdit(this))
    , m_settings(new GenerationSettings(false, this))
    , m_generate(new QToolButton(this))
    , m_preview(new PreviewView(this))
    , m_mapInfo(new QLabel(this))
{
    m_newMap = new QAction(tr("&New Map…"), this);
    m_newMap->setShortcut(QKeySequence::New);
    m_openMap = new QAction(tr("&Open Map…"), this);
    m_openMap->setShortcut(QKeySequence::Open);
    m_saveMap = new QAction(tr("&Save Map"), this);
    m_saveMap->setShortcut(QKeySequence::Save);
    m_saveMapAs = new QAction(tr("Save Map &As…"), this);
    m_saveMapAs->setShortcut(QKeySequence::SaveAs);
    connect(m_newMap, &QAction::triggered, this, &PaintPanel::newMap);
    connect(m_openMap, &QAction::triggered, this, &PaintPanel::chooseMapToOpen);
    connect(m_saveMap, &QAction::triggered, this, &PaintPanel::saveMap);
    connect(m_saveMapAs, &QAction::triggered, this, &PaintPanel::saveMapAs);

    m_canvas->setTool(m_tools->currentTool());
    m_canvas->setBrushSettings(m_tools->brush());
    connect(m_tools, &PaintTools::toolChanged, m_canvas, &SemanticCanvas::setTool);
    connect(m_tools, &PaintTools::classPicked, m_palette, &PaletteList::setCurrentClass);
    connect(m_palette, &PaletteList::classSelected, m_canvas, &SemanticCanvas::setCurrentClass);
    connect(m_canvas, &SemanticCanvas::hovered, this, [this](QPoint pos, int id) {
        const auto* c = m_document->palette().byId(id);
        if (c)
            Q_EMIT statusMessage(tr("%1, %2: %3").arg(pos.x()).arg(pos.y()).arg(displayName(*c)));
    });
    connect(m_document, &LabelDocument::reset, this, &PaintPanel::updateMapInfo);
    connect(m_document, &LabelDocument::paletteChanged, this, [this] {
        m_palette->setPalette(m_document->palette());
        fillDefaultClasses();
    });
    connect(m_document->undoStack(), &QUndoStack::cleanChanged, this, &PaintPanel::updateMapInfo);

    auto* canvasColumn = new QWidget(this);
    auto* canvasLayout = new QVBoxLayout(canvasColumn);
    canvasLayout->setContentsMargins(0, 0, 0, 0);
    canvasLayout->addWidget(m_tools->createToolBar(this));
    canvasLayout->addWidget(m_canvas, 1);
    canvasLayout->addWidget(m_mapInfo);

    m_preview->setPlaceholder(tr("The picture generated from the map appears here."));
    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scrollableColumn(buildSidePanel(), this)); // usable at 800 × 600
    splitter->addWidget(canvasColumn);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    m_palette->setCurrentClass(m_document->palette().idOfName(QStringLiteral("grass")));
    updateMapInfo();
}

QWidget* PaintPanel::buildSidePanel()
{
    auto* side = new QWidget(this);
    auto* column = new QVBoxLayout(side);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(new QLabel(tr("Model"), side));
    column->addWidget(m_models);
    m_control->setVisible(false); // for Stable Diffusion models only
    column->addWidget(m_control);
    connect(m_control, &ControlNetBox::controlChanged, this, &PaintPanel::followPalette);
    m_models->setAlternativeUse([](const bridge::ModelDescription& model) {
        return model.takesControlNet() ? tr("Paints through a ControlNet: choose one below.")
                                       : QString();
    });
    column->addWidget(new QLabel(tr("Classes"), side));
    column->addWidget(m_palette, 1);

    fillDefaultClasses();
    m_defaultClass->setToolTip(tr("The class the eraser paints and new maps start with"));
    connect(m_defaultClass, &QComboBox::currentIndexChanged, this,
            [this] { m_document->setDefaultClass(m_defaultClass->currentData().toInt()); });
    m_prompt->setPlaceholderText(tr("Optional, for text-conditioned models"));

    auto* form = new QFormLayout;
    form->addRow(tr("Eraser class"), m_defaultClass);
    form->addRow(tr("Prompt"), m_prompt);
    column->addLayout(form);
    column->addWidget(m_settings);
    m_generate->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_generate->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_generate->setIconSize(QSize(22, 22));
    m_generate->setMinimumHeight(40);
    column->addWidget(m_generate);
    side->setMinimumWidth(260);
    return side;
}

void PaintPanel::fillDefaultClasses()
{
    const QSignalBlocker block(m_defaultClass);
    m_defaultClass->clear();
    for (const auto& c : m_document->palette().classes())
        m_defaultClass->addItem(swatchIcon(c.color), displayName(c), c.id);
    m_defaultClass->setCurrentIndex(qMax(0, m_defaultClass->findData(m_document->defaultClass())));
}

void PaintPanel::applyModel(const bridge::ModelDescription& model)
{
    // lcm keeps maps loadable (multiples of 8) and valid for the model's latent grid.
    m_mapMultiple = std::lcm(bridge::LabelMapMultiple, qBound(1, model.latentFactor, 64));
    m_model = model;
    const bool controlled = !model.takesMap && model.takesControlNet();
    m_control->setVisible(controlled);
    m_prompt->setPlaceholderText(controlled ? tr("What the picture shows")
                                            : tr("Optional, for text-conditioned models"));
    followPalette();
}

void PaintPanel::setGenerateAction(QAction* action)
{
    m_generate->setDefaultAction(action);
}

QString PaintPanel::prompt() const
{
    return m_prompt->text().trimmed();
}

void PaintPanel::updateMapInfo()
{
    const QString name = m_mapPath.isEmpty() ? tr("Untitled map") : QFileInfo(m_mapPath).fileName();
    const QString modified = m_document->undoStack()->isClean() ? QString() : tr(" (modified)");
    m_mapInfo->setText(tr("%1%2 · %3 × %4 px")
                           .arg(name, modified)
                           .arg(m_document->size().width())
                           .arg(m_document->size().height()));
}

void PaintPanel::newMap()
{
    if (!confirmDiscardMap())
        return;
    NewMapDialog dialog(m_document->palette(), m_document->size(), m_document->defaultClass(),
                        m_mapMultiple, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_document->newMap(dialog.mapSize(), dialog.fillClass());
    m_mapPath.clear();
    updateMapInfo();
}

void PaintPanel::chooseMapToOpen()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Map"), QFileInfo(m_mapPath).absolutePath(),
        tr("Images (*.png *.bmp *.gif *.jpg *.jpeg *.webp);;All files (*)"));
    if (!path.isEmpty())
        openMap(path);
}

void PaintPanel::openMap(const QString& path)
{
    // Decoding a large PNG and matching every pixel's colour takes a while: off the GUI thread.
    const bridge::ClassPalette palette = m_document->palette();
    auto* watcher = new QFutureWatcher<Result<bridge::LabelMapScan>>(this);
    connect(watcher, &QFutureWatcher<Result<bridge::LabelMapScan>>::finished, this,
            [this, watcher, path, palette] {
                watcher->deleteLater();
                if (palette.colorTable() != m_document->palette().colorTable()) {
                    openMap(path); // a model changed the classes meanwhile: scan again
                    return;
                }
                const auto result =
                    applyMapScan(*m_document, watcher->result(), path,
                                 unknownColorsMessageBox(this, m_document->palette()));
                switch (result.status) {
                case MapLoadStatus::Loaded:
                    m_mapPath = path;
                    m_document->undoStack()->setClean();
                    updateMapInfo();
                    Q_EMIT statusMessage(tr("Opened %1").arg(QFileInfo(path).fileName()));
                    Q_EMIT mapOpened(path);
                    break;
                case MapLoadStatus::Declined:
                    break;
                case MapLoadStatus::Failed:
                    QMessageBox::warning(this, tr("Cannot Open Map"), result.message);
                    break;
                }
            });
    Q_EMIT statusMessage(tr("Opening %1…").arg(QFileInfo(path).fileName()));
    watcher->setFuture(
        QtConcurrent::run([path, palette] { return bridge::loadLabelMap(path, palette); }));
}

bool PaintPanel::saveMap()
{
    if (m_mapPath.isEmpty())
        return saveMapAs();
    const QString error = saveDocumentMap(*m_document, m_mapPath);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Cannot Save Map"), error);
        return false;
    }
    m_document->undoStack()->setClean();
    Q_EMIT statusMessage(tr("Saved %1").arg(QFileInfo(m_mapPath).fileName()));
    return true;
}

bool PaintPanel::saveMapAs()
{
    QString path =
        QFileDialog::getSaveFileName(this, tr("Save Map"), m_mapPath, tr("Indexed PNG (*.png)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QStringLiteral(".png"), Qt::CaseInsensitive))
        path += QStringLiteral(".png");
    m_mapPath = path;
    return saveMap();
}

void PaintPanel::applyRecipe(const Recipe& recipe)
{
    m_prompt->setText(QString::fromStdString(recipe.prompt));
    m_settings->applyRecipe(recipe);
    if (!recipe.modelName.empty())
        m_models->selectByName(QString::fromStdString(recipe.modelName));
    applyControlRecipe(recipe);
}

void PaintPanel::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("prompt"), m_prompt->text());
    settings.setValue(QStringLiteral("defaultClass"), m_document->defaultClass());
    settings.setValue(QStringLiteral("brushSize"), m_tools->brushSize());
    settings.setValue(QStringLiteral("class"), m_palette->currentClass());
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->saveState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("controlNet"));
    m_control->saveState(settings);
    settings.endGroup();
}

void PaintPanel::restoreState(QSettings& settings)
{
    m_prompt->setText(settings.value(QStringLiteral("prompt")).toString());
    const int defaultClass = m_defaultClass->findData(
        settings.value(QStringLiteral("defaultClass"), m_document->defaultClass()));
    if (defaultClass >= 0)
        m_defaultClass->setCurrentIndex(defaultClass);
    m_tools->setBrushSize(settings.value(QStringLiteral("brushSize"), 16).toInt());
    if (settings.contains(QStringLiteral("class")))
        m_palette->setCurrentClass(settings.value(QStringLiteral("class")).toInt());
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->restoreState(settings);
    settings.endGroup();
    settings.beginGroup(QStringLiteral("controlNet"));
    m_control->restoreState(settings);
    settings.endGroup();
}

void PaintPanel::adoptModelSize(int trainedSize)
{
    const int side = (qBound(64, trainedSize, 2048) + m_mapMultiple - 1) / m_mapMultiple *
                     m_mapMultiple;
    const bool untouched = m_mapPath.isEmpty() && m_document->undoStack()->count() == 0;
    if (!untouched || m_document->size() == QSize(side, side))
        return;
    // Not an edit: setImage keeps the undo stack empty, so the map stays "untouched".
    m_document->setImage(bridge::makeLabelMap(side, side, m_document->defaultClass(),
                                              m_document->palette()));
    updateMapInfo();
}

bool PaintPanel::confirmDiscardMap()
{
    if (m_document->undoStack()->isClean())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved Map"), tr("The label map has unsaved changes. Save them first?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save)
        return saveMap() && m_document->undoStack()->isClean();
    return answer == QMessageBox::Discard;
}

} // namespace ldm::ui
