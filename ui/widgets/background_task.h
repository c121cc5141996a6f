// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// File work that takes seconds (zip export and import) runs on Qt's thread pool while a
// window-modal progress dialog counts items and offers Cancel; the GUI thread keeps painting.

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QPointer>
#include <QProgressDialog>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <atomic>
#include <functional>
#include <memory>

namespace ldm::ui {

/// Where a background task stands; written by the task, read by the GUI timer.
struct TaskProgress
{
    std::atomic<int> done{0};
    std::atomic<int> total{0};
    std::atomic<bool> cancelled{false};

    /// The callback shape of the bridge's archive functions: records and says "go on?".
    bool report(int doneItems, int totalItems)
    {
        done = doneItems;
        total = totalItems;
        return !cancelled;
    }
};

/// Runs `work(progress)` off the GUI thread and `finished(result)` back on it (not called
/// when `parent` is gone by then). The dialog appears only when the work takes a moment.
template <typename T>
void runWithProgress(QWidget* parent, const QString& label, std::function<T(TaskProgress&)> work,
                     std::function<void(const T&)> finished)
{
    auto progress = std::make_shared<TaskProgress>();
    auto* dialog = new QProgressDialog(
        label, QCoreApplication::translate("ldm::ui::BackgroundTask", "Cancel"), 0, 0, parent);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(400);
    dialog->setAutoClose(false);
    dialog->setAutoReset(false);
    auto* timer = new QTimer(dialog);
    QObject::connect(timer, &QTimer::timeout, dialog, [dialog, progress] {
        const int total = progress->total;
        if (total > 0 && dialog->maximum() != total)
            dialog->setMaximum(total);
        dialog->setValue(progress->done);
    });
    QObject::connect(dialog, &QProgressDialog::canceled, dialog,
                     [progress] { progress->cancelled = true; });
    timer->start(100);

    auto* watcher = new QFutureWatcher<T>(dialog);
    QPointer<QWidget> guard(parent);
    QObject::connect(watcher, &QFutureWatcher<T>::finished, dialog,
                     [watcher, dialog, guard, finished] {
                         const T result = watcher->result();
                         dialog->hide();
                         dialog->deleteLater();
                         if (guard)
                             finished(result);
                     });
    watcher->setFuture(QtConcurrent::run([work, progress] { return work(*progress); }));
}

} // namespace ldm::ui
