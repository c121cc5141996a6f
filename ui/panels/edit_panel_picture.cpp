// SPDX-License-Identifier: GPL-3.0-or-later
// EditPanel, part two: the picture being edited and what a job sends (picture, grown canvas,
// feathered mask), and why it cannot run yet.
#include "edit_panel.h"

#include "bridge/image_io.h"
#include "canvas/mask_canvas.h"
#include "canvas/mask_document.h"
#include "canvas/mask_ops.h"
#include "generation_settings.h"
#include "model_picker.h"
#include "preview_view.h"
#include "prompt_fields.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMessageBox>
#include <QSpinBox>

#include <algorithm>

namespace ldm::ui {

namespace {

constexpr int MaxSide = 4096; // the engine's limit for an edit's input

} // namespace

void EditPanel::rebuildOutpaint()
{
    if (m_document->isEmpty()) {
        m_outpaint->setPicture({});
        return;
    }
    const mask::GrownCanvas grown = mask::grow(m_document->picture(), outpaintMargins());
    m_outpaint->setPicture(grown.picture, grown.mask);
    updateInfo();
}

bool EditPanel::setPicture(const QImage& picture, const QString& name)
{
    const QImage cropped = mask::cropToMultiple(picture, m_multiple);
    if (cropped.isNull()) {
        QMessageBox::warning(this, tr("Cannot Edit Picture"),
                             tr("The picture is smaller than %1 pixels.").arg(m_multiple));
        return false;
    }
    if (cropped.width() > MaxSide || cropped.height() > MaxSide) {
        QMessageBox::warning(this, tr("Picture Too Large"),
                             tr("The picture is %1 × %2 pixels; pictures up to %3 pixels per "
                                "side can be edited. Shrink or crop it first.")
                                 .arg(picture.width())
                                 .arg(picture.height())
                                 .arg(MaxSide));
        return false;
    }
    m_pictureName = name;
    m_document->setPicture(cropped);
    m_preview->clear();
    if (cropped.size() != picture.size())
        Q_EMIT statusMessage(tr("Cut to %1 × %2 px: the model works in blocks of %3 pixels.")
                                 .arg(cropped.width())
                                 .arg(cropped.height())
                                 .arg(m_multiple));
    followUndo();
    updateInfo();
    return true;
}

bool EditPanel::openImage(const QString& path)
{
    auto image = bridge::readImageChecked(path);
    if (!image.ok()) {
        QMessageBox::warning(this, tr("Cannot Open Image"), bridge::errorText(image.error()));
        return false;
    }
    if (!setPicture(image.value(), QFileInfo(path).fileName()))
        return false;
    Q_EMIT statusMessage(tr("Opened %1").arg(QFileInfo(path).fileName()));
    return true;
}

void EditPanel::chooseImage()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Open Picture to Edit"), QString(),
                                     tr("Images (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)"));
    if (!path.isEmpty())
        openImage(path);
}

bool EditPanel::loadMask(const QString& path)
{
    if (m_document->picture().isNull()) {
        QMessageBox::warning(this, tr("Cannot Load Mask"),
                             tr("Open a picture first: a mask belongs to a picture."));
        return false;
    }
    auto image = bridge::readImageChecked(path);
    if (!image.ok()) {
        QMessageBox::warning(this, tr("Cannot Load Mask"), bridge::errorText(image.error()));
        return false;
    }
    const QSize size = m_document->size();
    m_document->replaceMask(mask::fromImage(image.value(), size), tr("Load mask"));
    if (image->size() != size)
        Q_EMIT statusMessage(tr("Mask %1 scaled from %2 × %3 to the picture's %4 × %5 px")
                                 .arg(QFileInfo(path).fileName())
                                 .arg(image->width())
                                 .arg(image->height())
                                 .arg(size.width())
                                 .arg(size.height()));
    else
        Q_EMIT statusMessage(tr("Loaded mask %1").arg(QFileInfo(path).fileName()));
    return true;
}

bool EditPanel::saveMask(const QString& path)
{
    auto bytes = bridge::encodePng(m_document->mask());
    auto written = bytes.ok() ? bridge::writeFileAtomically(path, bytes.value())
                              : Result<void>(bytes.error());
    if (!written.ok()) {
        QMessageBox::warning(this, tr("Cannot Save Mask"), bridge::errorText(written.error()));
        return false;
    }
    Q_EMIT statusMessage(tr("Saved mask %1").arg(QFileInfo(path).fileName()));
    return true;
}

void EditPanel::chooseMaskToLoad()
{
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Load Mask"), QString(),
                                     tr("Images (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)"));
    if (!path.isEmpty())
        loadMask(path);
}

void EditPanel::chooseMaskToSave()
{
    QString path = QFileDialog::getSaveFileName(this, tr("Save Mask"), tr("mask.png"),
                                                tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".png");
    saveMask(path);
}

bool EditPanel::editResult(const QImage& picture, const Recipe& recipe)
{
    if (!setPicture(picture, tr("result, seed %1").arg(recipe.seed)))
        return false;
    if (!recipe.prompt.empty())
        m_fields->setPrompts(QString::fromStdString(recipe.prompt),
                             QString::fromStdString(recipe.negativePrompt));
    return true;
}

void EditPanel::applyRecipe(const Recipe& recipe)
{
    m_fields->setPrompts(QString::fromStdString(recipe.prompt),
                         QString::fromStdString(recipe.negativePrompt));
    m_settings->applyRecipe(recipe);
    if (!recipe.modelName.empty())
        m_models->selectByName(QString::fromStdString(recipe.modelName));
}

void EditPanel::restoreEdit(const Recipe& recipe, const QImage& input, const QImage& mask)
{
    applyRecipe(recipe);
    const bool inpaint = recipe.task == "inpaint";
    if (recipe.task == "outpaint") {
        const CanvasGrowth& g = recipe.growth;
        setOutpaint(std::max({g.left, g.top, g.right, g.bottom}), g.left > 0, g.top > 0,
                    g.right > 0, g.bottom > 0);
        setMode(Mode::Outpaint);
    } else {
        setMode(inpaint ? Mode::Inpaint : Mode::ImageToImage);
    }
    setStrength(recipe.strength);
    if (input.isNull())
        return;
    m_pictureName = tr("restored input");
    m_document->setPicture(input, inpaint ? mask : QImage());
    if (inpaint && !mask.isNull())
        setFeather(0);
    m_preview->clear();
    followUndo();
    updateInfo();
}

void EditPanel::applyModel(const bridge::ModelDescription& model)
{
    m_multiple = std::clamp(model.latentFactor, 1, 64);
    m_growBy->setSingleStep(m_multiple);
    m_settings->setLatentFactor(model.latentFactor);
    m_settings->setClipLayers(model.clipLayers);
    rebuildOutpaint();
}

QString EditPanel::problem() const
{
    if (m_document->isEmpty())
        return tr("Open or drop a picture to edit first.");
    const QSize size = activeDocument()->size();
    if (size.width() % m_multiple || size.height() % m_multiple)
        return tr("This model needs sides in multiples of %1 pixels; open the picture again to "
                  "cut it to that grid.")
            .arg(m_multiple);
    if (size.width() > MaxSide || size.height() > MaxSide)
        return tr("The canvas would be %1 × %2 pixels; the largest side is %3.")
            .arg(size.width())
            .arg(size.height())
            .arg(MaxSide);
    if (m_mode == Mode::Outpaint && outpaintMargins().isNull())
        return tr("Choose at least one side to grow.");
    if (m_mode == Mode::Inpaint && !mask::anyFilled(m_document->mask()))
        return tr("Paint the area to change first (the mask is empty).");
    return {};
}

EditInputs EditPanel::inputs() const
{
    EditInputs inputs;
    inputs.picture = m_document->picture();
    inputs.resultSize = activeDocument()->size();
    switch (m_mode) {
    case Mode::ImageToImage:
        inputs.task = QStringLiteral("img2img");
        break;
    case Mode::Outpaint:
        inputs.task = QStringLiteral("outpaint");
        inputs.growth = outpaintMargins();
        break;
    case Mode::Inpaint:
        inputs.task = QStringLiteral("inpaint");
        inputs.mask = mask::feathered(m_document->mask(), feather());
        break;
    }
    return inputs;
}

void EditPanel::updateInfo()
{
    if (m_document->isEmpty()) {
        m_info->setText(tr("No picture"));
        return;
    }
    const QSize size = activeDocument()->size();
    QString text = tr("%1 · %2 × %3 px").arg(m_pictureName).arg(size.width()).arg(size.height());
    if (m_mode == Mode::Outpaint)
        text += tr(" (grown from %1 × %2)")
                    .arg(m_document->size().width())
                    .arg(m_document->size().height());
    m_info->setText(text);
}

} // namespace ldm::ui
