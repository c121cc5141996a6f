// SPDX-License-Identifier: GPL-3.0-or-later
// Text-encoder io of Stable Diffusion single files: the encoder is built from the checkpoint
// alone (configuration detected from its tensors, as for a user's file), then token ids in,
// cross-attention context out, at the layers the fixture recorded.
#include "checkpoint/latent_diffusion.h"
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

namespace ldm::parity {

void runCheckpointTextFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const std::string weights = fixture.meta("weights");
    ASSERT_FALSE(weights.empty() || weights.find(',') != std::string::npos)
        << fixture.fileName() << ": expected one checkpoint in `weights`, got '" << weights << "'";
    auto model = LatentDiffusion::load((fixture.path().parent_path() / weights).string(),
                                       fixture.loadOptions());
    ASSERT_TRUE(model.ok()) << model.error().message;
    ASSERT_TRUE(model->takesText()) << weights << " has no text encoder";
    const torch::Tensor tokens = fixture.get("tokens");
    ASSERT_TRUE(tokens.defined());
    // emb: the layer the model family conditions on; emb_clip_skip2: A1111's "Clip skip: 2".
    fixture.expectClose("emb", model->encodeTokens(tokens));
    if (fixture.has("emb_clip_skip2"))
        fixture.expectClose("emb_clip_skip2", model->encodeTokens(tokens, 2));
    // emb_last: an OpenCLIP tower read at its last block instead of SD-2.x's penultimate.
    if (fixture.has("emb_last")) {
        OpenClipTextEncoder tower = model->openClipTextEncoder();
        ASSERT_FALSE(tower.is_empty()) << "emb_last is an OpenCLIP output";
        fixture.expectClose("emb_last", tower->forward(tokens, 1));
    }
}

} // namespace ldm::parity
