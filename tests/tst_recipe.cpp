// SPDX-License-Identifier: GPL-3.0-or-later
#include "ldm/recipe.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

ldm::Recipe sampleRecipe()
{
    ldm::Recipe r;
    r.task = "paint";
    r.modelName = "ldm-landscape, v2";
    r.modelHash = "abcdef1234";
    r.prompt = "a lake below mountains\nat golden hour";
    r.negativePrompt = "blurry, low quality";
    r.sampler = "ddim"; // the sampler that reads eta, so both forms keep it
    r.steps = 25;
    r.guidanceScale = 7.5;
    r.eta = 0.25;
    r.seed = 18446744073709551557ULL; // near UINT64_MAX: must not pass through a double
    r.variationSeed = 18446744073709551000ULL;
    r.variationStrength = 0.125;
    r.width = 768;
    r.height = 512;
    r.precision = "bf16";
    r.mapHash = "0011223344";
    r.tileSize = 0;
    r.engineVersion = "latent-canvas 0.1.0";
    r.createdAt = "2024-05-01T12:00:00Z";
    return r;
}

// Real A1111 v1.5.1 output (shared with a civitai post): multi-pair line, Clip skip and Hires
// keys we do not use, a DPM++ 2M Karras sampler.
const char* const RealA1111 =
    "(masterpiece:1.5), (high quality:1.4), subsurface scattering, heavy shadow, (intricate, "
    "high detail:1.2)\n"
    "Negative prompt: (worst quality:2), (low quality:2), (normal quality:2), (b&w:1.2), "
    "(watermark:1.5), (text:1.5), (logo:1.5)\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1701800230, Size: 512x768, "
    "Model hash: 54d8a62d61, Model: darkSushi25D25D_v30, Denoising strength: 0.4, Clip skip: 2, "
    "Hires upscale: 2, Hires steps: 15, Hires upscaler: 4x-UltraSharp, Version: v1.5.1";

// Real A1111 v1.6.0 output with a quoted value that holds commas and colons.
const char* const RealA1111Quoted =
    "woman, natural blonde hair, ice blue eyes, <lora:Daphne Blake Cosplay_v1:1> daphne blake "
    "cosplay, upper body\n"
    "Negative prompt: low quality\n"
    "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 4140408634, Size: 512x768, Model hash: "
    "3c8530cb22, Model: cyberrealistic_v33, Lora hashes: \"Daphne Blake Cosplay_v1: "
    "e67ebd5e315f, other: 0123\", Version: v1.6.0";

} // namespace

TEST(Recipe, JsonRoundTripIsLossless)
{
    const ldm::Recipe r = sampleRecipe();
    const auto back = ldm::recipeFromJsonText(ldm::toJson(r).dump());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, r);
    EXPECT_EQ(back->seed, 18446744073709551557ULL);
}

TEST(Recipe, JsonRejectsBadInput)
{
    EXPECT_FALSE(ldm::recipeFromJsonText("not json").ok());
    EXPECT_FALSE(ldm::recipeFromJsonText("[1,2]").ok());
    EXPECT_FALSE(ldm::recipeFromJsonText(R"({"steps": 3})").ok()); // no task
    EXPECT_FALSE(ldm::recipeFromJsonText(R"({"task": "paint", "steps": "many"})").ok());
    EXPECT_FALSE(ldm::recipeFromJsonText(R"({"task": "dance"})").ok());
    EXPECT_FALSE(ldm::recipeFromJsonText(R"({"task": "paint", "width": -4})").ok());
    EXPECT_FALSE(ldm::recipeFromJsonText(R"({"task": "paint", "seed": -1})").ok());
    const auto newer = ldm::recipeFromJsonText(R"({"task": "paint", "version": 99})");
    ASSERT_FALSE(newer.ok());
    EXPECT_NE(newer.error().message.find("newer"), std::string::npos);
    EXPECT_TRUE(ldm::recipeFromJsonText(R"({"task": "upscale"})").ok());
}

TEST(Recipe, A1111TextHasExpectedShape)
{
    ldm::Recipe r;
    r.prompt = "a castle";
    r.negativePrompt = "fog";
    r.steps = 25;
    r.sampler = "ddim";
    r.guidanceScale = 7.5;
    r.seed = 123;
    r.modelHash = "abcdef1234";
    r.modelName = "name";
    r.createdAt.clear();
    const std::string text = ldm::toA1111Parameters(r);
    EXPECT_EQ(text, "a castle\nNegative prompt: fog\nSteps: 25, Sampler: DDIM, CFG scale: 7.5, "
                    "Seed: 123, Size: 512x512, Model hash: abcdef1234, Model: name, Eta: 0.0, "
                    "RNG: ours, Precision: fp32, Task: txt2img");
    r.negativePrompt.clear();
    EXPECT_EQ(ldm::toA1111Parameters(r).find("Negative prompt"), std::string::npos);
}

TEST(Recipe, A1111RoundTripKeepsOurFields)
{
    const ldm::Recipe r = sampleRecipe();
    const auto back = ldm::recipeFromA1111Parameters(ldm::toA1111Parameters(r));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, r); // model name with a comma and the ISO time with colons are quoted
}

TEST(Recipe, ReadsRealA1111Output)
{
    const auto r = ldm::recipeFromA1111Parameters(RealA1111);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->prompt, "(masterpiece:1.5), (high quality:1.4), subsurface scattering, heavy "
                         "shadow, (intricate, high detail:1.2)");
    EXPECT_EQ(r->negativePrompt.rfind("(worst quality:2)", 0), 0u);
    EXPECT_EQ(r->steps, 30);
    EXPECT_EQ(r->sampler, "dpmpp_2m");
    EXPECT_EQ(r->schedule, "karras"); // A1111 before 1.9 wrote the schedule into the name
    EXPECT_EQ(r->rng, "nv");          // no "RNG": A1111's GPU noise
    EXPECT_DOUBLE_EQ(r->guidanceScale, 7.0);
    EXPECT_EQ(r->seed, 1701800230u);
    EXPECT_EQ(r->width, 512);
    EXPECT_EQ(r->height, 768);
    EXPECT_EQ(r->modelHash, "54d8a62d61");
    EXPECT_EQ(r->modelName, "darkSushi25D25D_v30");
    EXPECT_EQ(r->task, "txt2img");
}

TEST(Recipe, ReadsQuotedValuesAndA1111Samplers)
{
    const auto r = ldm::recipeFromA1111Parameters(RealA1111Quoted);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->sampler, "euler_a");
    EXPECT_TRUE(ldm::isKnownSampler(r->sampler));
    EXPECT_EQ(r->schedule, "automatic");
    EXPECT_EQ(r->seed, 4140408634u);
    EXPECT_EQ(r->modelName, "cyberrealistic_v33"); // the quoted Lora value did not leak
    EXPECT_EQ(r->negativePrompt, "low quality");
}

TEST(Recipe, ReadsMultiLinePromptsAndUtf8)
{
    const std::string text = "line one,\nline two\n\nNegative prompt: bad\nworse\n"
                             "Steps: 40, Size: 920x1520, Seed: 4273211111, Model: 写实摄影_V1.0, "
                             "Sampler: DPM++ 2M Karras, CFG scale: 7, Clip skip: 2";
    const auto r = ldm::recipeFromA1111Parameters(text);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->prompt, "line one,\nline two\n");
    EXPECT_EQ(r->negativePrompt, "bad\nworse");
    EXPECT_EQ(r->modelName, "写实摄影_V1.0");
    EXPECT_EQ(r->width, 920);
    EXPECT_EQ(r->height, 1520);
}

TEST(Recipe, RejectsTextWithoutSettings)
{
    EXPECT_FALSE(ldm::recipeFromA1111Parameters("").ok());
    EXPECT_FALSE(ldm::recipeFromA1111Parameters("just a prompt\nwith two lines").ok());
    EXPECT_FALSE(ldm::recipeFromA1111Parameters(std::string(100000, ',')).ok());
    // Garbage values are ignored, never thrown.
    const auto r = ldm::recipeFromA1111Parameters("p\nSteps: x, Seed: -5, Size: 0x0, CFG scale: ?");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->steps, 50);
}

TEST(Recipe, SamplerNames)
{
    EXPECT_EQ(ldm::samplerFromDisplayName("DDIM"), "ddim");
    EXPECT_EQ(ldm::samplerFromDisplayName("PLMS"), "plms");
    EXPECT_EQ(ldm::samplerFromDisplayName("DPM++ 2M"), "dpmpp_2m");
    EXPECT_EQ(ldm::samplerFromDisplayName("DPM-Solver++ 2M (DDIM grid)"), "dpmpp2m");
    EXPECT_EQ(ldm::samplerFromDisplayName("Euler"), "euler");
    EXPECT_EQ(ldm::samplerFromDisplayName("k_dpm_2_a"), "dpm2_a");
    EXPECT_EQ(ldm::samplerFromDisplayName("DPM++ SDE Karras"), "dpmpp_sde");
    EXPECT_EQ(ldm::scheduleFromSamplerName("DPM++ SDE Karras"), "karras");
    EXPECT_EQ(ldm::scheduleFromSamplerName("DPM++ 2M SDE Exponential"), "exponential");
    EXPECT_EQ(ldm::scheduleFromSamplerName("DPM++ 2M SDE"), "");
    EXPECT_EQ(ldm::samplerFromDisplayName("UniPC"), "UniPC"); // unknown: kept as text
    EXPECT_EQ(ldm::samplerDisplayName("dpmpp2m"), "DPM-Solver++ 2M (DDIM grid)");
    EXPECT_EQ(ldm::samplerDisplayName("dpmpp_2s_a"), "DPM++ 2S a");
    EXPECT_EQ(ldm::automaticSchedule("dpm2"), "karras");
    EXPECT_EQ(ldm::automaticSchedule("ddim"), "");
}

TEST(Recipe, A1111SamplerScheduleAndNoiseBothWays)
{
    ldm::Recipe r;
    r.prompt = "a lake";
    r.sampler = "dpmpp_2m";
    r.rng = "cpu";
    r.etaNoiseSeedDelta = 31337;
    r.variationSeed = 4242;
    r.variationStrength = 0.25;
    std::string text = ldm::toA1111Parameters(r);
    EXPECT_NE(text.find("Variation seed: 4242, Variation seed strength: 0.25"), std::string::npos)
        << text;
    EXPECT_NE(text.find("Sampler: DPM++ 2M, Schedule type: Karras"), std::string::npos) << text;
    EXPECT_NE(text.find("RNG: CPU"), std::string::npos) << text;
    EXPECT_NE(text.find("ENSD: 31337"), std::string::npos) << text;
    EXPECT_EQ(text.find("Eta:"), std::string::npos) << text; // A1111's ancestral eta 1
    auto back = ldm::recipeFromA1111Parameters(text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->sampler, "dpmpp_2m");
    EXPECT_EQ(back->schedule, "karras");
    EXPECT_EQ(back->rng, "cpu");
    EXPECT_EQ(back->etaNoiseSeedDelta, 31337u);
    EXPECT_EQ(back->variationSeed, 4242u);
    EXPECT_DOUBLE_EQ(back->variationStrength, 0.25);

    // Euler's automatic schedule is the model's own: A1111 names none; "nv" is A1111's default.
    r.sampler = "euler";
    r.rng = "nv";
    r.etaNoiseSeedDelta = 0;
    text = ldm::toA1111Parameters(r);
    EXPECT_EQ(text.find("Schedule type"), std::string::npos) << text;
    EXPECT_EQ(text.find("RNG"), std::string::npos) << text;
    back = ldm::recipeFromA1111Parameters(text);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->rng, "nv");
    r.schedule = "sgm_uniform";
    back = ldm::recipeFromA1111Parameters(ldm::toA1111Parameters(r));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->schedule, "sgm_uniform");

    // Our files from before the RNG key: our own noise, and "DPM++ 2M" was the DDIM-grid one.
    const auto old = ldm::recipeFromA1111Parameters(
        "a lake\nSteps: 20, Sampler: DPM++ 2M, CFG scale: 5.0, Seed: 3, Size: 64x64, "
        "Task: txt2img, Engine: latent-canvas 0.1.0");
    ASSERT_TRUE(old.ok());
    EXPECT_EQ(old->sampler, "dpmpp2m");
    EXPECT_EQ(old->rng, "ours");
}

// Values that parse but are impossible get the JSON recipe's checks, not a generate that fails
// (or allocates) later.
TEST(Recipe, A1111RejectsImpossibleValues)
{
    const std::string base = "a lake\nSampler: DDIM, Seed: 1, ";
    for (const char* settings : {"Steps: -5, Size: 64x64, CFG scale: 5",
                                 "Steps: 20, Size: 99999x64, CFG scale: 5",
                                 "Steps: 20, Size: 64x64, CFG scale: nan",
                                 "Steps: 20, Size: 64x64, CFG scale: inf",
                                 "Steps: 20, Size: 64x64, CFG scale: 5, Eta: -1"}) {
        const auto r = ldm::recipeFromA1111Parameters(base + settings);
        ASSERT_FALSE(r.ok()) << settings;
        EXPECT_EQ(r.error().code, ldm::ErrorCode::InvalidFile) << settings;
        EXPECT_EQ(r.error().message.rfind("parameters: ", 0), 0u) << r.error().message;
    }
    const auto fine = ldm::recipeFromA1111Parameters(base + "Steps: 20, Size: 64x64, CFG scale: 5");
    ASSERT_TRUE(fine.ok()) << fine.error().message;
    EXPECT_EQ(fine->steps, 20);
}

// The SD x4 upscaler's noise level replays from both forms; recipes without one say nothing.
TEST(Recipe, UpscalerNoiseLevelRoundTrips)
{
    ldm::Recipe r;
    r.task = "upscale";
    r.prompt = "a harbour at dawn";
    r.noiseLevel = 30;
    const std::string text = ldm::toA1111Parameters(r);
    EXPECT_NE(text.find("Noise level: 30"), std::string::npos) << text;
    const auto fromText = ldm::recipeFromA1111Parameters(text);
    ASSERT_TRUE(fromText.ok()) << fromText.error().message;
    EXPECT_EQ(fromText->noiseLevel, 30);
    const auto fromJson = ldm::recipeFromJson(ldm::toJson(r));
    ASSERT_TRUE(fromJson.ok()) << fromJson.error().message;
    EXPECT_EQ(*fromJson, r);

    nlohmann::json bad = ldm::toJson(r);
    bad["noise_level"] = -7;
    EXPECT_FALSE(ldm::recipeFromJson(bad).ok());
    EXPECT_EQ(ldm::toA1111Parameters(ldm::Recipe{}).find("Noise level"), std::string::npos);
}

// A1111's other schedule types read and write in its spelling; "TI hashes" round-trips.
TEST(Recipe, A1111ScheduleTypesAndTiHashes)
{
    ldm::Recipe r;
    r.sampler = "euler";
    r.tiHashes = "EasyNegative: c74b4e810b03, tinyneg: 0123456789ab";
    for (const auto& [name, label] :
         {std::pair{"polyexponential", "Polyexponential"}, {"kl_optimal", "KL Optimal"},
          {"align_your_steps", "Align Your Steps"}, {"simple", "Simple"}, {"normal", "Normal"},
          {"beta", "Beta"}}) {
        r.schedule = name;
        const std::string text = ldm::toA1111Parameters(r);
        EXPECT_NE(text.find(std::string("Schedule type: ") + label), std::string::npos) << text;
        EXPECT_NE(text.find("TI hashes: \"EasyNegative: c74b4e810b03, tinyneg: 0123456789ab\""),
                  std::string::npos)
            << text;
        const auto back = ldm::recipeFromA1111Parameters(text);
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(back->schedule, name);
        EXPECT_EQ(back->tiHashes, r.tiHashes);
        EXPECT_EQ(ldm::scheduleFromLabel(label), name);
        const auto json = ldm::recipeFromJson(ldm::toJson(r));
        ASSERT_TRUE(json.ok());
        EXPECT_EQ(*json, r);
    }
    // As A1111 writes it for a picture made there.
    const auto a1111 = ldm::recipeFromA1111Parameters(
        "a lake, EasyNegative\nSteps: 20, Sampler: DPM++ 2M, Schedule type: Align Your Steps, "
        "CFG scale: 7, Seed: 1, Size: 512x512, TI hashes: \"EasyNegative: c74b4e810b03\", "
        "Version: v1.10.0");
    ASSERT_TRUE(a1111.ok());
    EXPECT_EQ(a1111->schedule, "align_your_steps");
    EXPECT_EQ(a1111->tiHashes, "EasyNegative: c74b4e810b03");
}

TEST(Recipe, A1111TextThatIsNotUtf8IsRefused)
{
    for (const std::string& text :
         {std::string("a \xff lake\nSteps: 20, Sampler: Euler, Seed: 1"),
          std::string("a lake\nSteps: 20, Sampler: Euler \xc0\xaf, Seed: 1"),
          std::string("a \xed\xa0\x80\nSteps: 20, Sampler: Euler, Seed: 1")}) {
        const auto parsed = ldm::recipeFromA1111Parameters(text);
        ASSERT_FALSE(parsed.ok());
        EXPECT_NE(parsed.error().message.find("not UTF-8"), std::string::npos);
    }
    EXPECT_TRUE(ldm::recipeFromA1111Parameters("caf\xc3\xa9\nSteps: 20, Sampler: Euler, Seed: 1").ok());
}
