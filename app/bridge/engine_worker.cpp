// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine_worker.h"

#include <QElapsedTimer>

#include <exception>

namespace ldm::bridge {

namespace {

class WorkerJobContext final : public JobContext
{
public:
    WorkerJobContext(JobId id, CancelFlag cancel, FrameMailbox* mailbox, EngineWorker* worker)
        : m_id(id)
        , m_cancel(std::move(cancel))
        , m_mailbox(mailbox)
        , m_worker(worker)
    {
        m_clock.start();
    }

    bool isCancelled() const override { return m_cancel->load(std::memory_order_acquire); }

    void reportProgress(int step, int total) override
    {
        ProgressInfo info;
        info.step = step;
        info.total = total;
        info.elapsedMs = m_clock.elapsed();
        if (step > 0 && total >= step)
            info.etaMs = info.elapsedMs * (total - step) / step;
        if (m_mailbox->postProgress(m_id, info))
            Q_EMIT m_worker->framePosted();
    }

    void reportProgress(const ProgressInfo& progress) override
    {
        if (m_mailbox->postProgress(m_id, progress))
            Q_EMIT m_worker->framePosted();
    }

    void reportPreview(const QImage& image, int step, int total) override
    {
        if (m_mailbox->postPreview(m_id, image, step, total))
            Q_EMIT m_worker->framePosted();
    }

private:
    JobId m_id;
    CancelFlag m_cancel;
    FrameMailbox* m_mailbox;
    EngineWorker* m_worker;
    QElapsedTimer m_clock;
};

} // namespace

EngineWorker::EngineWorker(FrameMailbox* mailbox)
    : m_mailbox(mailbox)
{
}

// Defined here so the engine (and its models) is destroyed on the engine thread, where the
// worker is deleted via deleteLater when the thread finishes.
EngineWorker::~EngineWorker() = default;

void EngineWorker::createEngine(const EngineFactory& factory)
{
    m_engine.reset();
    try {
        m_engine = factory ? factory() : nullptr;
    } catch (const std::exception& e) {
        m_engine.reset();
        Q_EMIT engineFailed(tr("The engine could not start: %1").arg(QString::fromUtf8(e.what())));
        return;
    } catch (...) {
        m_engine.reset();
        Q_EMIT engineFailed(tr("The engine could not start (unknown error)."));
        return;
    }
    if (!m_engine) {
        Q_EMIT engineFailed(tr("No engine available."));
        return;
    }
    m_engine->configure(m_options);
    m_announcedModel.clear();
    m_announcedDevice = m_engine->deviceName();
    QVariantMap defaults;
    for (const QString& task : {QStringLiteral("txt2img"), QStringLiteral("paint"),
                                QStringLiteral("upscale"), QStringLiteral("inpaint")})
        defaults.insert(task, m_engine->defaultModelFor(task));
    Q_EMIT modelsListed(m_engine->shippedModels(), defaults);
    Q_EMIT engineReady(m_announcedDevice);
}

void EngineWorker::configure(const EngineOptions& options)
{
    m_options = options;
    if (!m_engine)
        return;
    m_engine->configure(options);
    const QString device = m_engine->deviceName();
    if (device != m_announcedDevice) {
        m_announcedDevice = device;
        Q_EMIT deviceChanged(device);
    }
}

void EngineWorker::loadModel(const QString& nameOrPath)
{
    if (!m_engine) {
        Q_EMIT modelLoadFailed(nameOrPath, tr("No engine available."));
        return;
    }
    Result<ModelDescription> loaded = makeError(ErrorCode::Internal, std::string());
    try {
        loaded = m_engine->loadModel(nameOrPath);
    } catch (const std::bad_alloc&) {
        loaded = makeError(ErrorCode::OutOfMemory, tr("Out of memory.").toStdString());
    } catch (const std::exception& e) {
        loaded = makeError(ErrorCode::Internal, e.what());
    } catch (...) {
        loaded = makeError(ErrorCode::Internal, tr("Unknown error.").toStdString());
    }
    if (!loaded.ok()) {
        Q_EMIT modelLoadFailed(nameOrPath, QString::fromStdString(loaded.error().message));
        return;
    }
    // Always report a requested load, even of the model already loaded: the UI waits for it.
    m_announcedModel = loaded->key;
    Q_EMIT modelLoaded(loaded.value());
}

void EngineWorker::announceModel()
{
    const ModelDescription model = m_engine->currentModel();
    if (model.isValid() && model.key != m_announcedModel) {
        m_announcedModel = model.key;
        Q_EMIT modelLoaded(model);
    }
}

void EngineWorker::runJob(JobId id, const GenerateRequest& request, const CancelFlag& cancel)
{
    if (!m_engine) {
        Q_EMIT jobEnded(id, JobOutcome::failed(tr("No engine available.")));
        return;
    }
    if (cancel->load(std::memory_order_acquire)) {
        Q_EMIT jobEnded(id, JobOutcome::cancelled());
        return;
    }
    WorkerJobContext context(id, cancel, m_mailbox, this);
    JobOutcome outcome;
    // Exceptions must never cross the event loop; a throwing engine is a failed job.
    try {
        outcome = m_engine->run(request, context);
    } catch (const std::bad_alloc&) {
        outcome = JobOutcome::failed(
            tr("Out of memory. Try a smaller image, fewer steps or bf16 precision."));
    } catch (const std::exception& e) {
        outcome = JobOutcome::failed(tr("The engine failed: %1").arg(QString::fromUtf8(e.what())));
    } catch (...) {
        outcome = JobOutcome::failed(tr("The engine failed with an unknown error."));
    }
    // The job may have switched models; the UI learns before it sees the result.
    announceModel();
    Q_EMIT jobEnded(id, outcome);
}

} // namespace ldm::bridge
