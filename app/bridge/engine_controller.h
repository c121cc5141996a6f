// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine_worker.h"
#include "frame_mailbox.h"
#include "image_engine.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QThread>
#include <QVariantMap>

#include <memory>

namespace ldm::bridge {

/// One entry of the job list the UI shows.
struct JobSummary
{
    JobId id = 0;
    QString task;   ///< recipe task ("txt2img", ...)
    QString prompt; ///< first line of the prompt
    quint64 seed = 0;
    bool running = false; ///< false = waiting in the queue
};

/// GUI-thread facade over the engine thread.
///
/// Jobs wait in a queue owned here (so the UI can list and remove them) and go to the worker
/// one at a time. Cancel sets an atomic flag the engine checks every step (engine-side
/// latency: one sampler step) and abandons the job at once: jobCancelled is emitted
/// immediately and the next job is handed over, because on a CPU a step can take seconds and
/// the UI should not wait for it. Whatever the abandoned job still reports carries a stale id
/// and is dropped, as is anything else not from the current job. Previews are coalesced
/// (latest wins). Destruction cancels the running job, then quits and waits for the thread.
class EngineController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineController)

public:
    explicit EngineController(QObject* parent = nullptr);
    ~EngineController() override;

    /// The hook for the real engine: the factory runs on the engine thread. Without one,
    /// submit() refuses jobs and the UI says "No engine available".
    void setEngineFactory(EngineFactory factory);
    bool hasEngine() const { return m_hasFactory && m_engineError.isEmpty(); }
    /// "" until the engine reported ready.
    QString deviceName() const { return m_device; }
    /// Why the engine is unavailable ("" when it is fine or not yet started).
    QString engineError() const { return m_engineError; }
    void setEngineOptions(const EngineOptions& options);

    /// Names of the shipped models the engine found (known once the engine is ready).
    QStringList shippedModels() const { return m_shippedModels; }
    /// The shipped model meant for a task, or "" (known once the engine is ready).
    QString defaultModelFor(const QString& task) const
    {
        return m_defaultModels.value(task).toString();
    }
    /// Asks the engine to load a model (after the running job, if any). Ends with modelLoaded
    /// or modelLoadFailed; modelLoadStarted is emitted now.
    void loadModel(const QString& nameOrPath);
    /// The key of a model being loaded on request, or "".
    QString loadingModel() const { return m_loadingModel; }
    /// What is known about a model loaded earlier in this session (invalid when nothing is).
    ModelDescription knownModel(const QString& nameOrPath) const;
    /// Why the last load of a model failed, or "" (it loaded, or was never tried).
    QString modelLoadError(const QString& nameOrPath) const
    {
        return m_failedModels.value(nameOrPath);
    }
    /// The engine's current model (invalid until one is loaded).
    ModelDescription currentModel() const { return m_currentModel; }

    /// Queues a job; returns its id, or 0 (nothing queued) when there is no engine.
    JobId submit(GenerateRequest request);
    /// Removes a job that has not started. Returns false for unknown or running jobs.
    bool removeQueued(JobId id);
    /// Stops the running job: emits jobCancelled now, the engine stops within one step.
    void cancelCurrent();
    /// Empties the queue and cancels the running job.
    void cancelAll();

    JobId currentJob() const { return m_current; }
    /// The running job first, then the queue in order.
    QList<JobSummary> jobs() const;

Q_SIGNALS:
    void engineReady(const QString& device);
    void engineFailed(const QString& message);
    /// The device text changed (e.g. after the thread count changed).
    void deviceChanged(const QString& device);
    void modelLoadStarted(const QString& nameOrPath);
    void modelLoaded(const ldm::bridge::ModelDescription& model);
    void modelLoadFailed(const QString& nameOrPath, const QString& message);
    void queueChanged();
    void jobStarted(ldm::bridge::JobId id);
    void previewReady(ldm::bridge::JobId id, const QImage& image, int step, int total);
    void progressChanged(ldm::bridge::JobId id, const ldm::bridge::ProgressInfo& progress);
    /// Emitted just before jobFinished when the engine had something to say about the result.
    void jobWarned(ldm::bridge::JobId id, const QStringList& warnings);
    void jobFinished(ldm::bridge::JobId id, const QImage& image, const ldm::Recipe& recipe);
    void jobFailed(ldm::bridge::JobId id, const QString& message);
    void jobCancelled(ldm::bridge::JobId id);

private:
    struct Pending
    {
        JobId id;
        GenerateRequest request;
    };
    struct ThreadStopper
    {
        void operator()(QThread* thread) const;
    };

    void startNext();
    void takeFrames();
    void onJobEnded(JobId id, const JobOutcome& outcome);

    // Declared before the thread so it outlives it: the worker writes into it until it stops.
    FrameMailbox m_mailbox;
    std::unique_ptr<QThread, ThreadStopper> m_thread;
    EngineWorker* m_worker = nullptr; // lives on m_thread, deleted when it finishes

    QList<Pending> m_queue;
    JobId m_nextId = 1;
    JobId m_current = 0;
    JobSummary m_currentSummary;
    CancelFlag m_cancel;
    bool m_hasFactory = false;
    QString m_device;
    QString m_engineError;
    QStringList m_shippedModels;
    QVariantMap m_defaultModels;
    QString m_loadingModel;
    ModelDescription m_currentModel;
    QHash<QString, ModelDescription> m_knownModels;
    QHash<QString, QString> m_failedModels;
};

} // namespace ldm::bridge
