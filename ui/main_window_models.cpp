// SPDX-License-Identifier: GPL-3.0-or-later
// MainWindow, part three: the model pickers of the activities and what a loaded model changes
// (the Paint palette, the size grid, the Edit page's grid).
#include "main_window.h"

#include "bridge/engine_controller.h"
#include "panels/edit_panel.h"
#include "panels/generation_settings.h"
#include "panels/model_picker.h"
#include "panels/paint_panel.h"
#include "panels/prompt_panel.h"
#include "panels/upscale_panel.h"
#include "widgets/engine_status.h"

#include <QFileInfo>
#include <QSignalBlocker>
#include <QTabWidget>

namespace ldm::ui {

void MainWindow::connectModels()
{
    using bridge::EngineController;
    connect(m_controller, &EngineController::engineReady, this, &MainWindow::listModels);
    connect(m_controller, &EngineController::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(m_controller, &EngineController::modelLoadFailed, this, &MainWindow::onModelLoadFailed);
    connect(m_controller, &EngineController::modelLoadStarted, this, [this](const QString& key) {
        // A running job owns the progress bar; its own loading shows there as a stage.
        if (m_controller->currentJob() == 0)
            m_status->showModelLoading(QFileInfo(key).fileName());
    });
    for (ModelPicker* picker : pickers()) {
        connect(picker, &ModelPicker::modelChanged, this,
                [this, picker] { requestModelInfo(picker, true); });
    }
    // Generate on Upscale waits for a model that upscales.
    connect(m_upscale->modelPicker(), &ModelPicker::statusChanged, this,
            &MainWindow::updateActions);
    connect(m_upscale->modelPicker(), &ModelPicker::modelChanged, this, &MainWindow::updateActions);
    // Models load lazily: the one of the page the user is looking at.
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [this] { requestModelInfo(currentPicker()); });
    if (!m_controller->deviceName().isEmpty())
        listModels();
}

QList<ModelPicker*> MainWindow::pickers() const
{
    return {m_prompt->modelPicker(), m_paint->modelPicker(), m_edit->modelPicker(),
            m_upscale->modelPicker()};
}

ModelPicker* MainWindow::currentPicker() const
{
    if (m_tabs->currentWidget() == m_paint)
        return m_paint->modelPicker();
    if (m_tabs->currentWidget() == m_upscale)
        return m_upscale->modelPicker();
    if (m_tabs->currentWidget() == m_edit)
        return m_edit->modelPicker();
    return m_prompt->modelPicker();
}

void MainWindow::listModels()
{
    const QStringList shipped = m_controller->shippedModels();
    for (ModelPicker* picker : pickers()) {
        const QSignalBlocker block(picker); // one request below, not one per picker
        picker->setShippedModels(shipped, m_controller->defaultModelFor(picker->task()));
    }
    requestModelInfo(currentPicker());
}

void MainWindow::requestModelInfo(ModelPicker* picker, bool retry)
{
    const QString key = picker->modelKey();
    if (key.isEmpty() || m_controller->deviceName().isEmpty() || picker->model().key == key)
        return;
    const bridge::ModelDescription known = m_controller->knownModel(key);
    if (known.isValid()) {
        applyModel(picker, known);
        return;
    }
    // Switching pages must not reload a broken file every time; choosing it again does.
    if (const QString error = m_controller->modelLoadError(key); !error.isEmpty() && !retry) {
        picker->showError(error);
        return;
    }
    picker->showLoading();
    if (m_controller->loadingModel() != key)
        m_controller->loadModel(key);
}

void MainWindow::applyModel(ModelPicker* picker, const bridge::ModelDescription& model)
{
    picker->showModel(model);
    if (picker == m_paint->modelPicker())
        m_paint->applyModel(model);
    else if (picker == m_edit->modelPicker())
        m_edit->applyModel(model);
    else if (picker == m_upscale->modelPicker())
        m_upscale->applyModel(model);
    else if (picker == m_prompt->modelPicker()) {
        m_prompt->settings()->setLatentFactor(model.latentFactor);
        m_prompt->settings()->setClipLayers(model.clipLayers);
        m_prompt->settings()->adoptModelSize(model.key, model.trainedSize);
    }
    // Sampler settings that fit the model, the same the CLI starts from (ldm::defaultSampling).
    const auto defaults = [&model](const char* task) {
        return defaultSampling(task, model.releaseDefaults);
    };
    if (picker == m_prompt->modelPicker()) {
        m_prompt->settings()->adoptModelDefaults(model.key, defaults("txt2img"));
    } else if (picker == m_paint->modelPicker()) {
        m_paint->settings()->adoptModelDefaults(model.key, defaults("paint"));
        m_paint->adoptModelSize(model.trainedSize); // on its latent grid
    } else if (picker == m_edit->modelPicker()) {
        m_edit->settings()->adoptModelDefaults(model.key, defaults("img2img"));
    }
}

void MainWindow::onModelLoaded(const bridge::ModelDescription& model)
{
    for (ModelPicker* picker : pickers()) {
        if (picker->modelKey() == model.key)
            applyModel(picker, model);
    }
    if (m_controller->currentJob() == 0) {
        m_status->clearProgress();
        showStatus(tr("Model %1 is ready.").arg(model.name));
    }
}

void MainWindow::onModelLoadFailed(const QString& key, const QString& message)
{
    for (ModelPicker* picker : pickers()) {
        if (picker->modelKey() == key)
            picker->showError(message);
    }
    // A checkpoint file that cannot load is not offered again (a shipped model stays).
    for (ModelPicker* picker : pickers())
        picker->forgetCheckpoint(key);
    if (m_controller->currentJob() == 0)
        m_status->clearProgress();
    showStatus(tr("Cannot load %1.").arg(QFileInfo(key).fileName()));
}

} // namespace ldm::ui
