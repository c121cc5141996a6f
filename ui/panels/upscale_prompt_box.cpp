// SPDX-License-Identifier: GPL-3.0-or-later
#include "upscale_prompt_box.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>

namespace ldm::ui {

namespace {

// Stability's superresolution script: noise level 20 of at most 350.
constexpr int ReferenceNoiseLevel = 20;
constexpr int ReferenceMaxNoiseLevel = 350;

} // namespace

UpscalePromptBox::UpscalePromptBox(QWidget* parent)
    : QGroupBox(tr("Stable Diffusion x4 upscaler"), parent)
    , m_prompt(new QLineEdit(this))
    , m_negative(new QLineEdit(this))
    , m_noise(new QSpinBox(this))
    , m_guidance(new QDoubleSpinBox(this))
{
    m_prompt->setPlaceholderText(tr("What the picture shows"));
    m_negative->setPlaceholderText(tr("What to avoid"));
    m_noise->setRange(0, ReferenceMaxNoiseLevel);
    m_noise->setValue(ReferenceNoiseLevel);
    m_noise->setToolTip(tr("Noise added to the small picture before upscaling: more lets the "
                           "model invent more detail, less keeps closer to the input."));
    m_guidance->setRange(0.0, 50.0);
    m_guidance->setSingleStep(0.5);
    m_guidance->setValue(DefaultGuidance);
    m_guidance->setToolTip(tr("How closely the upscaler follows the prompt."));
    auto* form = new QFormLayout(this);
    form->addRow(tr("Prompt"), m_prompt);
    form->addRow(tr("Negative prompt"), m_negative);
    form->addRow(tr("Noise level"), m_noise);
    form->addRow(tr("Guidance"), m_guidance);
    connect(m_noise, &QSpinBox::valueChanged, this, [this] { m_noiseChosen = true; });
}

void UpscalePromptBox::setNoiseRange(int maxNoiseLevel, int defaultNoiseLevel)
{
    if (maxNoiseLevel < 0)
        return;
    const QSignalBlocker block(m_noise);
    m_noise->setMaximum(maxNoiseLevel);
    if (!m_noiseChosen && defaultNoiseLevel >= 0)
        m_noise->setValue(qMin(defaultNoiseLevel, maxNoiseLevel));
}

QString UpscalePromptBox::prompt() const
{
    return m_prompt->text().trimmed();
}

QString UpscalePromptBox::negativePrompt() const
{
    return m_negative->text().trimmed();
}

int UpscalePromptBox::noiseLevel() const
{
    return m_noise->value();
}

double UpscalePromptBox::guidance() const
{
    return m_guidance->value();
}

void UpscalePromptBox::fillRecipe(Recipe& recipe) const
{
    recipe.prompt = prompt().toStdString();
    recipe.negativePrompt = negativePrompt().toStdString();
    recipe.noiseLevel = noiseLevel();
    recipe.guidanceScale = guidance();
}

void UpscalePromptBox::applyRecipe(const Recipe& recipe)
{
    m_prompt->setText(QString::fromStdString(recipe.prompt));
    m_negative->setText(QString::fromStdString(recipe.negativePrompt));
    m_guidance->setValue(recipe.guidanceScale);
    if (recipe.noiseLevel >= 0) {
        // The recipe's model may allow more than the one shown now; its range comes later.
        if (recipe.noiseLevel > m_noise->maximum())
            m_noise->setMaximum(recipe.noiseLevel);
        m_noise->setValue(recipe.noiseLevel);
        m_noiseChosen = true;
    }
}

void UpscalePromptBox::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("prompt"), m_prompt->text());
    settings.setValue(QStringLiteral("negativePrompt"), m_negative->text());
    settings.setValue(QStringLiteral("guidance"), m_guidance->value());
    if (m_noiseChosen)
        settings.setValue(QStringLiteral("noiseLevel"), m_noise->value());
}

void UpscalePromptBox::restoreState(QSettings& settings)
{
    m_prompt->setText(settings.value(QStringLiteral("prompt")).toString());
    m_negative->setText(settings.value(QStringLiteral("negativePrompt")).toString());
    m_guidance->setValue(settings.value(QStringLiteral("guidance"), DefaultGuidance).toDouble());
    if (settings.contains(QStringLiteral("noiseLevel"))) {
        m_noise->setValue(settings.value(QStringLiteral("noiseLevel")).toInt());
        m_noiseChosen = true;
    }
}

} // namespace ldm::ui
