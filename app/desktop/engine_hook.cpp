// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine_hook.h"

#include "bridge/engine_controller.h"

namespace ldm::desktop {

void attachEngine(bridge::EngineController& controller)
{
    // The LibTorch engine is not part of this build yet. When it lands, this becomes:
    //   controller.setEngineFactory([] { return std::make_unique<LibTorchImageEngine>(); });
    // and app/CMakeLists.txt links the engine into latent-canvas.
    (void)controller;
}

} // namespace ldm::desktop
