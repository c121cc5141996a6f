// SPDX-License-Identifier: GPL-3.0-or-later
#include "sampling_extras.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QRandomGenerator>
#include <QRegularExpressionValidator>
#include <QSettings>
#include <QToolButton>

#include <algorithm>
#include <array>

namespace ldm::ui {

namespace {

// A1111's "Schedule type" list, in its order (our names; the labels come from scheduleLabel()).
constexpr std::array<const char*, 11> ScheduleIds = {
    "automatic",       "uniform",    "karras",           "exponential", "polyexponential",
    "sgm_uniform",     "kl_optimal", "align_your_steps", "simple",      "normal",
    "beta"};

QString fromStd(const std::string& text)
{
    return QString::fromStdString(text);
}

} // namespace

SamplingExtras::SamplingExtras(QWidget* formWidget)
    : QObject(formWidget)
    , m_schedule(new QComboBox(formWidget))
    , m_rng(new QComboBox(formWidget))
    , m_extraToggle(new QToolButton(formWidget))
    , m_variationSeedRow(new QWidget(formWidget))
    , m_variationSeed(new QLineEdit(m_variationSeedRow))
    , m_variationStrength(new QDoubleSpinBox(formWidget))
{
    m_schedule->setObjectName(QStringLiteral("scheduleType"));
    for (const char* id : ScheduleIds) {
        const std::string name = id;
        m_schedule->addItem(name == "automatic" ? tr("Automatic") : fromStd(scheduleLabel(name)),
                            fromStd(name));
    }
    m_schedule->setToolTip(tr("How the noise levels are spaced over the steps (AUTOMATIC1111's "
                              "“Schedule type”); Automatic is the sampler's own choice. Only "
                              "the k-diffusion samplers (Euler … DPM++ 3M SDE) read it."));

    // The tooltips say which picture each generator reproduces: the point of choosing one.
    m_rng->setObjectName(QStringLiteral("rngSource"));
    m_rng->addItem(tr("Ours"), QStringLiteral("ours"));
    m_rng->setItemData(0,
                       tr("Latent Canvas's own generator (the default): replays the pictures "
                          "made here with it."),
                       Qt::ToolTipRole);
    m_rng->addItem(QStringLiteral("CPU"), QStringLiteral("cpu"));
    m_rng->setItemData(1,
                       tr("torch.randn on the CPU: AUTOMATIC1111's “CPU” source and "
                          "ComfyUI's noise; the same seed gives their picture."),
                       Qt::ToolTipRole);
    m_rng->addItem(QStringLiteral("NV"), QStringLiteral("nv"));
    m_rng->setItemData(2,
                       tr("AUTOMATIC1111's default GPU noise (its Philox “NV” generator), "
                          "computed on any device: the same seed gives the picture A1111 "
                          "made with its GPU source."),
                       Qt::ToolTipRole);
    m_rng->setToolTip(tr("Which generator draws the seed's noise (AUTOMATIC1111's “Random "
                         "number generator source”)."));

    m_extraToggle->setObjectName(QStringLiteral("extraToggle"));
    m_extraToggle->setCheckable(true);
    m_extraToggle->setAutoRaise(true);
    m_extraToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_extraToggle->setToolTip(tr("Variation seed: small changes to a picture you like"));

    m_variationSeed->setObjectName(QStringLiteral("variationSeed"));
    m_variationSeed->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("\\d{1,20}")), m_variationSeed));
    m_variationSeed->setText(QStringLiteral("0"));
    auto* dice = new QToolButton(m_variationSeedRow);
    dice->setText(tr("New"));
    dice->setToolTip(tr("Pick a new random variation seed"));
    auto* seedRow = new QHBoxLayout(m_variationSeedRow);
    seedRow->setContentsMargins(0, 0, 0, 0);
    seedRow->addWidget(m_variationSeed, 1);
    seedRow->addWidget(dice);

    m_variationStrength->setObjectName(QStringLiteral("variationStrength"));
    m_variationStrength->setRange(0.0, 1.0);
    m_variationStrength->setSingleStep(0.05);
    m_variationStrength->setDecimals(2);
    m_variationStrength->setSpecialValueText(tr("Off"));
    m_variationStrength->setToolTip(tr("How far the starting noise leans toward the variation "
                                       "seed's noise: 0 = off, 1 = the variation seed's picture. "
                                       "The noise of later steps stays the seed's."));

    connect(m_extraToggle, &QToolButton::toggled, this, &SamplingExtras::setExtraShown);
    connect(m_variationStrength, &QDoubleSpinBox::valueChanged, this,
            &SamplingExtras::updateVariationRow);
    connect(dice, &QToolButton::clicked, this, [this] {
        m_variationSeed->setText(QString::number(QRandomGenerator::global()->generate64()));
    });
    updateVariationRow();
}

void SamplingExtras::addScheduleRow(QFormLayout* form)
{
    form->addRow(tr("Schedule type"), m_schedule);
}

void SamplingExtras::addNoiseRows(QFormLayout* form)
{
    m_form = form;
    form->addRow(tr("RNG source"), m_rng);
    form->addRow(m_extraToggle);
    form->addRow(tr("Variation seed"), m_variationSeedRow);
    form->addRow(tr("Variation strength"), m_variationStrength);
    setExtraShown(m_extraToggle->isChecked());
}

void SamplingExtras::setSampler(const std::string& sampler)
{
    m_sampler = sampler;
    const bool kDiffusion = isKDiffusionSamplerId(sampler);
    m_schedule->setEnabled(kDiffusion);
    const QString automatic =
        kDiffusion ? tr("With %1, Automatic means %2.")
                         .arg(fromStd(samplerDisplayName(sampler)),
                              fromStd(scheduleLabel(automaticSchedule(sampler))))
                   : tr("This sampler has its own fixed steps and reads no schedule.");
    m_schedule->setItemData(0, automatic, Qt::ToolTipRole);
}

bool SamplingExtras::scheduleEnabled() const
{
    return m_schedule->isEnabled();
}

void SamplingExtras::fillRecipe(Recipe& recipe) const
{
    // As with eta, a setting the sampler does not read is not recorded.
    recipe.schedule =
        m_schedule->isEnabled() ? m_schedule->currentData().toString().toStdString() : "automatic";
    recipe.rng = m_rng->currentData().toString().toStdString();
    recipe.variationStrength = m_variationStrength->value();
    recipe.variationSeed =
        recipe.variationStrength > 0.0 ? m_variationSeed->text().toULongLong() : 0;
}

void SamplingExtras::applyRecipe(const Recipe& recipe)
{
    m_schedule->setCurrentIndex(std::max(0, m_schedule->findData(fromStd(recipe.schedule))));
    m_rng->setCurrentIndex(std::max(0, m_rng->findData(fromStd(recipe.rng))));
    m_variationStrength->setValue(recipe.variationStrength);
    m_variationSeed->setText(QString::number(recipe.variationSeed));
    if (recipe.variationStrength > 0.0)
        m_extraToggle->setChecked(true); // a variation that shapes the picture is not hidden
}

void SamplingExtras::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("schedule"), m_schedule->currentData());
    settings.setValue(QStringLiteral("rng"), m_rng->currentData());
    settings.setValue(QStringLiteral("variationSeed"), m_variationSeed->text());
    settings.setValue(QStringLiteral("variationStrength"), m_variationStrength->value());
    settings.setValue(QStringLiteral("extraShown"), m_extraToggle->isChecked());
}

void SamplingExtras::restoreState(QSettings& settings)
{
    m_schedule->setCurrentIndex(
        std::max(0, m_schedule->findData(settings.value(QStringLiteral("schedule")))));
    m_rng->setCurrentIndex(std::max(0, m_rng->findData(settings.value(QStringLiteral("rng")))));
    const QString seed = settings.value(QStringLiteral("variationSeed")).toString();
    int unused = 0;
    QString checked = seed;
    if (m_variationSeed->validator()->validate(checked, unused) == QValidator::Acceptable)
        m_variationSeed->setText(seed);
    m_variationStrength->setValue(
        settings.value(QStringLiteral("variationStrength"), 0.0).toDouble());
    m_extraToggle->setChecked(settings.value(QStringLiteral("extraShown"), false).toBool() ||
                              m_variationStrength->value() > 0.0);
}

void SamplingExtras::setExtraShown(bool shown)
{
    m_extraToggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
    if (m_form) {
        m_form->setRowVisible(m_variationSeedRow, shown);
        m_form->setRowVisible(m_variationStrength, shown);
    }
}

void SamplingExtras::updateVariationRow()
{
    const double strength = m_variationStrength->value();
    m_variationSeedRow->setEnabled(strength > 0.0);
    // Folded away, the row still says when a variation changes the picture.
    m_extraToggle->setText(strength > 0.0 ? tr("Extra: variation %1").arg(strength, 0, 'f', 2)
                                          : tr("Extra"));
}

} // namespace ldm::ui
