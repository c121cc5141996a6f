// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace ldm::bridge {
class EngineController;
}
namespace ldm::ui {
class MainWindow;
}

namespace ldm::desktop {

/// A newcomer's first minutes, for a fresh profile: saves <dir>/first-start.png (the window as
/// it opens, once the Prompt page's model is ready), then presses Generate on Prompt (with a
/// prompt typed in) and on Paint (sky, mountain and water painted on the map it opens with),
/// both with the settings the pages open with, printing each wall time and the settings used,
/// saving first-prompt.png and first-paint.png; then resizes the window to 800 × 600 and saves
/// 800x600-<page>.png for every page. Returns 0 when everything worked.
int saveFirstStartScreenshots(ui::MainWindow& window, bridge::EngineController& controller,
                              const QString& dir);

} // namespace ldm::desktop
