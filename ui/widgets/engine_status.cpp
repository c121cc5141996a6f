// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QRegularExpression>

namespace ldm::ui {

EngineStatus::EngineStatus(QWidget* parent)
    : QWidget(parent)
    , m_device(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_steps(new QLabel(this))
{
    m_progress->setFixedWidth(180);
    m_progress->setTextVisible(false);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_steps);
    layout->addWidget(m_progress);
    layout->addWidget(m_device);
    clearProgress();
}

void EngineStatus::setDevice(const QString& device)
{
    m_device->setText(tr("Device: %1").arg(device));
    m_device->setToolTip(QString());
}

void EngineStatus::setNoEngine(const QString& reason)
{
    m_device->setText(tr("No engine"));
    m_device->setToolTip(reason);
}

QString EngineStatus::formatDuration(qint64 ms)
{
    const qint64 total = (ms + 500) / 1000;
    const qint64 h = total / 3600;
    const qint64 m = (total / 60) % 60;
    const qint64 s = total % 60;
    const QString mmss = QStringLiteral("%1:%2")
                             .arg(h ? m : total / 60, h ? 2 : 1, 10, QLatin1Char('0'))
                             .arg(s, 2, 10, QLatin1Char('0'));
    return h ? QStringLiteral("%1:%2").arg(h).arg(mmss) : mmss;
}

QString EngineStatus::stageText(const QString& stage)
{
    if (stage == QLatin1String("loading"))
        return tr("Loading the model…");
    if (stage == QLatin1String("encoding"))
        return tr("Encoding");
    if (stage == QLatin1String("decoding"))
        return tr("Decoding");
    if (stage == QLatin1String("sampling") || stage.isEmpty())
        return tr("Sampling");
    static const QRegularExpression tile(QStringLiteral("^tile (\\d+)/(\\d+)$"));
    const auto match = tile.match(stage);
    if (match.hasMatch())
        return tr("Tile %1 of %2").arg(match.captured(1), match.captured(2));
    return stage;
}

void EngineStatus::showProgress(const bridge::ProgressInfo& p)
{
    m_progress->setVisible(true);
    if (p.total <= 0) {
        // Nothing countable yet (a model loads): a busy bar rather than a frozen 0 %.
        m_progress->setRange(0, 0);
        m_steps->setText(stageText(p.stage));
        return;
    }
    m_progress->setRange(0, p.total);
    m_progress->setValue(p.step);
    const QString eta = p.etaMs >= 0 ? formatDuration(p.etaMs) : tr("estimating");
    const QString steps = tr("Step %1/%2 · %3 elapsed · ETA %4")
                              .arg(p.step)
                              .arg(p.total)
                              .arg(formatDuration(p.elapsedMs), eta);
    m_steps->setText(p.stage.isEmpty() ? steps : tr("%1 · %2").arg(stageText(p.stage), steps));
}

void EngineStatus::showModelLoading(const QString& model)
{
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);
    m_steps->setText(tr("Loading %1…").arg(model));
}

void EngineStatus::showWaiting()
{
    m_progress->setVisible(true);
    m_progress->setRange(0, 0); // busy indicator until the first step reports
    m_steps->setText(tr("Starting…"));
}

void EngineStatus::clearProgress()
{
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setVisible(false);
    m_steps->clear();
}

} // namespace ldm::ui
