// SPDX-License-Identifier: GPL-3.0-or-later
// Parity of the first stage (AutoencoderKL, VQModelInterface) against the CompVis reference.
#include "first_stage/first_stage.h"
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace ldm::parity {
namespace {

constexpr const char* WeightPrefix = "first_stage_model.";

// Builds the model from the weight files' metadata and loads their `first_stage_model.*`
// tensors; every key must fit. Returns nothing (after a recorded failure) otherwise.
std::optional<FirstStage> buildFirstStage(const Fixture& fixture, bool expectVq)
{
    auto config = AutoencoderConfig::fromMetadata(fixture.weightsMetadata());
    if (!config) {
        ADD_FAILURE() << fixture.fileName() << ": " << config.error().message;
        return std::nullopt;
    }
    if (config->isVq() != expectVq) {
        ADD_FAILURE() << fixture.fileName() << ": weights metadata describes "
                      << (config->isVq() ? "a VQ model" : "an AutoencoderKL")
                      << ", but the file's outputs belong to the other kind";
        return std::nullopt;
    }
    auto stage = FirstStage::create(*config);
    if (!stage) {
        ADD_FAILURE() << fixture.fileName() << ": " << stage.error().message;
        return std::nullopt;
    }
    const auto weights = fixture.loadWeights();
    auto report = io::loadStateDict(stage->module(), weights, WeightPrefix);
    if (!report) {
        ADD_FAILURE() << fixture.fileName() << ": " << report.error().message;
        return std::nullopt;
    }
    if (!report->clean()) {
        ADD_FAILURE() << fixture.fileName() << ": weights do not fit:\n" << report->describe();
        return std::nullopt;
    }
    stage->module().eval();
    return std::move(stage).value();
}

void compareIfPresent(const Fixture& fixture, const std::string& name, const torch::Tensor& ours)
{
    if (fixture.has(name))
        fixture.expectClose(name, ours);
}

} // namespace

void runAutoencoderKlFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    auto stage = buildFirstStage(fixture, /*expectVq=*/false);
    if (!stage)
        return;
    auto model = stage->kl().ptr();

    const auto x = fixture.get("x");
    const auto z = fixture.get("z");
    const auto noise = fixture.get("noise");
    ASSERT_TRUE(x.defined() && z.defined() && noise.defined());

    const auto hEnc = model->encoderForward(x);
    const auto moments = model->quantConv(hEnc);
    const auto posterior = Posterior::fromMoments(moments);
    fixture.expectClose("h_enc", hEnc);
    fixture.expectClose("moments", moments);
    fixture.expectClose("mean", posterior.mean);
    fixture.expectClose("logvar", posterior.logvar);
    fixture.expectClose("std", posterior.std);
    fixture.expectClose("sample", posterior.sample(noise));
    fixture.expectClose("post_quant_z", model->postQuantConv(z));
    fixture.expectClose("dec_z", model->decode(z));
    fixture.expectClose("recon_mode", model->decode(posterior.mean));

    // The public path must agree with the module path it wraps.
    EXPECT_TRUE(torch::equal(stage->encodeLatent(x, noise), posterior.sample(noise)));
}

void runVqFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    auto stage = buildFirstStage(fixture, /*expectVq=*/true);
    if (!stage)
        return;
    auto model = stage->vq().ptr();

    if (fixture.hasMeta("min_distance_gap"))
        std::printf("  min_distance_gap (reference): %s\n",
                    fixture.meta("min_distance_gap").c_str());

    const auto x = fixture.get("x");
    ASSERT_TRUE(x.defined());
    const auto h = model->encode(x);
    compareIfPresent(fixture, "h", h);

    // Quantise the reference latent, so an index decision is tested on the reference's own
    // distances rather than on ours after float32 noise in the encoder.
    const auto hRef = fixture.has("h") ? fixture.get("h") : h;
    const auto quantized = model->quantize(hRef);
    compareIfPresent(fixture, "indices", quantized.indices);
    compareIfPresent(fixture, "z_q", quantized.zq);
    compareIfPresent(fixture, "dec", model->decode(hRef));
    compareIfPresent(fixture, "dec_not_quantized", model->decode(hRef, true));

    // End to end: indices from our own h. A flip is only a bug when the reference's smallest
    // best-vs-second-best distance gap is far above our float32 noise in h.
    if (fixture.has("indices") && fixture.has("h")) {
        const auto ref = fixture.get("indices");
        const auto ours = model->quantize(h).indices;
        const int64_t flips =
            ours.sizes() == ref.sizes() ? ours.ne(ref).sum().item<int64_t>() : ref.numel();
        const double gap = std::atof(fixture.meta("min_distance_gap").c_str());
        std::printf("  indices from our h: %lld of %lld differ\n", static_cast<long long>(flips),
                    static_cast<long long>(ref.numel()));
        if (gap > 1e-3) {
            EXPECT_EQ(flips, 0) << fixture.fileName() << ": quantising our h changes indices "
                                << "although the reference distance gap is " << gap;
        }
    }

    // Unknown semantics: compared only when it has the shape of the selected codebook rows,
    // per pixel ([B·H·W, D]) or per position ([B, H, W, D]).
    if (fixture.has("codebook_rows")) {
        const auto ref = fixture.get("codebook_rows");
        const auto& zq = quantized.zq;
        const auto perPosition = quantized.indices.view({zq.size(0), zq.size(2), zq.size(3)});
        const auto rows = model->quantizer->lookup(quantized.indices);
        if (ref.sizes() == rows.sizes()) {
            fixture.expectClose("codebook_rows", rows);
        } else if (ref.sizes() == model->quantizer->lookup(perPosition).sizes()) {
            fixture.expectClose("codebook_rows", model->quantizer->lookup(perPosition));
        } else {
            std::printf("  codebook_rows: shape %s is neither [B*H*W, D] %s nor [B, H, W, D]; "
                        "meaning unknown, not compared\n",
                        c10::str(ref.sizes()).c_str(), c10::str(rows.sizes()).c_str());
        }
    }

    // The public path: the LDM latent is the unquantised h; decoding quantises.
    EXPECT_TRUE(torch::equal(stage->encodeLatent(x), h));
    EXPECT_TRUE(torch::equal(stage->decodeLatent(hRef), model->decode(hRef)));
}

} // namespace ldm::parity
