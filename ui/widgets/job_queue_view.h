// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QListWidget;
class QPushButton;

namespace ldm::bridge {
class EngineController;
} // namespace ldm::bridge

namespace ldm::ui {

/// The running job and the queue behind it; queued jobs can be removed, the running one
/// cancelled.
class JobQueueView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobQueueView)

public:
    explicit JobQueueView(bridge::EngineController* controller, QWidget* parent = nullptr);

private:
    void refresh();
    void removeSelected();

    bridge::EngineController* m_controller;
    QListWidget* m_list;
    QPushButton* m_remove;
    QPushButton* m_cancel;
};

} // namespace ldm::ui
