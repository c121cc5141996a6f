// SPDX-License-Identifier: GPL-3.0-or-later
#include "frame_mailbox.h"

#include <utility>

namespace ldm::bridge {

bool FrameMailbox::postPreview(JobId job, const QImage& image, int step, int total)
{
    QImage previous;
    QMutexLocker lock(&m_mutex);
    // Release the replaced frame's pixels outside the lock: freeing a large buffer is not free.
    previous = std::exchange(m_frame.preview, image);
    m_frame.previewJob = job;
    m_frame.previewStep = step;
    m_frame.previewTotal = total;
    const bool wake = !m_wakePending;
    m_wakePending = true;
    lock.unlock();
    return wake;
}

bool FrameMailbox::postProgress(JobId job, const ProgressInfo& progress)
{
    QMutexLocker lock(&m_mutex);
    m_frame.progressJob = job;
    m_frame.progress = progress;
    const bool wake = !m_wakePending;
    m_wakePending = true;
    return wake;
}

FrameMailbox::Frame FrameMailbox::take()
{
    QMutexLocker lock(&m_mutex);
    m_wakePending = false;
    return std::exchange(m_frame, Frame{});
}

} // namespace ldm::bridge
