// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ldm/recipe.h"

#include <QWidget>

class QAction;
class QSettings;
class QToolButton;

namespace ldm::ui {

class GenerationSettings;
class ModelPicker;
class PreviewView;
class PromptFields;

/// The Prompt activity: prompt and negative prompt with history, model, sampler settings on
/// the left; the live preview on the right.
class PromptPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptPanel)

public:
    explicit PromptPanel(QWidget* parent = nullptr);

    /// The shared Generate action drives this panel's big button.
    void setGenerateAction(QAction* action);

    QString prompt() const;
    QString negativePrompt() const;
    PromptFields* promptFields() const { return m_fields; }
    GenerationSettings* settings() const { return m_settings; }
    ModelPicker* modelPicker() const { return m_models; }
    PreviewView* preview() const { return m_preview; }

    /// Fills the controls from a recipe ("Restore settings").
    void applyRecipe(const Recipe& recipe);
    /// Puts the current prompt pair on top of the history.
    void rememberPrompt();

    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

private:
    PromptFields* m_fields;
    ModelPicker* m_models;
    GenerationSettings* m_settings;
    QToolButton* m_generate;
    PreviewView* m_preview;
};

} // namespace ldm::ui
