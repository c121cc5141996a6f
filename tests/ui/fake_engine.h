// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Test double for the controller's threading logic. It produces no pictures worth looking at:
// each preview is a flat colour that encodes (seed, step) so a test can tell frames apart.

#include "bridge/image_engine.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QThread>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace ldm::test {

/// Shared between a FakeEngine (engine thread) and the test (GUI thread).
struct FakeEngineState
{
    int steps = 20;
    int stepMicroseconds = 2000; ///< busy-waits this long per step (a CPU-bound sampler)
    QSize previewSize{64, 64};
    int framesAfterCancel = 0; ///< late frames posted after noticing cancel (stale on arrival)
    bool throwInRun = false;
    QSemaphore* holdBeforeReturn = nullptr; ///< when set, run() waits on it after the last step

    std::atomic<int> runsStarted{0};
    std::atomic<int> runsEnded{0};
    std::atomic<int> framesPosted{0};
    std::atomic<bool> running{false};
    std::atomic<Qt::HANDLE> thread{nullptr};

    /// The request run() received last, as the engine saw it (read under `requestMutex`).
    bridge::GenerateRequest lastRequest;
    std::mutex requestMutex;
};

class FakeEngine final : public bridge::ImageEngine
{
public:
    explicit FakeEngine(std::shared_ptr<FakeEngineState> state)
        : m_state(std::move(state))
    {
    }

    QString deviceName() const override { return QStringLiteral("test double"); }

    bridge::JobOutcome run(const bridge::GenerateRequest& request,
                           bridge::JobContext& context) override
    {
        FakeEngineState& s = *m_state;
        s.thread = QThread::currentThreadId();
        s.running = true;
        ++s.runsStarted;
        {
            const std::lock_guard<std::mutex> lock(s.requestMutex);
            s.lastRequest = request;
        }
        const auto finish = [&s](bridge::JobOutcome outcome) {
            s.running = false;
            ++s.runsEnded;
            return outcome;
        };
        if (s.throwInRun) {
            s.running = false;
            ++s.runsEnded;
            throw std::runtime_error("fake failure");
        }
        for (int step = 1; step <= s.steps; ++step) {
            if (context.isCancelled()) {
                for (int i = 0; i < s.framesAfterCancel; ++i)
                    post(request, context, step, s.steps);
                return finish(bridge::JobOutcome::cancelled());
            }
            busyWait(s.stepMicroseconds);
            post(request, context, step, s.steps);
            context.reportProgress(step, s.steps);
        }
        if (s.holdBeforeReturn)
            s.holdBeforeReturn->acquire();
        Recipe done = request.recipe;
        done.engineVersion = "fake-engine";
        QImage result(request.recipe.width, request.recipe.height, QImage::Format_RGB32);
        result.fill(encode(request.recipe.seed, s.steps));
        return finish(bridge::JobOutcome::completed(result, done));
    }

    /// Colour of the preview of `seed` at `step`.
    static QRgb encode(quint64 seed, int step)
    {
        return qRgb(static_cast<int>(seed & 0xff), (step >> 8) & 0xff, step & 0xff);
    }
    static int stepOf(const QImage& image)
    {
        const QRgb c = image.pixel(0, 0);
        return (qGreen(c) << 8) | qBlue(c);
    }
    static int seedOf(const QImage& image) { return qRed(image.pixel(0, 0)); }

private:
    void post(const bridge::GenerateRequest& request, bridge::JobContext& context, int step,
              int total)
    {
        QImage frame(m_state->previewSize, QImage::Format_RGB32);
        frame.fill(encode(request.recipe.seed, step));
        context.reportPreview(frame, step, total);
        ++m_state->framesPosted;
    }

    static void busyWait(int microseconds)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.nsecsElapsed() < qint64(microseconds) * 1000) {
        }
    }

    std::shared_ptr<FakeEngineState> m_state;
};

} // namespace ldm::test
