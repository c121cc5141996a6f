// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLineEdit;
class QSettings;
class QSpinBox;

namespace ldm::ui {

class SamplingExtras;

/// How the seed of the next job is chosen.
enum class SeedMode { Random, Fixed, ReuseLast };

/// Sampler, schedule type, steps, guidance, eta, seed, noise generator, variation seed, size
/// and batch: shared by the Prompt, Paint and Edit activities (Paint and Edit hide the size,
/// which the map or the picture decides).
class GenerationSettings final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GenerationSettings)

public:
    /// Sides snap to multiples of the model's latent factor; 8 until a model says otherwise
    /// (the usual autoencoder downsampling).
    static constexpr int DefaultLatentFactor = 8;

    explicit GenerationSettings(bool showSize, QWidget* parent = nullptr);

    /// Writes sampler, schedule, steps, guidance, eta, noise generator, variation seed and
    /// (when shown) size into `recipe`.
    void fillRecipe(Recipe& recipe) const;
    /// Shows a recipe's settings; its seed becomes the fixed seed.
    void applyRecipe(const Recipe& recipe);

    /// Seed for the next job: random, the fixed one, or the last finished job's.
    quint64 nextSeed() const;
    void setLastSeed(quint64 seed);
    int batchCount() const;
    /// Snaps the size boxes (and what they step by) to multiples of `factor`.
    void setLatentFactor(int factor);
    int latentFactor() const { return m_factor; }
    /// Shows the CLIP skip row for a model whose CLIP text encoder has `layers` layers
    /// (1..layers); 0 hides it, for models where it means nothing.
    void setClipLayers(int layers);
    /// When `modelKey` is another model than the one the size was last set for, sets the size
    /// to the model's training size (SD-1.x 512, SD-2.x v 768, ours 128...): a picture at the
    /// wrong scale is the most common first failure. A size the user set for the same model is
    /// kept, across restarts too.
    void adoptModelSize(const QString& modelKey, int trainedSize);
    /// When `modelKey` is another model than the one the sampler settings were last set for,
    /// sets sampler, steps, guidance and eta to the model's defaults (ldm::defaultSampling, the
    /// CLI's too). Settings the user changed for the same model are kept, across restarts too.
    void adoptModelDefaults(const QString& modelKey, const SamplingDefaults& defaults);
    /// True when the eta row is editable: only for the samplers that read eta (DDIM).
    bool etaEnabled() const;
    /// True when the schedule type is editable: only for the k-diffusion samplers.
    bool scheduleEnabled() const;

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

    /// Rounds `side` to the nearest multiple of `factor` within the allowed range.
    static int snapSide(int side, int factor = DefaultLatentFactor);

private:
    void updateSeedField();
    void updateEtaRow();

    QComboBox* m_sampler;
    QSpinBox* m_steps;
    QDoubleSpinBox* m_guidance;
    QDoubleSpinBox* m_eta;
    QSpinBox* m_clipSkip;
    QFormLayout* m_form = nullptr;
    QComboBox* m_seedMode;
    QLineEdit* m_seed;
    QSpinBox* m_width = nullptr;
    QSpinBox* m_height = nullptr;
    QSpinBox* m_batch;
    SamplingExtras* m_extras = nullptr; // schedule type, noise generator, variation seed
    int m_factor = DefaultLatentFactor;
    QString m_sizeModelKey; // the model the size boxes were last set for
    QString m_defaultsModelKey; // the model the sampler settings were last set for
    // A restored recipe's seed is fixed for this session only; a restart goes back to the mode
    // chosen before, unless the user has since chosen the mode or the seed themselves.
    bool m_seedFromRecipe = false;
    bool m_restoringSeed = false;
    SeedMode m_modeBeforeRestore = SeedMode::Random;
    quint64 m_lastSeed = 0;
    bool m_hasLastSeed = false;
    // A setting without a widget, kept from a restored recipe so it replays as it was made
    // (an A1111 picture's ENSD).
    std::uint64_t m_etaNoiseSeedDelta = 0;
};

} // namespace ldm::ui
