// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

class QCoreApplication;

namespace ldm::ui {

/// Registers the resources compiled into ldm_ui (icons); safe to call more than once.
void initResources();

/// Languages the UI ships, as (code, native name): ("en", "English"), ("vi", "Tiếng Việt").
QList<QPair<QString, QString>> availableLanguages();

/// Installs the translators for `language` ("" = the system locale): ours from
/// ":/i18n/latent_canvas_<code>.qm" and Qt's own (dialog buttons). Returns the code in use.
QString installTranslators(QCoreApplication& app, const QString& language);

} // namespace ldm::ui
