// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A test double that offers models by description (a landscape map model, the 182-class
// COCO-Stuff release, an SD-1.x text model, the SD x4 upscaler, bsr_sr) and records the
// request it runs; the picture it returns is a flat grey of the requested size. For the UI's
// model-dependent parts (palettes, ControlNet, upscaler fields) without weights.

#include "bridge/image_engine.h"
#include "bridge/palette_match.h"

#include <QFileInfo>
#include <QMap>

#include <memory>
#include <mutex>

namespace ldm::test {

struct ModelsEngineState
{
    QMap<QString, bridge::ModelDescription> models;
    bridge::GenerateRequest lastRequest; ///< read under `mutex`
    int runs = 0;
    std::mutex mutex;

    bridge::GenerateRequest last()
    {
        const std::lock_guard<std::mutex> lock(mutex);
        return lastRequest;
    }
};

/// The models a ModelsEngine offers by default.
inline QMap<QString, bridge::ModelDescription> describedModels()
{
    QMap<QString, bridge::ModelDescription> models;
    const auto add = [&models](const QString& key, const QString& family, const QStringList& tasks,
                               int factor) -> bridge::ModelDescription& {
        bridge::ModelDescription& d = models[key];
        d.key = key;
        d.name = key;
        d.family = family;
        d.tasks = tasks;
        d.latentFactor = factor;
        d.hash = QStringLiteral("0123456789");
        return d;
    };
    add(QStringLiteral("landscape"), QString(), {QStringLiteral("paint")}, 4).takesMap = true;
    auto& semantic = add(QStringLiteral("semantic_synthesis"),
                         QStringLiteral("LDM semantic synthesis"), {QStringLiteral("paint")}, 4);
    semantic.takesMap = true;
    semantic.palette = bridge::bundledPalette(QStringLiteral("cocostuff"));
    auto& sd = add(QStringLiteral("sd15"), QStringLiteral("Stable Diffusion 1.x"),
                   {QStringLiteral("txt2img"), QStringLiteral("img2img")}, 8);
    sd.takesText = true;
    sd.clipLayers = 12;
    auto& x4 = add(QStringLiteral("x4"), QStringLiteral("Stable Diffusion x4 upscaler"),
                   {QStringLiteral("upscale")}, 4);
    x4.maxNoiseLevel = 350;
    x4.defaultNoiseLevel = 20;
    add(QStringLiteral("bsr_sr"), QStringLiteral("LDM super-resolution"),
        {QStringLiteral("upscale")}, 4);
    return models;
}

class ModelsEngine final : public bridge::ImageEngine
{
public:
    explicit ModelsEngine(std::shared_ptr<ModelsEngineState> state)
        : m_state(std::move(state))
    {
    }

    QString deviceName() const override { return QStringLiteral("test double"); }
    QStringList shippedModels() const override { return m_state->models.keys(); }
    QString defaultModelFor(const QString& task) const override
    {
        return task == QLatin1String("upscale") ? QStringLiteral("bsr_sr")
                                                : QStringLiteral("landscape");
    }
    Result<bridge::ModelDescription> loadModel(const QString& key) override
    {
        if (!m_state->models.contains(key))
            return makeError(ErrorCode::InvalidFile, "no such model");
        m_current = m_state->models.value(key);
        return m_current;
    }
    bridge::ModelDescription currentModel() const override { return m_current; }

    bridge::JobOutcome run(const bridge::GenerateRequest& request, bridge::JobContext&) override
    {
        {
            const std::lock_guard<std::mutex> lock(m_state->mutex);
            m_state->lastRequest = request;
            ++m_state->runs;
        }
        Recipe done = request.recipe;
        done.modelName = QFileInfo(request.model).fileName().toStdString();
        if (!request.controlNet.isEmpty()) // as the engine records it
            done.control.model = QFileInfo(request.controlNet).fileName().toStdString();
        QImage image(request.recipe.width, request.recipe.height, QImage::Format_RGB888);
        image.fill(QColor(128, 128, 128));
        return bridge::JobOutcome::completed(image, done);
    }

private:
    std::shared_ptr<ModelsEngineState> m_state;
    bridge::ModelDescription m_current;
};

} // namespace ldm::test
