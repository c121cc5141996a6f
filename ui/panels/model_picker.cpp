// SPDX-License-Identifier: GPL-3.0-or-later
#include "model_picker.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace ldm::ui {

namespace {

const QString RecentKey = QStringLiteral("models/recent");
constexpr int MaxRecent = 10;

} // namespace

QString upscalerNeededText(const QString& installed)
{
    if (!installed.isEmpty())
        return ModelPicker::tr("This model cannot upscale; choose %1 in the list.").arg(installed);
    // Often the list has no model that upscales at all: say so, which files do and where they
    // come from rather than "choose another one".
    return ModelPicker::tr(
        "No upscaling model is installed; the models listed here cannot upscale. Upscaling "
        "needs a super-resolution checkpoint: the CompVis LDM model bsr_sr (model.ckpt with its "
        "project.yaml) or Stability's x4-upscaler-ema.safetensors (from "
        "ommer-lab.com/files/latent-diffusion/sr_bsr.zip or "
        "huggingface.co/stabilityai/stable-diffusion-x4-upscaler), then choose it with Open "
        "checkpoint….");
}

QString taskDisplayName(const QString& task)
{
    if (task == QLatin1String("txt2img"))
        return ModelPicker::tr("generate from text");
    if (task == QLatin1String("paint"))
        return ModelPicker::tr("paint from a map");
    if (task == QLatin1String("upscale"))
        return ModelPicker::tr("upscale");
    if (task == QLatin1String("inpaint"))
        return ModelPicker::tr("fill a masked area");
    if (task == QLatin1String("img2img"))
        return ModelPicker::tr("redraw a picture");
    return task;
}

ModelPicker::ModelPicker(const QString& task, const QString& settingsKey, QWidget* parent)
    : QWidget(parent)
    , m_task(task)
    , m_settingsKey(QStringLiteral("models/") + settingsKey)
    , m_combo(new QComboBox(this))
    , m_status(new QLabel(this))
{
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_combo->setMinimumContentsLength(14);
    auto* open = new QPushButton(tr("Open checkpoint…"), this);
    open->setToolTip(tr("Use a checkpoint file from disk: .safetensors, or PyTorch .ckpt / .pt / "
                        ".pth (read without running any code from it). A config.yaml with the "
                        "same name beside it is used."));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_combo, 1);
    row->addWidget(open);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_status);
    setStatus(QString(), false);

    for (const QString& path : QSettings().value(RecentKey).toStringList()) {
        if (QFileInfo::exists(path))
            m_recent << path;
    }
    rebuild(QSettings().value(m_settingsKey).toString());
    connect(open, &QPushButton::clicked, this, &ModelPicker::openCheckpoint);
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this] {
        m_model = {};
        setStatus(QString(), false);
        saveChoice();
        Q_EMIT modelChanged(modelKey());
    });
}

QString ModelPicker::modelKey() const
{
    return m_combo->currentData().toString();
}

void ModelPicker::rebuild(const QString& select)
{
    const QString before = modelKey();
    {
        const QSignalBlocker block(m_combo);
        m_combo->clear();
        for (const QString& name : m_shipped) {
            m_combo->addItem(name, name);
            m_combo->setItemData(m_combo->count() - 1, tr("Shipped with Latent Canvas"),
                                 Qt::ToolTipRole);
        }
        for (const QString& path : m_recent) {
            m_combo->addItem(QFileInfo(path).fileName(), path);
            m_combo->setItemData(m_combo->count() - 1, path, Qt::ToolTipRole);
        }
        if (m_combo->count() == 0)
            m_combo->addItem(tr("No model installed"), QString());
        m_combo->setCurrentIndex(qMax(0, m_combo->findData(select)));
    }
    if (modelKey() != before || modelKey().isEmpty()) {
        m_model = {};
        // With nothing to choose, say what to do rather than leave an empty line.
        setStatus(modelKey().isEmpty() ? tr("Open a checkpoint file to generate pictures.")
                                       : QString(),
                  false);
        if (modelKey() != before)
            Q_EMIT modelChanged(modelKey());
    }
}

void ModelPicker::setShippedModels(const QStringList& names, const QString& preferred)
{
    m_shipped = names;
    m_preferred = preferred;
    const QString saved = QSettings().value(m_settingsKey).toString();
    const bool savedExists = names.contains(saved) || m_recent.contains(saved);
    rebuild(savedExists ? saved : preferred);
}

void ModelPicker::addCheckpoint(const QString& path)
{
    m_recent.removeAll(path);
    m_recent.prepend(path);
    while (m_recent.size() > MaxRecent)
        m_recent.removeLast();
    QSettings().setValue(RecentKey, m_recent);
    rebuild(path);
    saveChoice();
}

bool ModelPicker::selectByName(const QString& name)
{
    const int index = m_combo->findText(name);
    if (index < 0 || m_combo->itemData(index).toString().isEmpty())
        return false;
    m_combo->setCurrentIndex(index);
    return true;
}

bool ModelPicker::forgetCheckpoint(const QString& path)
{
    if (!m_recent.removeAll(path))
        return false;
    QSettings().setValue(RecentKey, m_recent);
    const int index = m_combo->findData(path);
    if (index >= 0)
        m_combo->setItemText(index, tr("%1 (cannot load)").arg(QFileInfo(path).fileName()));
    return true;
}

QString ModelPicker::statusText() const
{
    return m_status->text();
}

void ModelPicker::showLoading()
{
    setStatus(tr("Loading the model…"), false);
}

void ModelPicker::showModel(const bridge::ModelDescription& model)
{
    m_model = model;
    QStringList facts;
    if (!model.family.isEmpty())
        facts << model.family;
    facts << tr("images in multiples of %1 px").arg(model.latentFactor);
    if (!model.palette.isEmpty())
        facts << tr("classes: %1").arg(model.palette.classes().size());
    if (model.takesText)
        facts << tr("reads prompts");
    if (!model.hash.isEmpty())
        facts << tr("hash %1").arg(model.hash);
    if (!model.canDo(m_task)) {
        const QString alternative = m_alternativeUse ? m_alternativeUse(model) : QString();
        if (alternative.isEmpty()) {
            const QString installed = hasPreferredModel() ? m_preferred : QString();
            setStatus(
                m_task == QLatin1String("upscale")
                    ? upscalerNeededText(installed)
                    : tr("This model cannot %1; choose another one.").arg(taskDisplayName(m_task)),
                true);
            return;
        }
        facts << alternative;
    }
    QString text = facts.join(QStringLiteral(" · "));
    if (model.family.startsWith(QLatin1String("Stable Diffusion 2")))
        text += QLatin1Char('\n') +
                tr("SD-2.x weights do not say whether they predict v (768-v) or the noise "
                   "(512-base); taken as %1. To choose, put the model's config.yaml beside it "
                   "as %2.")
                    .arg(model.prediction,
                         QFileInfo(model.path).completeBaseName() + QStringLiteral(".yaml"));
    setStatus(text, false, true);
    m_status->setToolTip(model.description);
}

void ModelPicker::setAlternativeUse(std::function<QString(const bridge::ModelDescription&)> use)
{
    m_alternativeUse = std::move(use);
}

void ModelPicker::showError(const QString& message)
{
    m_model = {};
    setStatus(tr("Cannot load this model: %1").arg(message), true);
}

void ModelPicker::setStatus(const QString& text, bool error, bool canDoTask)
{
    m_canDoTask = canDoTask;
    m_status->setText(text);
    m_status->setToolTip(QString());
    m_status->setVisible(!text.isEmpty());
    // A red that reads on light and dark themes alike.
    m_status->setStyleSheet(error ? QStringLiteral("color: #e0524a;") : QString());
    m_status->setEnabled(error); // informative lines are greyed like hints
    Q_EMIT statusChanged();
}

void ModelPicker::openCheckpoint()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open Checkpoint"), QString(),
        tr("Checkpoints (*.safetensors *.ckpt *.pt *.pth);;All files (*)"));
    if (!path.isEmpty())
        addCheckpoint(path);
}

void ModelPicker::saveChoice() const
{
    if (!modelKey().isEmpty())
        QSettings().setValue(m_settingsKey, modelKey());
}

} // namespace ldm::ui
