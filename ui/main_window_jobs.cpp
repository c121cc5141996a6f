// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow, part two: panel settings -> requests, and what happens to previews and results.
#include "main_window.h"

#include "bridge/engine_controller.h"
#include "bridge/gallery_store.h"
#include "bridge/image_io.h"
#include "canvas/label_document.h"
#include "gallery/result_saver.h"
#include "panels/edit_panel.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/preview_view.h"
#include "panels/prompt_fields.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"
#include "widgets/compare_view.h"
#include "widgets/engine_status.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>
#include <QTabWidget>

namespace ldm::ui {

namespace {

constexpr int HashDigits = 10;

QByteArray pixelBytes(const QImage& image)
{
    QByteArray bytes;
    bytes.reserve(static_cast<qsizetype>(image.width()) * image.height() * 3);
    for (int y = 0; y < image.height(); ++y)
        bytes.append(reinterpret_cast<const char*>(image.constScanLine(y)),
                     static_cast<qsizetype>(image.width()) * (image.depth() / 8));
    return bytes;
}

} // namespace

bool MainWindow::ensureEngine()
{
    if (m_controller->hasEngine())
        return true;
    QMessageBox box(QMessageBox::Information, tr("No engine available"), tr("No engine available."),
                    QMessageBox::Ok, this);
    box.setInformativeText(
        m_controller->engineError().isEmpty()
            ? tr("This build of Latent Canvas has no image engine attached yet, so it cannot "
                 "generate pictures. Painting maps, the gallery and imports work without one.")
            : m_controller->engineError());
    box.exec();
    return false;
}

void MainWindow::generate()
{
    const auto current = static_cast<Activity>(m_tabs->currentIndex());
    if (current == Activity::Gallery)
        return;
    if (current == Activity::Prompt && m_prompt->prompt().isEmpty()) {
        showStatus(tr("Write a prompt first."));
        return;
    }
    if (current == Activity::Upscale && m_upscale->input().isNull()) {
        showStatus(tr("Open or drop a picture to upscale first."));
        return;
    }
    if (current == Activity::Paint) {
        if (const QString problem = m_paint->problem(); !problem.isEmpty()) {
            showStatus(problem);
            return;
        }
    }
    if (current == Activity::Edit) {
        if (const QString problem = m_edit->problem(); !problem.isEmpty()) {
            showStatus(problem);
            return;
        }
    }
    if (!ensureEngine())
        return;
    if (current == Activity::Upscale && !m_upscale->modelPicker()->canDoTask()) {
        // The action is disabled then; this covers a call made before it was updated.
        const QString why = m_upscale->modelPicker()->statusText();
        showStatus(why.isEmpty() ? tr("Choose a model that upscales first.") : why);
        return;
    }
    submitRequests(current, buildRequests(current));
}

QList<bridge::GenerateRequest> MainWindow::buildRequests(Activity activity)
{
    bridge::GenerateRequest base;
    base.previewMode = m_settings.previewMode;
    base.previewInterval = m_settings.previewInterval;
    // A folder that is gone (moved, unmounted) is left out rather than failing every job; a
    // prompt that names a LoRA then says that no folder is set.
    const auto existing = [](const QString& folder) {
        return !folder.isEmpty() && QFileInfo(folder).isDir() ? folder : QString();
    };
    base.loraFolder = existing(m_settings.loraFolder);
    base.embeddingsFolder = existing(m_settings.embeddingsFolder);
    Recipe& r = base.recipe;
    r.precision = m_settings.precision.toStdString();
    r.engineVersion =
        QStringLiteral("latent-canvas %1").arg(QApplication::applicationVersion()).toStdString();
    GenerationSettings* settings = nullptr;
    switch (activity) {
    case Activity::Prompt:
        settings = m_prompt->settings();
        r.task = "txt2img";
        r.prompt = m_prompt->prompt().toStdString();
        r.negativePrompt = m_prompt->negativePrompt().toStdString();
        base.model = m_prompt->modelPicker()->modelKey();
        m_prompt->rememberPrompt();
        break;
    case Activity::Paint: {
        settings = m_paint->settings();
        r.task = "paint";
        base.model = m_paint->modelPicker()->modelKey();
        r.prompt = m_paint->prompt().toStdString();
        base.labelMap = m_paint->document()->ids();
        r.width = base.labelMap.width();
        r.height = base.labelMap.height();
        r.mapHash = bridge::sha256Hex(pixelBytes(base.labelMap), HashDigits).toStdString();
        m_paint->fillControl(base); // a Stable Diffusion model paints through its ControlNet
        break;
    }
    case Activity::Edit: {
        settings = m_edit->settings();
        const EditInputs inputs = m_edit->inputs();
        r.task = inputs.task.toStdString();
        r.prompt = m_edit->prompt().toStdString();
        r.negativePrompt = m_edit->negativePrompt().toStdString();
        r.strength = m_edit->strength();
        base.model = m_edit->modelPicker()->modelKey();
        base.inputImage = inputs.picture;
        base.mask = inputs.mask;
        r.growth.left = inputs.growth.left;
        r.growth.top = inputs.growth.top;
        r.growth.right = inputs.growth.right;
        r.growth.bottom = inputs.growth.bottom;
        // The result's size (previews are scaled to it); the engine fills the input and mask
        // hashes.
        r.width = inputs.resultSize.width();
        r.height = inputs.resultSize.height();
        m_edit->promptFields()->rememberPrompt();
        break;
    }
    case Activity::Upscale: {
        r.task = "upscale";
        base.model = m_upscale->modelPicker()->modelKey();
        base.inputImage = m_upscale->input();
        r.width = base.inputImage.width() * UpscalePanel::Factor;
        r.height = base.inputImage.height() * UpscalePanel::Factor;
        m_upscale->fillRecipe(r); // steps, seed, tiles; the x4 upscaler's prompt and noise
        r.inputImageHash = bridge::sha256Hex(pixelBytes(base.inputImage), HashDigits).toStdString();
        return {base};
    }
    case Activity::Gallery:
        return {};
    }
    settings->fillRecipe(r);
    // The engine fills in the model's name and hash; this is what the job list shows meanwhile.
    if (!base.model.isEmpty())
        r.modelName = QFileInfo(base.model).fileName().toStdString();
    // A batch walks consecutive seeds, so any single picture can be replayed from its recipe.
    const quint64 firstSeed = settings->nextSeed();
    QList<bridge::GenerateRequest> requests;
    for (int i = 0; i < settings->batchCount(); ++i) {
        bridge::GenerateRequest request = base;
        request.recipe.seed = firstSeed + static_cast<quint64>(i);
        requests.append(request);
    }
    return requests;
}

void MainWindow::submitRequests(Activity activity, const QList<bridge::GenerateRequest>& requests)
{
    for (const auto& request : requests) {
        const bridge::JobId id = m_controller->submit(request);
        if (id == 0) {
            ensureEngine();
            return;
        }
        m_jobActivity.insert(id, activity);
        // Kept with the result in the gallery, so "restore" brings the pictures back too.
        bridge::ItemSources sources;
        if (activity == Activity::Paint)
            sources.labelMap = request.labelMap;
        if (activity == Activity::Edit) {
            sources.input = request.inputImage;
            sources.mask = request.mask;
        }
        if (!sources.labelMap.isNull() || !sources.input.isNull())
            m_jobSources.insert(id, sources);
    }
    showStatus(tr("Queued %n job(s).", nullptr, static_cast<int>(requests.size())));
}

void MainWindow::showResult(Activity activity, const QImage& image, const QString& caption)
{
    switch (activity) {
    case Activity::Prompt:
        m_prompt->preview()->setImage(image, caption);
        break;
    case Activity::Paint:
        m_paint->preview()->setImage(image, caption);
        break;
    case Activity::Edit:
        m_edit->preview()->setImage(image, caption);
        break;
    case Activity::Upscale:
        m_upscale->compare()->setAfter(image, caption);
        break;
    case Activity::Gallery:
        break;
    }
}

void MainWindow::onPreview(bridge::JobId id, const QImage& image, int step, int total)
{
    const auto it = m_jobActivity.constFind(id);
    if (it != m_jobActivity.constEnd())
        showResult(it.value(), image, tr("Step %1 of %2").arg(step).arg(total));
}

void MainWindow::onFinished(bridge::JobId id, const QImage& image, const Recipe& recipe)
{
    const Activity activity = m_jobActivity.take(id);
    const bridge::ItemSources sources = m_jobSources.take(id);
    const QString warning = m_jobWarnings.take(id);
    // The caption stays with the picture, so a warning there is not lost to the status bar.
    const QString caption = warning.isEmpty() ? tr("Seed %1").arg(recipe.seed)
                                              : tr("Seed %1 · %2").arg(recipe.seed).arg(warning);
    showResult(activity, image, caption);
    m_lastResults.insert(activity, {image, caption});
    if (activity == Activity::Prompt)
        m_prompt->settings()->setLastSeed(recipe.seed);
    else if (activity == Activity::Paint)
        m_paint->settings()->setLastSeed(recipe.seed);
    else if (activity == Activity::Edit)
        m_edit->settings()->setLastSeed(recipe.seed);
    m_lastRecipes.insert(activity, recipe);
    m_status->clearProgress();
    m_saver->save(image, recipe, sources);
}

void MainWindow::onSaved(const QString& id)
{
    const auto* item = m_gallery->item(id);
    if (!item)
        return;
    if (!m_settings.outputFolder.isEmpty()) {
        const QString target =
            QDir(m_settings.outputFolder).filePath(item->id + QStringLiteral(".png"));
        QFile source(m_gallery->absolutePath(item->imageFile));
        const bool copied = QDir().mkpath(m_settings.outputFolder) &&
                            source.open(QIODevice::ReadOnly) &&
                            bridge::writeFileAtomically(target, source.readAll()).ok();
        if (!copied) {
            showStatus(tr("Saved to the gallery, but not to %1.").arg(m_settings.outputFolder));
            return;
        }
    }
    showStatus(tr("Done: seed %1, saved to the gallery.").arg(item->recipe.seed));
}

void MainWindow::onSaveFailed(const QString& message)
{
    auto* box = new QMessageBox(
        QMessageBox::Warning, tr("Cannot Save Result"),
        tr("The picture was generated but could not be saved to the gallery: %1").arg(message),
        QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onFailed(bridge::JobId id, const QString& message)
{
    if (const auto it = m_jobActivity.constFind(id); it != m_jobActivity.constEnd())
        showLastResult(it.value());
    m_jobActivity.remove(id);
    m_jobSources.remove(id);
    m_status->clearProgress();
    // Window-modal but not blocking: the queue goes on, and a second failure does not stack a
    // nested event loop on the first.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Generation Failed"), message,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::onCancelled(bridge::JobId id)
{
    if (const auto it = m_jobActivity.constFind(id); it != m_jobActivity.constEnd())
        showLastResult(it.value());
    m_jobActivity.remove(id);
    m_jobSources.remove(id);
    m_status->clearProgress();
    showStatus(tr("Cancelled."));
}

void MainWindow::showLastResult(Activity activity)
{
    const auto last = m_lastResults.constFind(activity);
    if (last != m_lastResults.constEnd()) {
        showResult(activity, last->image, last->caption);
        return;
    }
    switch (activity) { // nothing finished yet: back to the empty page
    case Activity::Prompt:
        m_prompt->preview()->clear();
        break;
    case Activity::Paint:
        m_paint->preview()->clear();
        break;
    case Activity::Edit:
        m_edit->preview()->clear();
        break;
    case Activity::Upscale:
        m_upscale->compare()->setAfter(QImage(), QString());
        break;
    case Activity::Gallery:
        break;
    }
}

void MainWindow::showRestoredPicture(Activity activity, const Recipe& recipe,
                                     const QString& imagePath)
{
    QString path = imagePath;
    if (path.isEmpty()) {
        for (const auto& item : m_gallery->items())
            if (item.recipe == recipe) {
                path = m_gallery->absolutePath(item.imageFile);
                break;
            }
    }
    const QImage image(path);
    if (image.isNull())
        return;
    const QString caption = tr("Seed %1 (restored)").arg(recipe.seed);
    showResult(activity, image, caption);
    m_lastResults.insert(activity, {image, caption});
    m_lastRecipes.insert(activity, recipe);
}

} // namespace ldm::ui
