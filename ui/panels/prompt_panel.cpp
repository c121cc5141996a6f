// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt_panel.h"

#include "generation_settings.h"
#include "model_picker.h"
#include "preview_view.h"

#include <QAction>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSplitter>
#include <QToolButton>
#include <QVBoxLayout>

namespace ldm::ui {

namespace {

constexpr int MaxHistory = 30;

QLabel* heading(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

PromptPanel::PromptPanel(QWidget* parent)
    : QWidget(parent)
    , m_prompt(new QPlainTextEdit(this))
    , m_negative(new QPlainTextEdit(this))
    , m_history(new QToolButton(this))
    , m_models(new ModelPicker(QStringLiteral("txt2img"), QStringLiteral("prompt"), this))
    , m_settings(new GenerationSettings(true, this))
    , m_generate(new QToolButton(this))
    , m_preview(new PreviewView(this))
{
    m_prompt->setPlaceholderText(tr("Describe the picture, e.g. “a lake below snowy mountains "
                                    "at sunrise, oil painting”"));
    m_negative->setPlaceholderText(tr("What to avoid, e.g. “blurry, text, watermark”"));
    m_prompt->setTabChangesFocus(true);
    m_negative->setTabChangesFocus(true);
    const int line = QFontMetrics(m_prompt->font()).lineSpacing();
    m_prompt->setMinimumHeight(line * 5);
    m_negative->setMinimumHeight(line * 3);
    m_negative->setMaximumHeight(line * 5);
    m_history->setText(tr("History"));
    m_history->setToolTip(tr("Reuse an earlier prompt"));
    m_history->setPopupMode(QToolButton::InstantPopup);
    m_history->setMenu(new QMenu(m_history));
    connect(m_history->menu(), &QMenu::aboutToShow, this, &PromptPanel::showHistoryMenu);
    m_generate->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_generate->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    m_generate->setIconSize(QSize(22, 22));
    m_generate->setMinimumHeight(40);

    auto* form = new QWidget(this);
    auto* column = new QVBoxLayout(form);
    auto* promptHeader = new QHBoxLayout;
    promptHeader->addWidget(heading(tr("Prompt"), form));
    promptHeader->addStretch();
    promptHeader->addWidget(m_history);
    column->addLayout(promptHeader);
    column->addWidget(m_prompt, 2);
    column->addWidget(heading(tr("Negative prompt"), form));
    column->addWidget(m_negative, 1);
    column->addWidget(heading(tr("Model"), form));
    column->addWidget(m_models);
    column->addWidget(heading(tr("Sampling"), form));
    column->addWidget(m_settings);
    column->addStretch();
    column->addWidget(m_generate);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(form);
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
    return m_prompt->toPlainText().trimmed();
}

QString PromptPanel::negativePrompt() const
{
    return m_negative->toPlainText().trimmed();
}

void PromptPanel::applyRecipe(const Recipe& recipe)
{
    m_prompt->setPlainText(QString::fromStdString(recipe.prompt));
    m_negative->setPlainText(QString::fromStdString(recipe.negativePrompt));
    m_settings->applyRecipe(recipe);
    if (!recipe.modelName.empty())
        m_models->selectByName(QString::fromStdString(recipe.modelName));
}

void PromptPanel::rememberPrompt()
{
    const QString p = prompt();
    const QString n = negativePrompt();
    if (p.isEmpty())
        return;
    for (int i = m_prompts.size() - 1; i >= 0; --i) {
        if (m_prompts[i] == p && m_negatives.value(i) == n) {
            m_prompts.removeAt(i);
            m_negatives.removeAt(i);
        }
    }
    m_prompts.prepend(p);
    m_negatives.prepend(n);
    while (m_prompts.size() > MaxHistory) {
        m_prompts.removeLast();
        m_negatives.removeLast();
    }
}

void PromptPanel::showHistoryMenu()
{
    QMenu* menu = m_history->menu();
    menu->clear();
    if (m_prompts.isEmpty()) {
        menu->addAction(tr("No prompts yet"))->setEnabled(false);
        return;
    }
    const QFontMetrics metrics(menu->font());
    for (int i = 0; i < m_prompts.size(); ++i) {
        const QString label = metrics.elidedText(m_prompts[i].simplified(), Qt::ElideRight, 420);
        QAction* action = menu->addAction(label);
        action->setToolTip(m_prompts[i]);
        connect(action, &QAction::triggered, this, [this, i] {
            m_prompt->setPlainText(m_prompts.value(i));
            m_negative->setPlainText(m_negatives.value(i));
        });
    }
    menu->addSeparator();
    connect(menu->addAction(tr("Clear History")), &QAction::triggered, this, [this] {
        m_prompts.clear();
        m_negatives.clear();
    });
}

void PromptPanel::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("prompt"), m_prompt->toPlainText());
    settings.setValue(QStringLiteral("negative"), m_negative->toPlainText());
    settings.setValue(QStringLiteral("historyPrompts"), m_prompts);
    settings.setValue(QStringLiteral("historyNegatives"), m_negatives);
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->saveState(settings);
    settings.endGroup();
}

void PromptPanel::restoreState(QSettings& settings)
{
    m_prompt->setPlainText(settings.value(QStringLiteral("prompt")).toString());
    m_negative->setPlainText(settings.value(QStringLiteral("negative")).toString());
    m_prompts = settings.value(QStringLiteral("historyPrompts")).toStringList();
    m_negatives = settings.value(QStringLiteral("historyNegatives")).toStringList();
    while (m_negatives.size() < m_prompts.size())
        m_negatives.append(QString());
    settings.beginGroup(QStringLiteral("sampling"));
    m_settings->restoreState(settings);
    settings.endGroup();
}

} // namespace ldm::ui
