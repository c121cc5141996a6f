// SPDX-License-Identifier: GPL-3.0-or-later
#include "control_net_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSettings>
#include <QSignalBlocker>

namespace ldm::ui {

namespace {

const QString RecentKey = QStringLiteral("controlNets/recent");
constexpr int MaxRecent = 8;

QDoubleSpinBox* fractionBox(QWidget* parent, double value, double maximum)
{
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(0.0, maximum);
    box->setSingleStep(0.05);
    box->setDecimals(2);
    box->setValue(value);
    return box;
}

} // namespace

ControlNetBox::ControlNetBox(QWidget* parent)
    : QGroupBox(tr("ControlNet"), parent)
    , m_file(new QComboBox(this))
    , m_kind(new QComboBox(this))
    , m_strength(fractionBox(this, 1.0, 2.0))
    , m_start(fractionBox(this, 0.0, 1.0))
    , m_end(fractionBox(this, 1.0, 1.0))
    , m_guessMode(new QCheckBox(tr("Guess mode"), this))
{
    m_file->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_file->setMinimumContentsLength(12);
    auto* choose = new QPushButton(tr("Choose…"), this);
    choose->setToolTip(tr("A ControlNet for this model's family, in lllyasviel's layout: "
                          "control_*.pth or .safetensors (e.g. control_v11p_sd15_seg)."));
    connect(choose, &QPushButton::clicked, this, &ControlNetBox::chooseFile);
    m_kind->addItem(tr("Segmentation map (ADE20K colours)"), int(Kind::Segmentation));
    m_kind->addItem(tr("Scribble (strokes)"), int(Kind::Scribble));
    m_kind->setToolTip(tr("What the ControlNet was trained to read: the map is painted in "
                          "ADE20K's class colours, or as black strokes on white."));
    m_strength->setToolTip(tr("How strongly the ControlNet steers (A1111 “Control Weight”)."));
    m_start->setToolTip(tr("Fraction of the steps where the ControlNet starts acting."));
    m_end->setToolTip(tr("Fraction of the steps after which it stops."));
    m_guessMode->setToolTip(tr("Follow the map even without a prompt: soft per-level scales "
                               "and no control on the negative half of guidance (A1111 "
                               "“ControlNet is more important”)."));

    auto* fileRow = new QHBoxLayout;
    fileRow->setContentsMargins(0, 0, 0, 0);
    fileRow->addWidget(m_file, 1);
    fileRow->addWidget(choose);
    auto* range = new QHBoxLayout;
    range->setContentsMargins(0, 0, 0, 0);
    range->addWidget(m_start);
    range->addWidget(m_end);
    auto* form = new QFormLayout(this);
    form->addRow(tr("File"), fileRow);
    form->addRow(tr("Reads"), m_kind);
    form->addRow(tr("Strength"), m_strength);
    form->addRow(tr("Start / end"), range);
    form->addRow(QString(), m_guessMode);

    // A range that ends before it starts would be refused by the engine: keep it ordered.
    connect(m_start, &QDoubleSpinBox::valueChanged, this, [this](double start) {
        if (m_end->value() < start)
            m_end->setValue(start);
    });
    connect(m_end, &QDoubleSpinBox::valueChanged, this, [this](double end) {
        if (m_start->value() > end)
            m_start->setValue(end);
    });
    for (const QString& file : QSettings().value(RecentKey).toStringList()) {
        if (QFileInfo::exists(file))
            m_recent << file;
    }
    rebuild(QString());
    connect(m_file, &QComboBox::currentIndexChanged, this, [this] {
        if (!path().isEmpty())
            setKind(kindOfFile(path()));
        Q_EMIT controlChanged();
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, &ControlNetBox::controlChanged);
}

QString ControlNetBox::path() const
{
    return m_file->currentData().toString();
}

ControlNetBox::Kind ControlNetBox::kind() const
{
    return static_cast<Kind>(m_kind->currentData().toInt());
}

void ControlNetBox::setKind(Kind kind)
{
    m_kind->setCurrentIndex(qMax(0, m_kind->findData(int(kind))));
}

ControlNetBox::Kind ControlNetBox::kindOfFile(const QString& path)
{
    return QFileInfo(path).fileName().contains(QLatin1String("scribble"), Qt::CaseInsensitive)
               ? Kind::Scribble
               : Kind::Segmentation;
}

void ControlNetBox::rebuild(const QString& select)
{
    const QSignalBlocker block(m_file);
    m_file->clear();
    m_file->addItem(tr("None"), QString());
    for (const QString& file : m_recent) {
        m_file->addItem(QFileInfo(file).fileName(), file);
        m_file->setItemData(m_file->count() - 1, file, Qt::ToolTipRole);
    }
    m_file->setCurrentIndex(qMax(0, m_file->findData(select)));
}

void ControlNetBox::setControlFile(const QString& path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_recent.removeAll(absolute);
    m_recent.prepend(absolute);
    while (m_recent.size() > MaxRecent)
        m_recent.removeLast();
    QSettings().setValue(RecentKey, m_recent);
    const bool changed = this->path() != absolute;
    rebuild(absolute);
    setKind(kindOfFile(absolute));
    if (changed)
        Q_EMIT controlChanged();
}

void ControlNetBox::chooseFile()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Choose ControlNet"), QFileInfo(path()).absolutePath(),
        tr("ControlNet files (*.safetensors *.pth *.ckpt *.pt);;All files (*)"));
    if (!file.isEmpty())
        setControlFile(file);
}

void ControlNetBox::fillRecipe(ControlRecipe& control) const
{
    control.strength = m_strength->value();
    control.start = m_start->value();
    control.end = m_end->value();
    control.guessMode = m_guessMode->isChecked();
}

ControlRecipe ControlNetBox::settings() const
{
    ControlRecipe control;
    fillRecipe(control);
    return control;
}

bool ControlNetBox::applyRecipe(const ControlRecipe& control, const QStringList& folders)
{
    setStrength(control.strength);
    setRange(control.start, control.end);
    setGuessMode(control.guessMode);
    const QString name = QString::fromStdString(control.model);
    if (name.isEmpty()) {
        m_file->setCurrentIndex(0);
        return true;
    }
    for (const QString& file : m_recent) {
        if (QFileInfo(file).fileName() == name) {
            setControlFile(file);
            return true;
        }
    }
    for (const QString& folder : folders) {
        const QString file = QDir(folder).filePath(name);
        if (QFileInfo(file).isFile()) {
            setControlFile(file);
            return true;
        }
    }
    return false;
}

void ControlNetBox::setStrength(double strength)
{
    m_strength->setValue(strength);
}

void ControlNetBox::setRange(double start, double end)
{
    const QSignalBlocker blockStart(m_start);
    const QSignalBlocker blockEnd(m_end);
    m_start->setValue(qMin(start, end));
    m_end->setValue(qMax(start, end));
}

void ControlNetBox::setGuessMode(bool on)
{
    m_guessMode->setChecked(on);
}

void ControlNetBox::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("file"), path());
    settings.setValue(QStringLiteral("kind"), int(kind()));
    settings.setValue(QStringLiteral("strength"), m_strength->value());
    settings.setValue(QStringLiteral("start"), m_start->value());
    settings.setValue(QStringLiteral("end"), m_end->value());
    settings.setValue(QStringLiteral("guessMode"), m_guessMode->isChecked());
}

void ControlNetBox::restoreState(QSettings& settings)
{
    const QString file = settings.value(QStringLiteral("file")).toString();
    if (!file.isEmpty() && m_recent.contains(file))
        rebuild(file);
    setKind(static_cast<Kind>(settings.value(QStringLiteral("kind"), 0).toInt()));
    setStrength(settings.value(QStringLiteral("strength"), 1.0).toDouble());
    setRange(settings.value(QStringLiteral("start"), 0.0).toDouble(),
             settings.value(QStringLiteral("end"), 1.0).toDouble());
    setGuessMode(settings.value(QStringLiteral("guessMode"), false).toBool());
    Q_EMIT controlChanged();
}

} // namespace ldm::ui
