// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "frame_mailbox.h"
#include "image_engine.h"

#include <QObject>

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

Q_SIGNALS:
    void engineReady(const QString& device);
    void engineFailed(const QString& message);
    /// New content waits in the mailbox (emitted at most once until the GUI takes it).
    void framePosted();
    void jobEnded(ldm::bridge::JobId id, const ldm::bridge::JobOutcome& outcome);

private:
    FrameMailbox* m_mailbox;
    std::unique_ptr<ImageEngine> m_engine;
    EngineOptions m_options;
};

} // namespace ldm::bridge
