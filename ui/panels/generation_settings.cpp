// SPDX-License-Identifier: GPL-3.0-or-later
#include "generation_settings.h"

#include "sampling_extras.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QSpinBox>
#include <QToolButton>

#include <algorithm>

namespace ldm::ui {

namespace {

constexpr int MinSide = 64;
constexpr int MaxSide = 2048;

QSpinBox* sideBox(QWidget* parent)
{
    auto* box = new QSpinBox(parent);
    box->setRange(MinSide, MaxSide);
    box->setSingleStep(GenerationSettings::DefaultLatentFactor);
    box->setValue(512);
    box->setSuffix(QStringLiteral(" px"));
    return box;
}

} // namespace

int GenerationSettings::snapSide(int side, int factor)
{
    factor = std::clamp(factor, 1, MinSide);
    const int snapped = (side + factor / 2) / factor * factor;
    // MinSide and MaxSide are multiples of every power-of-two factor up to 64.
    return std::clamp(snapped, (MinSide + factor - 1) / factor * factor, MaxSide / factor * factor);
}

void GenerationSettings::setLatentFactor(int factor)
{
    m_factor = std::clamp(factor, 1, MinSide);
    if (!m_width)
        return;
    for (QSpinBox* box : {m_width, m_height}) {
        box->setSingleStep(m_factor);
        box->setValue(snapSide(box->value(), m_factor));
        box->setToolTip(tr("Multiples of %1 px, the grid of the model").arg(m_factor));
    }
}

GenerationSettings::GenerationSettings(bool showSize, QWidget* parent)
    : QWidget(parent)
    , m_sampler(new QComboBox(this))
    , m_steps(new QSpinBox(this))
    , m_guidance(new QDoubleSpinBox(this))
    , m_eta(new QDoubleSpinBox(this))
    , m_clipSkip(new QSpinBox(this))
    , m_seedMode(new QComboBox(this))
    , m_seed(new QLineEdit(this))
    , m_batch(new QSpinBox(this))
{
    for (const std::string& id : knownSamplerIds())
        m_sampler->addItem(QString::fromStdString(samplerDisplayName(id)),
                           QString::fromStdString(id));
    m_sampler->setToolTip(tr("DDIM is deterministic at eta 0; DPM++ 2M needs the fewest steps. "
                             "Euler … DPM++ 3M SDE are AUTOMATIC1111's samplers."));
    // Until a model is loaded: the settings every model without its own uses (as the CLI).
    const SamplingDefaults defaults = defaultSampling("txt2img");
    m_sampler->setCurrentIndex(
        std::max(0, m_sampler->findData(QString::fromStdString(defaults.sampler))));
    m_steps->setRange(1, 1000);
    m_steps->setValue(defaults.steps);
    m_guidance->setRange(1.0, 30.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setValue(defaults.guidanceScale);
    m_guidance->setToolTip(tr("How strongly the prompt steers the image; 1 turns guidance off."));
    m_eta->setRange(0.0, 1.0);
    m_eta->setSingleStep(0.1);
    m_eta->setValue(defaults.eta);
    m_eta->setToolTip(tr("Noise added per DDIM step; 0 gives the same image for the same seed. "
                         "Only the DDIM sampler reads it."));

    m_clipSkip->setRange(1, MaxClipSkip);
    m_clipSkip->setValue(1);
    m_clipSkip->setToolTip(tr("Which layer of the CLIP text encoder conditions the image, "
                              "counted from the end: 1 = the last (Stable Diffusion's own), "
                              "2 = the penultimate, as many community models expect."));

    m_seedMode->addItem(tr("Random"), int(SeedMode::Random));
    m_seedMode->addItem(tr("Fixed"), int(SeedMode::Fixed));
    m_seedMode->addItem(tr("Reuse last"), int(SeedMode::ReuseLast));
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,20}")), m_seed));
    m_seed->setText(QStringLiteral("0"));
    auto* dice = new QToolButton(this);
    dice->setText(tr("New"));
    dice->setToolTip(tr("Pick a new random seed and keep it fixed"));
    m_batch->setRange(1, 64);
    m_batch->setToolTip(tr("Images per click; each gets the next seed."));

    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(m_seedMode);
    seedRow->addWidget(m_seed, 1);
    seedRow->addWidget(dice);

    auto* form = m_form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Sampler"), m_sampler);
    // Made after the member widgets, so those stay first among the form's children.
    m_extras = new SamplingExtras(this);
    m_extras->addScheduleRow(form);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Guidance scale"), m_guidance);
    form->addRow(tr("Eta"), m_eta);
    form->addRow(tr("CLIP skip"), m_clipSkip);
    form->setRowVisible(m_clipSkip, false);
    form->addRow(tr("Seed"), seedRow);
    m_extras->addNoiseRows(form);
    if (showSize) {
        m_width = sideBox(this);
        m_height = sideBox(this);
        // Typed values are snapped when editing ends, arrows step by the latent factor.
        for (QSpinBox* box : {m_width, m_height})
            connect(box, &QSpinBox::editingFinished, box,
                    [this, box] { box->setValue(snapSide(box->value(), m_factor)); });
        auto* sizeRow = new QHBoxLayout;
        sizeRow->addWidget(m_width, 1);
        sizeRow->addWidget(new QLabel(QStringLiteral("×"), this));
        sizeRow->addWidget(m_height, 1);
        form->addRow(tr("Size"), sizeRow);
    }
    form->addRow(tr("Batch count"), m_batch);

    connect(m_seedMode, &QComboBox::currentIndexChanged, this,
            &GenerationSettings::updateSeedField);
    connect(m_seedMode, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_restoringSeed)
            m_seedFromRecipe = false; // the user chose the mode
    });
    connect(m_seed, &QLineEdit::textEdited, this, [this] { m_seedFromRecipe = false; });
    connect(m_sampler, &QComboBox::currentIndexChanged, this, &GenerationSettings::updateEtaRow);
    updateEtaRow();
    connect(dice, &QToolButton::clicked, this, [this] {
        m_seedFromRecipe = false;
        m_seed->setText(QString::number(QRandomGenerator::global()->generate64()));
        m_seedMode->setCurrentIndex(m_seedMode->findData(int(SeedMode::Fixed)));
    });
    updateSeedField();
}

void GenerationSettings::setClipLayers(int layers)
{
    m_form->setRowVisible(m_clipSkip, layers > 0);
    if (layers > 0)
        m_clipSkip->setMaximum(std::min(layers, MaxClipSkip));
}

void GenerationSettings::adoptModelSize(const QString& modelKey, int trainedSize)
{
    if (!m_width || modelKey == m_sizeModelKey || trainedSize <= 0)
        return;
    m_sizeModelKey = modelKey;
    m_width->setValue(snapSide(trainedSize, m_factor));
    m_height->setValue(snapSide(trainedSize, m_factor));
}

void GenerationSettings::adoptModelDefaults(const QString& modelKey,
                                            const SamplingDefaults& defaults)
{
    if (modelKey == m_defaultsModelKey || !defaults.known())
        return;
    m_defaultsModelKey = modelKey;
    const int sampler = m_sampler->findData(QString::fromStdString(defaults.sampler));
    if (sampler >= 0)
        m_sampler->setCurrentIndex(sampler);
    m_steps->setValue(defaults.steps);
    m_guidance->setValue(defaults.guidanceScale);
    m_eta->setValue(defaults.eta);
}

bool GenerationSettings::etaEnabled() const
{
    return m_eta->isEnabled();
}

bool GenerationSettings::scheduleEnabled() const
{
    return m_extras->scheduleEnabled();
}

void GenerationSettings::updateEtaRow()
{
    const std::string sampler = m_sampler->currentData().toString().toStdString();
    m_eta->setEnabled(samplerReadsEta(sampler));
    m_extras->setSampler(sampler);
}

void GenerationSettings::updateSeedField()
{
    const auto mode = SeedMode(m_seedMode->currentData().toInt());
    m_seed->setEnabled(mode == SeedMode::Fixed);
    if (mode == SeedMode::ReuseLast)
        m_seed->setText(m_hasLastSeed ? QString::number(m_lastSeed) : tr("none yet"));
}

void GenerationSettings::fillRecipe(Recipe& recipe) const
{
    recipe.sampler = m_sampler->currentData().toString().toStdString();
    recipe.steps = m_steps->value();
    recipe.guidanceScale = m_guidance->value();
    recipe.eta = m_eta->isEnabled() ? m_eta->value() : 0.0; // other samplers do not read it
    recipe.clipSkip = m_form->isRowVisible(m_clipSkip) ? m_clipSkip->value() : 1;
    m_extras->fillRecipe(recipe);
    recipe.etaNoiseSeedDelta = m_etaNoiseSeedDelta;
    if (m_width) {
        recipe.width = snapSide(m_width->value(), m_factor);
        recipe.height = snapSide(m_height->value(), m_factor);
    }
}

void GenerationSettings::applyRecipe(const Recipe& recipe)
{
    const int sampler = m_sampler->findData(QString::fromStdString(recipe.sampler));
    if (sampler >= 0)
        m_sampler->setCurrentIndex(sampler);
    m_steps->setValue(recipe.steps);
    m_guidance->setValue(recipe.guidanceScale);
    m_eta->setValue(recipe.eta);
    m_clipSkip->setValue(recipe.clipSkip);
    m_extras->applyRecipe(recipe);
    m_etaNoiseSeedDelta = recipe.etaNoiseSeedDelta;
    if (m_width) {
        m_width->setValue(snapSide(recipe.width, m_factor));
        m_height->setValue(snapSide(recipe.height, m_factor));
    }
    if (!m_seedFromRecipe)
        m_modeBeforeRestore = SeedMode(m_seedMode->currentData().toInt());
    m_restoringSeed = true;
    m_seedMode->setCurrentIndex(m_seedMode->findData(int(SeedMode::Fixed)));
    m_restoringSeed = false;
    m_seedFromRecipe = true;
    m_seed->setText(QString::number(recipe.seed));
}

quint64 GenerationSettings::nextSeed() const
{
    switch (SeedMode(m_seedMode->currentData().toInt())) {
    case SeedMode::Fixed:
        return m_seed->text().toULongLong();
    case SeedMode::ReuseLast:
        if (m_hasLastSeed)
            return m_lastSeed;
        break;
    case SeedMode::Random:
        break;
    }
    return QRandomGenerator::global()->generate64();
}

void GenerationSettings::setLastSeed(quint64 seed)
{
    m_lastSeed = seed;
    m_hasLastSeed = true;
    updateSeedField();
}

int GenerationSettings::batchCount() const
{
    return m_batch->value();
}

void GenerationSettings::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("sampler"), m_sampler->currentData());
    settings.setValue(QStringLiteral("steps"), m_steps->value());
    settings.setValue(QStringLiteral("guidance"), m_guidance->value());
    settings.setValue(QStringLiteral("eta"), m_eta->value());
    settings.setValue(QStringLiteral("clipSkip"), m_clipSkip->value());
    settings.setValue(QStringLiteral("seedMode"), m_seedFromRecipe
                                                      ? QVariant(int(m_modeBeforeRestore))
                                                      : m_seedMode->currentData());
    settings.setValue(QStringLiteral("seed"), m_seed->text());
    settings.setValue(QStringLiteral("batch"), m_batch->value());
    settings.setValue(QStringLiteral("defaultsModel"), m_defaultsModelKey);
    m_extras->saveState(settings);
    if (m_width) {
        settings.setValue(QStringLiteral("width"), m_width->value());
        settings.setValue(QStringLiteral("height"), m_height->value());
        settings.setValue(QStringLiteral("sizeModel"), m_sizeModelKey);
    }
}

void GenerationSettings::restoreState(QSettings& settings)
{
    const int sampler = m_sampler->findData(settings.value(QStringLiteral("sampler")));
    if (sampler >= 0)
        m_sampler->setCurrentIndex(sampler);
    m_steps->setValue(settings.value(QStringLiteral("steps"), m_steps->value()).toInt());
    m_guidance->setValue(
        settings.value(QStringLiteral("guidance"), m_guidance->value()).toDouble());
    m_eta->setValue(settings.value(QStringLiteral("eta"), m_eta->value()).toDouble());
    m_clipSkip->setValue(settings.value(QStringLiteral("clipSkip"), 1).toInt());
    const int mode = m_seedMode->findData(
        settings.value(QStringLiteral("seedMode"), int(SeedMode::Random)).toInt()); // INI: text
    if (mode >= 0)
        m_seedMode->setCurrentIndex(mode);
    if (SeedMode(m_seedMode->currentData().toInt()) == SeedMode::Fixed)
        m_seed->setText(settings.value(QStringLiteral("seed"), m_seed->text()).toString());
    m_batch->setValue(settings.value(QStringLiteral("batch"), 1).toInt());
    m_defaultsModelKey = settings.value(QStringLiteral("defaultsModel")).toString();
    m_extras->restoreState(settings);
    if (m_width) {
        m_width->setValue(snapSide(settings.value(QStringLiteral("width"), 512).toInt(), m_factor));
        m_height->setValue(
            snapSide(settings.value(QStringLiteral("height"), 512).toInt(), m_factor));
        m_sizeModelKey = settings.value(QStringLiteral("sizeModel")).toString();
    }
}

} // namespace ldm::ui
