// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace ldm::bridge {
class EngineController;
} // namespace ldm::bridge

namespace ldm::desktop {

/// THE place where the desktop app gets its image engine. It calls
/// controller.setEngineFactory(...) with a factory that builds the LibTorch-backed
/// ldm::bridge::ImageEngine (the factory runs on the engine thread). Until that engine exists
/// this attaches nothing, and Generate explains that no engine is available.
void attachEngine(bridge::EngineController& controller);

} // namespace ldm::desktop
