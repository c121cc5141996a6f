// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "image_engine.h"

#include <QMutex>

namespace ldm::bridge {

/// Hands the newest preview and progress from the engine thread to the GUI thread.
///
/// The engine may report far faster than the screen refreshes. Instead of queueing one event
/// per frame (which floods the event loop and shows stale frames late), the engine overwrites a
/// single slot and only wakes the GUI when no wake-up is already pending: at most one event is
/// ever in flight, and the GUI always takes the latest frame (Qt's mandelbrot example restarts
/// the same way).
class FrameMailbox final
{
public:
    struct Frame
    {
        JobId previewJob = 0; ///< 0 when no new preview
        QImage preview;
        int previewStep = 0;
        int previewTotal = 0;
        JobId progressJob = 0; ///< 0 when no new progress
        ProgressInfo progress;
    };

    FrameMailbox() = default;
    Q_DISABLE_COPY_MOVE(FrameMailbox)

    /// Engine side. Returns true when the caller must wake the GUI thread.
    bool postPreview(JobId job, const QImage& image, int step, int total);
    /// Engine side. Returns true when the caller must wake the GUI thread.
    bool postProgress(JobId job, const ProgressInfo& progress);
    /// GUI side: takes everything posted since the last call and re-arms the wake-up.
    Frame take();

private:
    QMutex m_mutex;
    Frame m_frame;
    bool m_wakePending = false;
};

} // namespace ldm::bridge
