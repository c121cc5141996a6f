// SPDX-License-Identifier: GPL-3.0-or-later
// Event-loop helpers shared by the screenshot modes of the desktop app (--screenshot-dir and
// --first-start-dir): they run the app's own event loop while waiting for the engine.
#pragma once

#include "bridge/engine_controller.h"
#include "main_window.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QPixmap>
#include <QThread>

#include <cstdio>

namespace ldm::desktop {

/// Lets pending layout and paint events run, so a grab shows the settled window.
inline void settle()
{
    for (int i = 0; i < 5; ++i) {
        QApplication::processEvents();
        QThread::msleep(40);
    }
}

/// Runs the event loop until `done` or `seconds` pass; true when done.
template <typename Done> bool waitFor(Done done, int seconds)
{
    const QDeadlineTimer deadline(seconds * 1000);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
        QThread::msleep(10);
    }
    return true;
}

/// Runs the current page's Generate and waits for the queue to empty; false on a timeout.
inline bool generateAndWait(ui::MainWindow& window, bridge::EngineController& controller)
{
    bool ended = false;
    const auto done = QObject::connect(&controller, &bridge::EngineController::queueChanged,
                                       [&] { ended = controller.jobs().isEmpty(); });
    window.generate();
    const bool finished = waitFor([&] { return ended; }, 900);
    QObject::disconnect(done);
    return finished;
}

/// Saves what the window shows (QWidget::grab(), no X server needed) and prints the path.
inline bool grabTo(ui::MainWindow& window, const QString& path)
{
    settle();
    if (!window.grab().save(path)) {
        std::fprintf(stderr, "cannot save %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

} // namespace ldm::desktop
