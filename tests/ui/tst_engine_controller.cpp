// SPDX-License-Identifier: GPL-3.0-or-later
#include "bridge/engine_controller.h"
#include "fake_engine.h"

#include <QElapsedTimer>
#include <QPixmap>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

using ldm::bridge::EngineController;
using ldm::bridge::GenerateRequest;
using ldm::bridge::JobId;
using ldm::test::FakeEngine;
using ldm::test::FakeEngineState;

namespace {

GenerateRequest request(quint64 seed, int side = 32)
{
    GenerateRequest r;
    r.recipe.prompt = "a test prompt";
    r.recipe.seed = seed;
    r.recipe.width = side;
    r.recipe.height = side;
    return r;
}

std::unique_ptr<EngineController> makeController(const std::shared_ptr<FakeEngineState>& state)
{
    auto controller = std::make_unique<EngineController>();
    QSignalSpy ready(controller.get(), &EngineController::engineReady);
    controller->setEngineFactory([state] { return std::make_unique<FakeEngine>(state); });
    if (!ready.wait(5000))
        qFatal("engine did not become ready");
    return controller;
}

// Runs the event loop until `done` or the timeout; true when done.
template <typename Predicate> bool waitFor(Predicate done, int timeoutMs = 10000)
{
    return QTest::qWaitFor(done, timeoutMs);
}

} // namespace

class TestEngineController final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withoutEngineRefusesJobs()
    {
        EngineController controller;
        QVERIFY(!controller.hasEngine());
        QCOMPARE(controller.submit(request(1)), JobId(0));
        QVERIFY(controller.jobs().isEmpty());
    }

    void factoryFailureIsReported()
    {
        EngineController controller;
        QSignalSpy failed(&controller, &EngineController::engineFailed);
        controller.setEngineFactory(
            []() -> std::unique_ptr<ldm::bridge::ImageEngine> { throw std::runtime_error("x"); });
        QVERIFY(failed.wait(5000));
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("x")));
        QVERIFY(!controller.hasEngine());
        QCOMPARE(controller.submit(request(1)), JobId(0));
    }

    void previewsArriveInOrderAndJobFinishes()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 30;
        auto controller = makeController(state);
        QSignalSpy previews(controller.get(), &EngineController::previewReady);
        QSignalSpy progress(controller.get(), &EngineController::progressChanged);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        const JobId id = controller->submit(request(7));
        QVERIFY(id != 0);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).value<JobId>(), id);
        const auto recipe = finished.first().at(2).value<ldm::Recipe>();
        QCOMPARE(recipe.engineVersion, std::string("fake-engine"));
        QCOMPARE(finished.first().at(1).value<QImage>().size(), QSize(32, 32));
        QVERIFY(!previews.isEmpty());
        QVERIFY(!progress.isEmpty());
        int lastStep = 0;
        for (const auto& args : std::as_const(previews)) {
            QCOMPARE(args.at(0).value<JobId>(), id);
            const int step = FakeEngine::stepOf(args.at(1).value<QImage>());
            QCOMPARE(step, args.at(2).toInt());
            QVERIFY(step > lastStep); // never an older frame after a newer one
            lastStep = step;
        }
        QVERIFY(state->thread.load() != QThread::currentThreadId());
        QCOMPARE(controller->currentJob(), JobId(0));
    }

    void latestPreviewWins()
    {
        QSemaphore hold;
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 200;
        state->stepMicroseconds = 0;
        state->holdBeforeReturn = &hold;
        auto controller = makeController(state);
        QSignalSpy previews(controller.get(), &EngineController::previewReady);
        const JobId id = controller->submit(request(3));
        // Keep the GUI thread busy (no event processing) while the engine posts 200 frames.
        QElapsedTimer clock;
        clock.start();
        while (state->framesPosted.load() < 200 && clock.elapsed() < 10000)
            QThread::msleep(1);
        QCOMPARE(state->framesPosted.load(), 200);
        QCoreApplication::processEvents();
        // 200 frames were posted but only one event was queued: the newest frame.
        QCOMPARE(previews.size(), 1);
        QCOMPARE(previews.first().at(0).value<JobId>(), id);
        QCOMPARE(FakeEngine::stepOf(previews.first().at(1).value<QImage>()), 200);
        hold.release();
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        QVERIFY(finished.wait(5000));
    }

    void cancelMidJobStopsWithinOneStep()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 100000;
        state->stepMicroseconds = 5000;
        auto controller = makeController(state);
        QSignalSpy previews(controller.get(), &EngineController::previewReady);
        QSignalSpy cancelled(controller.get(), &EngineController::jobCancelled);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        const JobId id = controller->submit(request(1));
        QVERIFY(previews.wait(5000));
        QElapsedTimer clock;
        clock.start();
        controller->cancelCurrent();
        QCOMPARE(cancelled.size(), 1); // the UI hears at once, not after the step
        QCOMPARE(cancelled.first().first().value<JobId>(), id);
        QCOMPARE(controller->currentJob(), JobId(0));
        QVERIFY(waitFor([&] { return state->runsEnded.load() == 1; }, 5000));
        const qint64 latencyMs = clock.elapsed();
        qInfo("engine stopped %lld ms after cancel (one step = 5 ms)", latencyMs);
        QVERIFY(latencyMs < 1000);
        QVERIFY(finished.isEmpty());
    }

    void staleIdsAreDropped()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 40;
        state->stepMicroseconds = 20000;
        state->framesAfterCancel = 5; // the cancelled job keeps reporting after its cancel
        auto controller = makeController(state);
        std::vector<JobId> previewIds;
        std::vector<JobId> progressIds;
        bool cancelledSeen = false;
        JobId firstId = 0;
        int staleAfterCancel = 0;
        connect(controller.get(), &EngineController::previewReady, this,
                [&](JobId id, const QImage& image) {
                    previewIds.push_back(id);
                    if (cancelledSeen && (id == firstId || FakeEngine::seedOf(image) == 1))
                        ++staleAfterCancel;
                });
        connect(controller.get(), &EngineController::progressChanged, this,
                [&](JobId id) { progressIds.push_back(id); });
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        firstId = controller->submit(request(1));
        const JobId secondId = controller->submit(request(2));
        QVERIFY(waitFor([&] { return !previewIds.empty(); }));
        controller->cancelCurrent();
        cancelledSeen = true;
        QCOMPARE(controller->currentJob(), secondId);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().value<JobId>(), secondId);
        QVERIFY(state->framesPosted.load() > int(previewIds.size()));
        QCOMPARE(staleAfterCancel, 0);
        const auto firstProgressOfSecond =
            std::find(progressIds.begin(), progressIds.end(), secondId);
        QVERIFY(std::find(firstProgressOfSecond, progressIds.end(), firstId) == progressIds.end());
    }

    void queueAndRemove()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 10;
        state->stepMicroseconds = 10000;
        auto controller = makeController(state);
        QSignalSpy started(controller.get(), &EngineController::jobStarted);
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        const JobId a = controller->submit(request(1));
        const JobId b = controller->submit(request(2));
        const JobId c = controller->submit(request(3));
        const auto jobs = controller->jobs();
        QCOMPARE(jobs.size(), 3);
        QCOMPARE(jobs[0].id, a);
        QVERIFY(jobs[0].running);
        QCOMPARE(jobs[1].id, b);
        QVERIFY(!jobs[1].running);
        QVERIFY(!controller->removeQueued(a)); // running: cancel it instead
        QVERIFY(controller->removeQueued(b));
        QVERIFY(!controller->removeQueued(b));
        QCOMPARE(controller->jobs().size(), 2);
        QVERIFY(waitFor([&] { return finished.size() == 2; }));
        QCOMPARE(started.size(), 2);
        QCOMPARE(started[0].first().value<JobId>(), a);
        QCOMPARE(started[1].first().value<JobId>(), c);
        QCOMPARE(state->runsStarted.load(), 2);
    }

    void throwingEngineFailsTheJob()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->throwInRun = true;
        auto controller = makeController(state);
        QSignalSpy failed(controller.get(), &EngineController::jobFailed);
        const JobId id = controller->submit(request(1));
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<JobId>(), id);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("fake failure")));
    }

    void destructionDuringJobNeitherHangsNorCrashes()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 100000;
        state->stepMicroseconds = 5000;
        auto controller = makeController(state);
        QSignalSpy previews(controller.get(), &EngineController::previewReady);
        controller->submit(request(1));
        controller->submit(request(2));
        QVERIFY(previews.wait(5000));
        QElapsedTimer clock;
        clock.start();
        controller.reset();
        QVERIFY(clock.elapsed() < 2000);
        QCOMPARE(state->runsStarted.load(), 1);
        QVERIFY(!state->running.load());
    }

    // The GUI thread must stay responsive while the engine thread is saturated and posting a
    // 512×512 preview every millisecond (far faster than any real sampler).
    void eventLoopLatencyDuringBusyJob()
    {
        auto state = std::make_shared<FakeEngineState>();
        state->steps = 2000;
        state->stepMicroseconds = 1000;
        state->previewSize = QSize(512, 512);
        auto controller = makeController(state);
        int shown = 0;
        connect(controller.get(), &EngineController::previewReady, this,
                [&](JobId, const QImage& image) {
                    const QPixmap pixmap = QPixmap::fromImage(image); // what PreviewView does
                    shown += pixmap.isNull() ? 0 : 1;
                });
        QSignalSpy finished(controller.get(), &EngineController::jobFinished);
        constexpr int IntervalMs = 5;
        std::vector<qint64> lateness;
        QElapsedTimer clock;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(IntervalMs);
        qint64 last = 0;
        connect(&probe, &QTimer::timeout, this, [&] {
            const qint64 now = clock.nsecsElapsed();
            if (last)
                lateness.push_back(std::max<qint64>(0, now - last - IntervalMs * 1000000LL));
            last = now;
        });
        clock.start();
        probe.start();
        controller->submit(request(9));
        QVERIFY(finished.wait(60000));
        probe.stop();
        QVERIFY(lateness.size() > 50);
        std::sort(lateness.begin(), lateness.end());
        const double p50 = lateness[lateness.size() / 2] / 1e6;
        const double p99 = lateness[lateness.size() * 99 / 100] / 1e6;
        qInfo("event-loop lateness over %zu ticks: p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
              "%d of %d frames shown",
              lateness.size(), p50, p99, lateness.back() / 1e6, shown, state->framesPosted.load());
        QVERIFY2(p99 < 50.0, "GUI thread blocked too long during a busy job");
        QVERIFY(shown < state->framesPosted.load()); // frames were coalesced, not queued
    }
};

QTEST_MAIN(TestEngineController)
#include "tst_engine_controller.moc"
