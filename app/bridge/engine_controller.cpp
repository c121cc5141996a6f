// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine_controller.h"

#include <QMetaObject>

#include <utility>

namespace ldm::bridge {

namespace {

JobSummary summarize(JobId id, const GenerateRequest& request)
{
    JobSummary s;
    s.id = id;
    s.task = QString::fromStdString(request.recipe.task);
    s.prompt = QString::fromStdString(request.recipe.prompt).section(QLatin1Char('\n'), 0, 0);
    s.seed = request.recipe.seed;
    return s;
}

} // namespace

void EngineController::ThreadStopper::operator()(QThread* thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

EngineController::EngineController(QObject* parent)
    : QObject(parent)
    , m_thread(new QThread)
{
    qRegisterMetaType<JobId>("ldm::bridge::JobId");
    qRegisterMetaType<JobOutcome>();
    qRegisterMetaType<ProgressInfo>();
    qRegisterMetaType<Recipe>();
    qRegisterMetaType<ModelDescription>();

    m_thread->setObjectName(QStringLiteral("ldm-engine"));
    m_worker = new EngineWorker(&m_mailbox);
    m_worker->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &EngineWorker::framePosted, this, &EngineController::takeFrames);
    connect(m_worker, &EngineWorker::jobEnded, this, &EngineController::onJobEnded);
    connect(m_worker, &EngineWorker::engineReady, this, [this](const QString& device) {
        m_device = device;
        m_engineError.clear();
        Q_EMIT engineReady(device);
        startNext();
    });
    connect(m_worker, &EngineWorker::modelsListed, this,
            [this](const QStringList& shipped, const QVariantMap& defaults) {
                m_shippedModels = shipped;
                m_defaultModels = defaults;
            });
    connect(m_worker, &EngineWorker::deviceChanged, this, [this](const QString& device) {
        m_device = device;
        Q_EMIT deviceChanged(device);
    });
    connect(m_worker, &EngineWorker::modelLoaded, this, [this](const ModelDescription& model) {
        m_currentModel = model;
        m_knownModels.insert(model.key, model);
        m_failedModels.remove(model.key);
        if (model.key == m_loadingModel)
            m_loadingModel.clear();
        Q_EMIT modelLoaded(model);
    });
    connect(m_worker, &EngineWorker::modelLoadFailed, this,
            [this](const QString& key, const QString& message) {
                if (key == m_loadingModel)
                    m_loadingModel.clear();
                m_failedModels.insert(key, message);
                Q_EMIT modelLoadFailed(key, message);
            });
    connect(m_worker, &EngineWorker::engineFailed, this, [this](const QString& message) {
        m_device.clear();
        m_engineError = message;
        Q_EMIT engineFailed(message);
        // Queued jobs cannot run: fail them now instead of leaving them waiting forever.
        const auto queue = std::exchange(m_queue, {});
        for (const auto& job : queue)
            Q_EMIT jobFailed(job.id, message);
        if (!queue.isEmpty())
            Q_EMIT queueChanged();
    });
    m_thread->start();
}

EngineController::~EngineController()
{
    m_queue.clear();
    if (m_cancel)
        m_cancel->store(true, std::memory_order_release);
    m_thread.reset(); // quit + wait: the running job stops at its next step
}

void EngineController::setEngineFactory(EngineFactory factory)
{
    m_hasFactory = static_cast<bool>(factory);
    m_engineError.clear();
    m_device.clear();
    // A new engine knows nothing of the old one's models.
    m_shippedModels.clear();
    m_defaultModels.clear();
    m_loadingModel.clear();
    m_currentModel = {};
    m_knownModels.clear();
    m_failedModels.clear();
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, factory = std::move(factory)] { worker->createEngine(factory); },
        Qt::QueuedConnection);
}

void EngineController::setEngineOptions(const EngineOptions& options)
{
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, options] { worker->configure(options); },
        Qt::QueuedConnection);
}

void EngineController::loadModel(const QString& nameOrPath)
{
    if (!m_hasFactory || !m_engineError.isEmpty()) {
        Q_EMIT modelLoadFailed(nameOrPath, m_engineError.isEmpty() ? tr("No engine available.")
                                                                   : m_engineError);
        return;
    }
    m_loadingModel = nameOrPath;
    Q_EMIT modelLoadStarted(nameOrPath);
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, nameOrPath] { worker->loadModel(nameOrPath); },
        Qt::QueuedConnection);
}

ModelDescription EngineController::knownModel(const QString& nameOrPath) const
{
    return m_knownModels.value(nameOrPath);
}

JobId EngineController::submit(GenerateRequest request)
{
    if (!hasEngine())
        return 0;
    const JobId id = m_nextId++;
    m_queue.append(Pending{id, std::move(request)});
    Q_EMIT queueChanged();
    startNext();
    return id;
}

bool EngineController::removeQueued(JobId id)
{
    for (qsizetype i = 0; i < m_queue.size(); ++i) {
        if (m_queue[i].id == id) {
            m_queue.removeAt(i);
            Q_EMIT queueChanged();
            return true;
        }
    }
    return false;
}

void EngineController::cancelCurrent()
{
    if (!m_current || !m_cancel)
        return;
    m_cancel->store(true, std::memory_order_release);
    const JobId id = std::exchange(m_current, 0);
    m_cancel.reset();
    m_currentSummary = {};
    Q_EMIT jobCancelled(id);
    Q_EMIT queueChanged();
    startNext();
}

void EngineController::cancelAll()
{
    // Clear first so cancelling the current job does not start the next one.
    const bool hadQueue = !m_queue.isEmpty();
    m_queue.clear();
    if (hadQueue)
        Q_EMIT queueChanged();
    cancelCurrent();
}

QList<JobSummary> EngineController::jobs() const
{
    QList<JobSummary> list;
    if (m_current)
        list.append(m_currentSummary);
    for (const auto& job : m_queue)
        list.append(summarize(job.id, job.request));
    return list;
}

void EngineController::startNext()
{
    // Waits for engineReady, so jobs queued while the model loads start once it is loaded.
    if (m_current || m_queue.isEmpty() || m_device.isEmpty())
        return;
    Pending job = m_queue.takeFirst();
    m_current = job.id;
    m_currentSummary = summarize(job.id, job.request);
    m_currentSummary.running = true;
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker, id = job.id, request = std::move(job.request), cancel = m_cancel] {
            worker->runJob(id, request, cancel);
        },
        Qt::QueuedConnection);
    Q_EMIT jobStarted(job.id);
    Q_EMIT queueChanged();
}

void EngineController::takeFrames()
{
    const FrameMailbox::Frame frame = m_mailbox.take();
    // A frame from a job that already ended (or was cancelled) is stale: never show it.
    if (m_current == 0)
        return;
    if (frame.progressJob == m_current)
        Q_EMIT progressChanged(m_current, frame.progress);
    if (frame.previewJob == m_current && !frame.preview.isNull())
        Q_EMIT previewReady(m_current, frame.preview, frame.previewStep, frame.previewTotal);
}

void EngineController::onJobEnded(JobId id, const JobOutcome& outcome)
{
    if (id != m_current)
        return; // stale: not the job we are waiting for
    m_current = 0;
    m_cancel.reset();
    m_currentSummary = {};
    switch (outcome.status) {
    case JobOutcome::Status::Completed:
        if (!outcome.warnings.isEmpty())
            Q_EMIT jobWarned(id, outcome.warnings);
        Q_EMIT jobFinished(id, outcome.image, outcome.recipe);
        break;
    case JobOutcome::Status::Cancelled:
        Q_EMIT jobCancelled(id);
        break;
    case JobOutcome::Status::Failed:
        Q_EMIT jobFailed(id, outcome.message);
        break;
    }
    Q_EMIT queueChanged();
    startNext();
}

} // namespace ldm::bridge
