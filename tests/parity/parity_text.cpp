// SPDX-License-Identifier: GPL-3.0-or-later
// Parity of the text encoder (BERTEmbedder's x-transformers network) against the CompVis
// reference: token ids in, cross-attention context out.
#include "conditioning/text_encoder.h"
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

namespace ldm::parity {

namespace {

constexpr const char* WeightPrefix = "cond_stage_model.";

} // namespace

void runTextEncoderFixture(const Fixture& fixture)
{
    c10::InferenceMode guard;
    const auto metadata = fixture.weightsMetadata();
    const auto configEntry = metadata.find("config");
    ASSERT_NE(configEntry, metadata.end())
        << fixture.fileName() << ": the weight files have no `config` metadata";
    const auto json =
        nlohmann::json::parse(configEntry->second, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(json.is_discarded()) << fixture.fileName() << ": `config` is not JSON";
    auto config = TextEncoderConfig::fromJson(json);
    ASSERT_TRUE(config.ok()) << fixture.fileName() << ": " << config.error().message;

    BertEmbedder encoder(*config);
    const auto weights = fixture.loadWeights();
    auto report = io::loadStateDict(*encoder, weights, WeightPrefix);
    ASSERT_TRUE(report.ok()) << fixture.fileName() << ": " << report.error().message;
    ASSERT_TRUE(report->clean()) << fixture.fileName() << ": weights do not fit:\n"
                                 << report->describe();
    encoder->eval();

    for (const char* which : {"cond", "uncond"}) {
        const std::string tokens = std::string("tokens_") + which;
        const std::string output = std::string("emb_") + which;
        if (!fixture.has(output)) {
            continue;
        }
        const auto ids = fixture.get(tokens);
        ASSERT_TRUE(ids.defined()) << fixture.fileName() << ": " << output << " without " << tokens;
        fixture.expectClose(output, encoder->forward(ids));
    }
}

} // namespace ldm::parity
