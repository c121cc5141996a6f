// SPDX-License-Identifier: GPL-3.0-or-later
#include "job_queue_view.h"

#include "bridge/engine_controller.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace ldm::ui {

namespace {

QString taskLabel(const QString& task)
{
    if (task == QLatin1String("paint"))
        return JobQueueView::tr("Paint");
    if (task == QLatin1String("upscale"))
        return JobQueueView::tr("Upscale");
    return JobQueueView::tr("Prompt");
}

} // namespace

JobQueueView::JobQueueView(bridge::EngineController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_list(new QListWidget(this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_cancel(new QPushButton(tr("Cancel Running"), this))
{
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_remove->setToolTip(tr("Remove the selected waiting jobs"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_remove);
    buttons->addWidget(m_cancel);
    buttons->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_list, 1);
    layout->addLayout(buttons);
    connect(controller, &bridge::EngineController::queueChanged, this, &JobQueueView::refresh);
    connect(m_remove, &QPushButton::clicked, this, &JobQueueView::removeSelected);
    connect(m_cancel, &QPushButton::clicked, controller, &bridge::EngineController::cancelCurrent);
    connect(m_list, &QListWidget::itemSelectionChanged, this, &JobQueueView::refresh);
    auto* removeKey = new QAction(this);
    removeKey->setShortcut(QKeySequence::Delete);
    removeKey->setShortcutContext(Qt::WidgetShortcut);
    connect(removeKey, &QAction::triggered, this, &JobQueueView::removeSelected);
    m_list->addAction(removeKey);
    refresh();
}

void JobQueueView::refresh()
{
    const auto jobs = m_controller->jobs();
    QSet<quint64> selected;
    for (const QListWidgetItem* item : m_list->selectedItems())
        selected.insert(item->data(Qt::UserRole).toULongLong());
    const QSignalBlocker block(m_list);
    m_list->clear();
    bool removable = false;
    for (const auto& job : jobs) {
        const QString state = job.running ? tr("running") : tr("waiting");
        const QString prompt = job.prompt.isEmpty() ? QStringLiteral("–") : job.prompt;
        auto* item = new QListWidgetItem(tr("#%1 %2 · %3 · seed %4 · %5")
                                             .arg(job.id)
                                             .arg(taskLabel(job.task), state)
                                             .arg(job.seed)
                                             .arg(prompt),
                                         m_list);
        item->setData(Qt::UserRole, QVariant::fromValue<quint64>(job.id));
        item->setData(Qt::UserRole + 1, job.running);
        if (job.running) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
        }
        if (selected.contains(job.id)) {
            item->setSelected(true);
            removable = removable || !job.running;
        }
    }
    if (jobs.isEmpty())
        m_list->addItem(tr("No jobs. Generated pictures go to the Gallery."));
    m_remove->setEnabled(removable);
    m_cancel->setEnabled(m_controller->currentJob() != 0);
}

void JobQueueView::removeSelected()
{
    for (const QListWidgetItem* item : m_list->selectedItems()) {
        if (!item->data(Qt::UserRole + 1).toBool())
            m_controller->removeQueued(item->data(Qt::UserRole).toULongLong());
    }
}

} // namespace ldm::ui
