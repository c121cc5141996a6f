// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>
#include <QString>

namespace ldm::ui {

/// The icon ":/icons/<name>.svg", with its grey line work (#4b5563, drawn for light themes)
/// redrawn in the palette's text colour when the window background is dark, so tools stay
/// readable on dark themes. Coloured parts (swatches, accents) are kept.
QIcon themedIcon(const QString& name);

/// True when the application palette has a dark window background.
bool isDarkTheme();

} // namespace ldm::ui
