// SPDX-License-Identifier: GPL-3.0-or-later
#include "upscale_panel.h"

#include "bridge/image_io.h"
#include "model_picker.h"
#include "upscale_prompt_box.h"
#include "widgets/compare_view.h"
#include "widgets/scroll_column.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace ldm::ui {

UpscalePanel::UpscalePanel(QWidget* parent)
    : QWidget(parent)
    , m_inputInfo(new QLabel(tr("No image"), this))
    , m_outputInfo(new QLabel(QStringLiteral("–"), this))
    , m_steps(new QSpinBox(this))
    , m_seed(new QLineEdit(this))
    , m_tile(new QComboBox(this))
    , m_generate(new QToolButton(this))
    , m_compare(new CompareView(this))
    , m_models(new ModelPicker(QStringLiteral("upscale"), QStringLiteral("upscale"), this))
    , m_promptBox(new UpscalePromptBox(this))
{
    auto* open = new QPushButton(tr("Open Image…"), this);
    connect(open, &QPushButton::clicked, this, &UpscalePanel::chooseImage);
    m_steps->setRange(1, 1000);
    m_steps->setValue(100);
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,20}")), m_seed));
    m_seed->setText(QStringLiteral("0"));
    m_tile->addItem(tr("Whole image"), 0);
    for (const int side : {64, 128, 256})
        m_tile->addItem(tr("%1 px of the input").arg(side), side);
    m_tile->setCurrentIndex(2);
    m_tile->setToolTip(tr("Edge of the square pieces of the input picture the upscaler works "
                          "on at a time, in input pixels. Whole image is one piece; smaller "
                          "tiles need less memory."));
    m_generate->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_generate->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_generate->setIconSize(QSize(22, 22));
    m_generate->setMinimumHeight(40);

    auto* side = new QWidget(this);
    auto* column = new QVBoxLayout(side);
    column->setContentsMargins(0, 0, 0, 0);
    column->addWidget(open);
    auto* hint = new QLabel(tr("or drop a picture anywhere on this page"), side);
    hint->setEnabled(false);
    hint->setWordWrap(true);
    column->addWidget(hint);
    auto* form = new QFormLayout;
    form->addRow(tr("Input"), m_inputInfo);
    form->addRow(tr("Output (%1×)").arg(Factor), m_outputInfo);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Tile size"), m_tile);
    column->addLayout(form);
    column->addWidget(new QLabel(tr("Model"), side));
    column->addWidget(m_models);
    m_promptBox->setVisible(false); // for the x4 upscaler only
    column->addWidget(m_promptBox);
    column->addStretch();
    column->addWidget(m_generate);
    side->setMinimumWidth(240);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scrollableColumn(side, this)); // the long upscaler hint fits at 800 × 600
    splitter->addWidget(m_compare);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(splitter);
}

void UpscalePanel::setGenerateAction(QAction* action)
{
    m_generate->setDefaultAction(action);
}

void UpscalePanel::chooseImage()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Image"), QFileInfo(m_inputPath).absolutePath(),
        tr("Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;All files (*)"));
    if (!path.isEmpty())
        openImage(path);
}

bool UpscalePanel::openImage(const QString& path)
{
    auto image = bridge::readImageChecked(path);
    if (!image.ok()) {
        QMessageBox::warning(this, tr("Cannot Open Image"), bridge::errorText(image.error()));
        return false;
    }
    const QSize size = image->size();
    if (size.width() > MaxInputSide || size.height() > MaxInputSide) {
        QMessageBox::warning(this, tr("Image Too Large"),
                             tr("%1 is %2 × %3 pixels. The upscaler accepts up to %4 pixels per "
                                "side (the result would be %5× larger); crop or shrink it first.")
                                 .arg(QFileInfo(path).fileName())
                                 .arg(size.width())
                                 .arg(size.height())
                                 .arg(MaxInputSide)
                                 .arg(Factor));
        return false;
    }
    m_input = image->convertToFormat(QImage::Format_RGB888);
    m_inputPath = path;
    m_inputInfo->setText(tr("%1 × %2 px").arg(size.width()).arg(size.height()));
    m_inputInfo->setToolTip(path);
    m_outputInfo->setText(tr("%1 × %2 px").arg(size.width() * Factor).arg(size.height() * Factor));
    m_compare->setBefore(m_input);
    m_compare->clearAfter();
    Q_EMIT statusMessage(tr("Opened %1").arg(QFileInfo(path).fileName()));
    return true;
}

int UpscalePanel::steps() const
{
    return m_steps->value();
}

quint64 UpscalePanel::seed() const
{
    return m_seed->text().toULongLong();
}

int UpscalePanel::tileSize() const
{
    return m_tile->currentData().toInt();
}

void UpscalePanel::applyModel(const bridge::ModelDescription& model)
{
    m_model = model;
    m_promptBox->setNoiseRange(model.maxNoiseLevel, model.defaultNoiseLevel);
    m_promptBox->setVisible(model.maxNoiseLevel >= 0);
}

bool UpscalePanel::takesPrompt() const
{
    return m_model.maxNoiseLevel >= 0 && m_model.key == m_models->modelKey();
}

void UpscalePanel::fillRecipe(Recipe& recipe) const
{
    recipe.steps = steps();
    recipe.seed = seed();
    recipe.tileSize = tileSize();
    if (takesPrompt())
        m_promptBox->fillRecipe(recipe);
}

void UpscalePanel::applyRecipe(const Recipe& recipe)
{
    m_steps->setValue(recipe.steps);
    m_seed->setText(QString::number(recipe.seed));
    const int tile = m_tile->findData(recipe.tileSize);
    if (tile >= 0)
        m_tile->setCurrentIndex(tile);
    if (recipe.noiseLevel >= 0 || !recipe.prompt.empty())
        m_promptBox->applyRecipe(recipe);
    if (!recipe.modelName.empty())
        m_models->selectByName(QString::fromStdString(recipe.modelName));
}

void UpscalePanel::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("steps"), m_steps->value());
    settings.setValue(QStringLiteral("seed"), m_seed->text());
    settings.setValue(QStringLiteral("tile"), tileSize());
    settings.beginGroup(QStringLiteral("x4"));
    m_promptBox->saveState(settings);
    settings.endGroup();
}

void UpscalePanel::restoreState(QSettings& settings)
{
    m_steps->setValue(settings.value(QStringLiteral("steps"), 100).toInt());
    m_seed->setText(settings.value(QStringLiteral("seed"), QStringLiteral("0")).toString());
    const int tile = m_tile->findData(settings.value(QStringLiteral("tile"), 128));
    if (tile >= 0)
        m_tile->setCurrentIndex(tile);
    settings.beginGroup(QStringLiteral("x4"));
    m_promptBox->restoreState(settings);
    settings.endGroup();
}

} // namespace ldm::ui
