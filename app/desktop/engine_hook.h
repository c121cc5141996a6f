// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace ldm::bridge {
class EngineController;
} // namespace ldm::bridge

namespace ldm::desktop {

/// THE place where the desktop app gets its image engine: gives the controller a factory that
/// builds the LibTorch-backed bridge::LdmImageEngine on the engine thread. When the engine
/// cannot start, the controller reports engineFailed and Generate explains why.
void attachEngine(bridge::EngineController& controller);

} // namespace ldm::desktop
