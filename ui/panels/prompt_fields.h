// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QSettings;
class QToolButton;

namespace ldm::ui {

/// A bold section title, as the side columns of the activities use.
QLabel* sectionHeading(const QString& text, QWidget* parent);

/// The prompt and negative prompt boxes with their history menu: shared by the activities that
/// take text (Prompt, Edit).
class PromptFields final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PromptFields)

public:
    explicit PromptFields(QWidget* parent = nullptr);

    QString prompt() const;
    QString negativePrompt() const;
    void setPrompts(const QString& prompt, const QString& negative);
    /// Puts the current prompt pair on top of the history.
    void rememberPrompt();

    /// Texts and history under the current group of `settings`.
    void saveState(QSettings& settings) const;
    void restoreState(QSettings& settings);

private:
    void showHistoryMenu();

    QPlainTextEdit* m_prompt;
    QPlainTextEdit* m_negative;
    QToolButton* m_history;
    QStringList m_prompts;
    QStringList m_negatives;
};

} // namespace ldm::ui
