// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app_settings.h"

#include <QDialog>

class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ldm::ui {

/// Edits AppSettings: engine threads and precision, previews, output folder, language, and the
/// LoRA and embeddings folders.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(const AppSettings& settings, QWidget* parent = nullptr);
    AppSettings settings() const;

private:
    AppSettings m_original;
    QSpinBox* m_threads;
    QComboBox* m_precision;
    QSpinBox* m_previewInterval;
    QComboBox* m_previewMode;
    QLineEdit* m_outputFolder;
    QComboBox* m_language;
    QLineEdit* m_loraFolder;
    QLineEdit* m_embeddingsFolder;
};

} // namespace ldm::ui
