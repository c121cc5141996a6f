// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine_hook.h"

#include "bridge/engine_controller.h"
#include "bridge/ldm_image_engine.h"

namespace ldm::desktop {

void attachEngine(bridge::EngineController& controller)
{
    // The factory runs on the engine thread, so ldm::Engine, its models and LibTorch's
    // per-thread state are created there. Threads come from the settings through
    // setEngineOptions(); CUDA is used when LibTorch has it.
    controller.setEngineFactory([] { return bridge::LdmImageEngine::create({}); });
}

} // namespace ldm::desktop
