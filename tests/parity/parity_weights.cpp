// SPDX-License-Identifier: GPL-3.0-or-later
// Weight files: the loader must accept each with no missing, unexpected or mis-shaped key,
// taking the configuration from the file's own metadata.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

namespace ldm::parity {

void runWeightsFixture(const Fixture& fixture)
{
    auto model = LatentDiffusion::load(fixture.path().string());
    ASSERT_TRUE(model.ok()) << model.error().message;
    const auto& config = model->config();
    std::printf("  loaded cleanly: unet %s, first stage %s, cond stage %s, %lld parameters\n",
                config.unet ? "yes" : "no", config.firstStage ? "yes" : "no",
                condStageKindName(config.condStage),
                static_cast<long long>(model->parameterCount()));
    // Every tensor of the file must have been claimed by a part (checked by the loader), and
    // every part's tensors must round-trip by name.
    const auto saved = model->stateDict();
    for (const auto& info : fixture.file().tensors()) {
        if (info.name.rfind("model_ema.", 0) == 0 || saved.count(info.name))
            continue;
        const bool scheduleBuffer = info.name.find('.') == std::string::npos;
        EXPECT_TRUE(scheduleBuffer) << "tensor " << info.name << " was not loaded into any part";
    }
}

} // namespace ldm::parity
