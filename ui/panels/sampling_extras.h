// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QObject>

#include <string>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSettings;
class QToolButton;
class QWidget;

namespace ldm::ui {

/// AUTOMATIC1111's settings beside the sampler: the schedule type (read by the k-diffusion
/// samplers only), the noise generator (Recipe::rng) and the variation seed with its strength
/// (A1111's "Extra" row, folded away until asked for). Part of GenerationSettings, so the
/// Prompt, Paint and Edit forms all have them; the widgets are children of `form`'s widget.
class SamplingExtras final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SamplingExtras)

public:
    explicit SamplingExtras(QWidget* formWidget);

    /// Adds the "Schedule type" row (placed right under the sampler).
    void addScheduleRow(QFormLayout* form);
    /// Adds the "RNG source" row and the folded "Extra" rows (variation seed and strength).
    void addNoiseRows(QFormLayout* form);

    /// Follows the sampler: the schedule row is editable only for k-diffusion samplers.
    void setSampler(const std::string& sampler);
    /// True when the schedule combo is editable (a k-diffusion sampler is chosen).
    bool scheduleEnabled() const;

    /// Writes schedule ("automatic" for samplers that read none), rng and the variation seed.
    void fillRecipe(Recipe& recipe) const;
    /// Shows a recipe's schedule, generator and variation; unknown names fall back to the
    /// defaults ("automatic", "ours"). A variation in use unfolds the Extra rows.
    void applyRecipe(const Recipe& recipe);

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

private:
    void setExtraShown(bool shown);
    void updateVariationRow();

    QComboBox* m_schedule;
    QComboBox* m_rng;
    QToolButton* m_extraToggle;
    QWidget* m_variationSeedRow;
    QLineEdit* m_variationSeed;
    QDoubleSpinBox* m_variationStrength;
    QFormLayout* m_form = nullptr;
    std::string m_sampler;
};

} // namespace ldm::ui
