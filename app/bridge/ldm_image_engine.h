// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The real image engine for the app: an ImageEngine backed by ldm::Engine (LibTorch).
//
// Usage (inside the factory, which runs on the engine thread):
//     controller.setEngineFactory([] { return LdmImageEngine::create({}); });
// The ldm::Engine, its models and its per-thread inference state are created, used and
// destroyed on that thread only. This header includes the engine's public API, which is free
// of torch headers, so it stays cheap for Qt translation units.

#include "image_engine.h"

#include "ldm/engine.h"

#include <QCoreApplication>

#include <memory>

namespace ldm::bridge {

/// Copies engine pixels into a new QImage (Format_RGB888) that owns its buffer. Null when the
/// pixel count does not match the size.
QImage imageFromRgb(const ldm::RgbImage& rgb);
/// Copies any QImage into tightly packed RGB rows (alpha dropped, colour table applied).
ldm::RgbImage rgbFromImage(const QImage& image);
/// Class ids of an Indexed8 label map; empty when the image is not Indexed8.
ldm::LabelMap labelMapFromIds(const QImage& ids);
/// The UI's view of an engine ModelInfo, asked for as `key`.
ModelDescription describeModel(const QString& key, const ldm::ModelInfo& info);

class LdmImageEngine final : public ImageEngine
{
    Q_DECLARE_TR_FUNCTIONS(ldm::bridge::LdmImageEngine)

public:
    struct Options
    {
        int threads = 0;                         ///< 0 = all cores
        QString device = QStringLiteral("auto"); ///< "auto", "cpu" or "cuda"
        QString modelDir; ///< shipped models; empty = found beside the executable
    };

    /// Builds the engine on the calling thread. Throws std::runtime_error with the engine's
    /// message when it cannot start (the worker reports it as engineFailed).
    static std::unique_ptr<LdmImageEngine> create(const Options& options);
    ~LdmImageEngine() override;
    Q_DISABLE_COPY_MOVE(LdmImageEngine)

    QString deviceName() const override;
    void configure(const EngineOptions& options) override;
    QStringList shippedModels() const override;
    QString defaultModelFor(const QString& task) const override;
    Result<ModelDescription> loadModel(const QString& nameOrPath) override;
    ModelDescription currentModel() const override { return m_model; }
    JobOutcome run(const GenerateRequest& request, JobContext& context) override;

private:
    explicit LdmImageEngine(std::unique_ptr<ldm::Engine> engine);
    /// The model a request runs on: its own, else the loaded one when it can do the task,
    /// else the shipped default for the task. Empty with `error` set when there is none.
    QString modelFor(const GenerateRequest& request, QString& error) const;
    /// Fills the engine request from ours; false with `error` set on unusable inputs.
    bool buildRequest(const GenerateRequest& request, ldm::GenerateRequest& out,
                      QString& error) const;
    JobOutcome outcomeOf(const ldm::Error& error) const;

    std::unique_ptr<ldm::Engine> m_engine;
    ModelDescription m_model;
};

} // namespace ldm::bridge
