// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "bridge/image_engine.h"
#include "ldm/recipe.h"

#include <QImage>
#include <QWidget>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSettings;
class QSpinBox;
class QToolButton;

namespace ldm::ui {

class CompareView;
class ModelPicker;
class UpscalePromptBox;

/// The Upscale activity: 4× latent super-resolution of an opened or dropped picture, with a
/// before/after split view.
class UpscalePanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpscalePanel)

public:
    static constexpr int Factor = 4;
    /// Largest input side: 4× of it is the largest output we let a job produce.
    static constexpr int MaxInputSide = 1024;

    explicit UpscalePanel(QWidget* parent = nullptr);

    void setGenerateAction(QAction* action);
    /// Loads the input picture; shows a message and returns false when it cannot be used.
    bool openImage(const QString& path);
    QImage input() const { return m_input; }
    QString inputPath() const { return m_inputPath; }
    int steps() const;
    quint64 seed() const;
    int tileSize() const;
    CompareView* compare() const { return m_compare; }
    ModelPicker* modelPicker() const { return m_models; }
    UpscalePromptBox* promptBox() const { return m_promptBox; }
    /// Shows the prompt, negative prompt, guidance and noise level fields only for a model
    /// that takes them (Stable Diffusion's x4 upscaler).
    void applyModel(const bridge::ModelDescription& model);
    /// True when the chosen model is the loaded x4 upscaler (the fields are shown).
    bool takesPrompt() const;
    /// Steps, seed, tile size and, for the x4 upscaler, its prompt fields into `recipe`.
    void fillRecipe(Recipe& recipe) const;
    /// The same back from an upscale recipe; its model is chosen by name when listed.
    void applyRecipe(const Recipe& recipe);

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

Q_SIGNALS:
    void statusMessage(const QString& text);

private:
    void chooseImage();

    QImage m_input;
    QString m_inputPath;
    QLabel* m_inputInfo;
    QLabel* m_outputInfo;
    QSpinBox* m_steps;
    QLineEdit* m_seed;
    QComboBox* m_tile;
    QToolButton* m_generate;
    CompareView* m_compare;
    ModelPicker* m_models;
    UpscalePromptBox* m_promptBox;
    bridge::ModelDescription m_model;
};

} // namespace ldm::ui
