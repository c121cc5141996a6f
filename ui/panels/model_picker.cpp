// SPDX-License-Identifier: GPL-3.0-or-later
#include "model_picker.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSettings>

namespace ldm::ui {

namespace {

const QString RecentKey = QStringLiteral("models/recent");
constexpr int MaxRecent = 10;

} // namespace

ModelPicker::ModelPicker(QWidget* parent)
    : QWidget(parent)
    , m_combo(new QComboBox(this))
{
    m_combo->addItem(tr("Default model"), QString());
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(16);
    auto* open = new QPushButton(tr("Open checkpoint…"), this);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_combo, 1);
    layout->addWidget(open);

    QSettings settings;
    const QStringList recent = settings.value(RecentKey).toStringList();
    for (const QString& path : recent) {
        if (QFileInfo::exists(path))
            m_combo->addItem(QFileInfo(path).fileName(), path);
    }
    for (int i = 0; i < m_combo->count(); ++i)
        m_combo->setItemData(i, m_combo->itemData(i), Qt::ToolTipRole);
    connect(open, &QPushButton::clicked, this, &ModelPicker::openCheckpoint);
    connect(m_combo, &QComboBox::currentIndexChanged, this,
            [this] { Q_EMIT checkpointChanged(checkpointPath()); });
}

QString ModelPicker::checkpointPath() const
{
    return m_combo->currentData().toString();
}

void ModelPicker::addCheckpoint(const QString& path)
{
    const int existing = m_combo->findData(path);
    if (existing > 0)
        m_combo->removeItem(existing);
    m_combo->insertItem(1, QFileInfo(path).fileName(), path);
    m_combo->setItemData(1, path, Qt::ToolTipRole);
    while (m_combo->count() > MaxRecent + 1)
        m_combo->removeItem(m_combo->count() - 1);
    m_combo->setCurrentIndex(1);
    saveRecent();
}

bool ModelPicker::selectByName(const QString& name)
{
    for (int i = 1; i < m_combo->count(); ++i) {
        if (m_combo->itemText(i) == name) {
            m_combo->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

void ModelPicker::openCheckpoint()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Checkpoint"), QString(),
        tr("Checkpoints (*.safetensors *.ckpt *.pt *.pth);;All files (*)"));
    if (!path.isEmpty())
        addCheckpoint(path);
}

void ModelPicker::saveRecent() const
{
    QStringList recent;
    for (int i = 1; i < m_combo->count(); ++i)
        recent << m_combo->itemData(i).toString();
    QSettings().setValue(RecentKey, recent);
}

} // namespace ldm::ui
