// SPDX-License-Identifier: GPL-3.0-or-later
// Runs every fixture of the folder named by LDM_PARITY_DIR (default: the repository's sibling
// ../shared/fixtures/parity) as one test case each. The kind of each file is recognised from its
// tensor names and metadata; a file of an unknown kind fails loudly.
#include "parity/parity_fixture.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>

namespace ldm::parity {
namespace {

using Handler = std::function<void(const Fixture&)>;

bool startsWith(const std::string& text, const std::string& prefix)
{
    return text.compare(0, prefix.size(), prefix) == 0;
}

bool isWeightName(const std::string& name)
{
    static const char* prefixes[] = {"model.diffusion_model.", "first_stage_model.",
                                     "cond_stage_model.", "model_ema."};
    for (const char* prefix : prefixes)
        if (startsWith(name, prefix))
            return true;
    static const char* buffers[] = {"betas", "alphas_cumprod", "alphas_cumprod_prev",
        "sqrt_alphas_cumprod", "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod",
        "sqrt_recip_alphas_cumprod", "sqrt_recipm1_alphas_cumprod", "posterior_variance",
        "posterior_log_variance_clipped", "posterior_mean_coef1", "posterior_mean_coef2",
        "scale_factor", "logvar"};
    for (const char* buffer : buffers)
        if (name == buffer)
            return true;
    return false;
}

/// The handler for a file's kind and its name, or an empty handler for an unknown kind.
std::pair<std::string, Handler> classify(const io::SafetensorsFile& file)
{
    auto has = [&](const char* name) { return file.contains(name); };
    if (file.metadata().count("sampler"))
        return {"sampler", runSamplerFixture};
    if (has("eps_0"))
        return {"unet", runUnetFixture};
    if (has("dec_z") || has("recon_mode"))
        return {"autoencoder_kl", runAutoencoderKlFixture};
    if (has("indices") && (has("z_q") || has("dec")))
        return {"vq", runVqFixture};
    if (has("emb_cond"))
        return {"text_encoder", runTextEncoderFixture};
    bool allWeights = !file.tensors().empty();
    for (const auto& info : file.tensors())
        allWeights = allWeights && isWeightName(info.name);
    if (allWeights)
        return {"weights", runWeightsFixture};
    return {{}, {}};
}

std::filesystem::path parityDir()
{
    for (const char* var : {"LDM_PARITY_DIR", "LDM_PARITY_DIR_DEFAULT"})
        if (const char* value = std::getenv(var); value && *value)
            return value;
    return std::filesystem::path(LDM_SOURCE_DIR_FALLBACK) / ".." / "shared" / "fixtures" /
           "parity";
}

nlohmann::json loadTolerances(const std::filesystem::path& dir)
{
    std::ifstream in(dir / "tolerances.json");
    if (!in)
        return nlohmann::json::object();
    auto parsed = nlohmann::json::parse(in, nullptr, false);
    return parsed.is_discarded() ? nlohmann::json::object() : parsed;
}

class FixtureTest : public ::testing::Test {
public:
    FixtureTest(std::filesystem::path path, nlohmann::json tolerances)
        : m_path(std::move(path))
        , m_tolerances(std::move(tolerances))
    {
    }

    void TestBody() override
    {
        auto file = io::SafetensorsFile::open(m_path.string());
        ASSERT_TRUE(file.ok()) << file.error().message;
        auto [kind, handler] = classify(*file);
        ASSERT_TRUE(handler) << m_path.filename() << ": unknown fixture kind (tensors: "
                             << file->tensors().size()
                             << "); the parity runner must be taught this kind";
        std::printf("%s [%s]\n", m_path.filename().string().c_str(), kind.c_str());
        handler(Fixture(m_path, std::move(file.value()), m_tolerances));
    }

private:
    std::filesystem::path m_path;
    nlohmann::json m_tolerances;
};

void registerFixtures()
{
    const std::filesystem::path dir = parityDir();
    std::vector<std::filesystem::path> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".safetensors")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        ::testing::RegisterTest("Parity", "FixtureFolder", nullptr, nullptr, __FILE__, __LINE__,
            [dir]() -> ::testing::Test* {
                struct Missing : ::testing::Test {
                    std::filesystem::path dir;
                    void TestBody() override
                    {
                        FAIL() << "no .safetensors fixtures in " << dir
                               << " (set LDM_PARITY_DIR)";
                    }
                };
                auto* test = new Missing;
                test->dir = dir;
                return test;
            });
        return;
    }
    const nlohmann::json tolerances = loadTolerances(dir);
    for (const auto& path : files) {
        const std::string name = path.filename().string();
        nlohmann::json entry = tolerances.contains(name) ? tolerances[name] : nlohmann::json();
        ::testing::RegisterTest("Parity", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
            [path, entry]() -> ::testing::Test* { return new FixtureTest(path, entry); });
    }
}

} // namespace
} // namespace ldm::parity

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    ldm::parity::registerFixtures();
    return RUN_ALL_TESTS();
}
