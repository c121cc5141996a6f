// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ldm::ui {
class MainWindow;
} // namespace ldm::ui

namespace ldm::desktop {

/// Saves <dir>/<activity>.png for every activity (QWidget::grab(), no X server needed) and
/// returns the process exit code. A sample label map is painted first so the Paint page shows
/// the canvas at work; `upscaleInput` (optional) is opened on the Upscale page.
int saveScreenshots(ui::MainWindow& window, const QString& dir, const QString& upscaleInput);

} // namespace ldm::desktop
