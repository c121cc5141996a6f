// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QGroupBox>

class QDoubleSpinBox;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace ldm::ui {

/// What only Stable Diffusion's x4 upscaler takes: a prompt and a negative prompt (its text
/// conditioning), guidance, and the noise level added to the low-res input (0..the model's
/// max_noise_level; more lets it invent more detail). Hidden for other upscalers.
class UpscalePromptBox final : public QGroupBox
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpscalePromptBox)

public:
    /// Guidance of Stability's superresolution script (and the CLI's default).
    static constexpr double DefaultGuidance = 10.0;

    explicit UpscalePromptBox(QWidget* parent = nullptr);

    /// Adopts a model's noise range; its default level the first time a model offers one.
    void setNoiseRange(int maxNoiseLevel, int defaultNoiseLevel);
    QString prompt() const;
    QString negativePrompt() const;
    int noiseLevel() const;
    double guidance() const;

    /// Prompt, negative prompt, noise level and guidance into `recipe`.
    void fillRecipe(Recipe& recipe) const;
    /// The same back from a recipe (a noise level of -1 keeps the current one).
    void applyRecipe(const Recipe& recipe);

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

private:
    QLineEdit* m_prompt;
    QLineEdit* m_negative;
    QSpinBox* m_noise;
    QDoubleSpinBox* m_guidance;
    bool m_noiseChosen = false; ///< the user or a recipe set the level: keep it
};

} // namespace ldm::ui
