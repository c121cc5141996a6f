// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt_fields.h"

#include <QAction>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace ldm::ui {

namespace {

constexpr int MaxHistory = 30;

} // namespace

QLabel* sectionHeading(const QString& text, QWidget* parent)
{
    auto* label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

PromptFields::PromptFields(QWidget* parent)
    : QWidget(parent)
    , m_prompt(new QPlainTextEdit(this))
    , m_negative(new QPlainTextEdit(this))
    , m_history(new QToolButton(this))
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
    connect(m_history->menu(), &QMenu::aboutToShow, this, &PromptFields::showHistoryMenu);

    auto* column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto* promptHeader = new QHBoxLayout;
    promptHeader->addWidget(sectionHeading(tr("Prompt"), this));
    promptHeader->addStretch();
    promptHeader->addWidget(m_history);
    column->addLayout(promptHeader);
    column->addWidget(m_prompt, 2);
    column->addWidget(sectionHeading(tr("Negative prompt"), this));
    column->addWidget(m_negative, 1);
}

QString PromptFields::prompt() const
{
    return m_prompt->toPlainText().trimmed();
}

QString PromptFields::negativePrompt() const
{
    return m_negative->toPlainText().trimmed();
}

void PromptFields::setPrompts(const QString& prompt, const QString& negative)
{
    m_prompt->setPlainText(prompt);
    m_negative->setPlainText(negative);
}

void PromptFields::rememberPrompt()
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

void PromptFields::showHistoryMenu()
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
        connect(action, &QAction::triggered, this,
                [this, i] { setPrompts(m_prompts.value(i), m_negatives.value(i)); });
    }
    menu->addSeparator();
    connect(menu->addAction(tr("Clear History")), &QAction::triggered, this, [this] {
        m_prompts.clear();
        m_negatives.clear();
    });
}

void PromptFields::saveState(QSettings& settings) const
{
    settings.setValue(QStringLiteral("prompt"), m_prompt->toPlainText());
    settings.setValue(QStringLiteral("negative"), m_negative->toPlainText());
    settings.setValue(QStringLiteral("historyPrompts"), m_prompts);
    settings.setValue(QStringLiteral("historyNegatives"), m_negatives);
}

void PromptFields::restoreState(QSettings& settings)
{
    setPrompts(settings.value(QStringLiteral("prompt")).toString(),
               settings.value(QStringLiteral("negative")).toString());
    m_prompts = settings.value(QStringLiteral("historyPrompts")).toStringList();
    m_negatives = settings.value(QStringLiteral("historyNegatives")).toStringList();
    while (m_negatives.size() < m_prompts.size())
        m_negatives.append(QString());
}

} // namespace ldm::ui
