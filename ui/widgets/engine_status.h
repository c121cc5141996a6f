// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"

#include <QWidget>

class QLabel;
class QProgressBar;

namespace ldm::ui {

/// Status-bar block: which device the engine runs on, and the running job's step, elapsed
/// time and ETA.
class EngineStatus final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineStatus)

public:
    explicit EngineStatus(QWidget* parent = nullptr);

    void setDevice(const QString& device);
    void setNoEngine(const QString& reason);
    void showProgress(const bridge::ProgressInfo& progress);
    void showWaiting();
    /// Busy indicator while a model loads outside a job.
    void showModelLoading(const QString& model);
    void clearProgress();
    /// The engine's stage words in the user's language ("decoding" -> "Decoding").
    static QString stageText(const QString& stage);

    /// "1:05" or "1:02:03".
    static QString formatDuration(qint64 ms);

private:
    QLabel* m_device;
    QProgressBar* m_progress;
    QLabel* m_steps;
};

} // namespace ldm::ui
