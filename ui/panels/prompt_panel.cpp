// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt_panel.h"

#include "generation_settings.h"
#include "model_picker.h"
#include "preview_view.h"
#include "prompt_fields.h"
#include "widgets/scroll_column.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace ldm::ui {

PromptPanel::PromptPanel(QWidget* parent)
    : QWidget(parent)
    , m_fields(new PromptFields(this))
    , m_models(new ModelPicker(QStringLiteral("txt2img"), QStringLiteral("prompt"), this))
    , m_settings(new GenerationSettings(true, this))
    , m_generate(new QToolButton(this))
    , m_preview(new PreviewView(this))
{
    m_generate->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_generate->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_generate->setIconSize(QSize(22, 22));
    m_generate->setMinimumHeight(40);

    auto* form = new QWidget(this);
    auto* column = new QVBoxLayout(form);
    column->addWidget(m_fields, 3);
    column->addWidget(sectionHeading(tr("Model"), form));
    column->addWidget(m_models);
    column->addWidget(sectionHeading(tr("Sampling"), form));
    column->addWidget(m_settings);
    column->addStretch();
    column->addWidget(m_generate);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scrollableColumn(form, this)); // rows stay usable at 800 × 600
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(splitter);
}

void PromptPanel::setGenerateAction(QAction* action)
{
    m_generate->setDefaultAction(action);
}

QString PromptPanel::prompt() const
{
    return m_fields->prompt();
}

QString PromptPanel::negativePrompt() const
{
    return m_fields->negativePrompt();
}

void PromptPanel::applyRecipe(const Recipe& recipe)
{
    m_fields->setPrompts(QString::fromStdString(recipe.prompt),
                         QString::fromStdString(recipe.negativePrompt));
    m_settings->applyRecipe(recipe);
    if (!recipe.modelName.empty())
        m_models->selectByName(QString::fromStdString(recipe.modelName));
}

void PromptPanel::rememberPrompt()
{
    m_fields->rememberPrompt();
}

void PromptPanel::saveState(QSettings& settings) const
{
    m_fields->saveState(settings);
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->saveState(settings);
    settings.endGroup();
}

void PromptPanel::restoreState(QSettings& settings)
{
    m_fields->restoreState(settings);
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->restoreState(settings);
    settings.endGroup();
}

} // namespace ldm::ui
