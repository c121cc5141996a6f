// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "frame_mailbox.h"
#include "image_engine.h"

#include <QObject>
#include <QVariantMap>

#include <atomic>
#include <memory>

namespace ldm::bridge {

/// Shared between the GUI (writes) and the engine (reads); set directly, never through the
/// worker's event loop, because that loop is blocked while a job runs.
using CancelFlag = std::shared_ptr<std::atomic<bool>>;
static_assert(std::atomic<bool>::is_always_lock_free, "cancel must not take a lock");

/// Lives on the engine thread and owns the ImageEngine. All its methods run on that thread;
/// the controller reaches them with QMetaObject::invokeMethod.
class EngineWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineWorker)

public:
    explicit EngineWorker(FrameMailbox* mailbox);
    ~EngineWorker() override;

    /// Builds the engine (replacing any previous one); reports engineReady or engineFailed.
    void createEngine(const EngineFactory& factory);
    /// Forwards options to the engine, if any.
    void configure(const EngineOptions& options);
    /// Runs one job and always ends with exactly one jobEnded.
    void runJob(JobId id, const GenerateRequest& request, const CancelFlag& cancel);
    /// Loads a model between jobs; ends with modelLoaded or modelLoadFailed.
    void loadModel(const QString& nameOrPath);

Q_SIGNALS:
    /// Emitted once after the engine is built, before engineReady. `defaults` maps each task
    /// to the shipped model meant for it.
    void modelsListed(const QStringList& shipped, const QVariantMap& defaults);
    void engineReady(const QString& device);
    void engineFailed(const QString& message);
    /// The device text changed (e.g. the thread count).
    void deviceChanged(const QString& device);
    /// A model was loaded, by loadModel() or because a job asked for another one.
    void modelLoaded(const ldm::bridge::ModelDescription& model);
    void modelLoadFailed(const QString& nameOrPath, const QString& message);
    /// New content waits in the mailbox (emitted at most once until the GUI takes it).
    void framePosted();
    void jobEnded(ldm::bridge::JobId id, const ldm::bridge::JobOutcome& outcome);

private:
    /// Reports the engine's model when it is not the one last reported.
    void announceModel();

    FrameMailbox* m_mailbox;
    std::unique_ptr<ImageEngine> m_engine;
    EngineOptions m_options;
    QString m_announcedModel; ///< key of the model last reported through modelLoaded
    QString m_announcedDevice;
};

} // namespace ldm::bridge
