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
                                     "cond_stage_model.", "model_ema.", "low_scale_model."};
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
    if (has("x_aug") && has("lr"))
        return {"x4_upscaler_ddim", runLatentUpscalerFixture};
    // Before the sampler check: an inpainting file records its sampler too.
    if (has("mask_01") && has("inpainted_01"))
        return {"inpaint_ddim", runInpaintFixture};
    if (has("c_concat") && has("mask_latent") && has("z_masked"))
        return {"sd_inpaint_ddim", runSdInpaintFixture};
    if (file.metadata().count("a1111_sampler"))
        return {"a1111_sampler", runA1111SamplerFixture};
    if (file.metadata().count("runs") && file.metadata().count("brownian_rng"))
        return {"a1111_matrix", runA1111MatrixFixture};
    if (file.contains("cpu.0.4x8x8") || file.contains("nv.0.4x8x8") ||
        (!file.tensors().empty() && (startsWith(file.tensors().front().name, "cpu.") ||
                                     startsWith(file.tensors().front().name, "nv."))))
        return {"a1111_rng", runA1111RngFixture};
    if (has("hint") && file.metadata().count("control_strength"))
        return {"controlnet_sampler", runControlNetFixture};
    // The paper's release folders: a semantic map or a low-res image through a model.ckpt.
    if (has("labels") && has("x_T"))
        return {"semantic_ddim", runPaperFixture};
    if (has("lr_01") && has("x_T"))
        return {"superres_ddim", runPaperFixture};
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
    if (has("tokens") && has("emb"))
        return {"checkpoint_text_encoder", runCheckpointTextFixture};
    if (isControlNetWeights(file))
        return {"controlnet_weights", runControlNetWeightsFixture};
    bool allWeights = !file.tensors().empty();
    for (const auto& info : file.tensors())
        allWeights = allWeights && isWeightName(info.name);
    if (allWeights)
        return {"weights", runWeightsFixture};
    return {{}, {}};
}

/// The fixture folders to run: the one in LDM_PARITY_DIR, else every folder named in
/// supported_folders.txt under the fixture root (LDM_FIXTURES_DIR, default ../shared/fixtures).
/// An empty list with `rootMissing` set means a clone without the shared fixtures.
struct FolderPlan {
    std::vector<std::filesystem::path> folders;
    std::filesystem::path root;
    bool rootMissing = false;
};

FolderPlan planFolders()
{
    FolderPlan plan;
    if (const char* dir = std::getenv("LDM_PARITY_DIR"); dir && *dir) {
        plan.folders.push_back(dir);
        return plan;
    }
    plan.root = fixturesRoot();
    std::error_code ec;
    if (!std::filesystem::is_directory(plan.root, ec)) {
        plan.rootMissing = true;
        return plan;
    }
    std::ifstream list(LDM_PARITY_FOLDER_LIST);
    std::string line;
    while (std::getline(list, line)) {
        line.erase(0, line.find_first_not_of(" \t"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (!line.empty() && line[0] != '#')
            plan.folders.push_back(plan.root / line);
    }
    return plan;
}

bool fixturesRequired()
{
    const char* value = std::getenv("LDM_REQUIRE_FIXTURES");
    return value && std::string(value) == "1";
}

/// The top-level "kind" of a JSON side file ("" for other files such as tolerances.json).
std::string jsonKind(const std::filesystem::path& path)
{
    std::ifstream in(path);
    const auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("kind") ||
        !json["kind"].is_string())
        return {};
    return json["kind"].get<std::string>();
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
        const Fixture fixture(m_path, std::move(file.value()), m_tolerances);
        handler(fixture);
        const auto& worst = fixture.worst();
        const std::string id = m_path.parent_path().filename().string() + "/" +
                               m_path.filename().string();
        if (worst.tensor.empty())
            std::printf("PARITY %-44s %-24s loaded (no numeric outputs)\n", id.c_str(),
                        kind.c_str());
        else
            std::printf("PARITY %-44s %-24s worst %-16s %.2e (bound %.1e)\n", id.c_str(),
                        kind.c_str(), worst.tensor.c_str(), worst.error, worst.bound);
    }

private:
    std::filesystem::path m_path;
    nlohmann::json m_tolerances;
};

/// A test that fails (or, in a user's clone, skips) with `message`.
void registerProblem(const std::string& name, const std::string& message, bool skip)
{
    ::testing::RegisterTest("Parity", name.c_str(), nullptr, nullptr, __FILE__, __LINE__,
        [message, skip]() -> ::testing::Test* {
            struct Problem : ::testing::Test {
                std::string message;
                bool skip = false;
                void TestBody() override
                {
                    if (skip)
                        GTEST_SKIP() << message;
                    FAIL() << message;
                }
            };
            auto* test = new Problem;
            test->message = message;
            test->skip = skip;
            return test;
        });
}

void registerFolder(const std::filesystem::path& dir)
{
    const std::string folder = dir.filename().string();
    std::vector<std::filesystem::path> files;
    std::vector<std::filesystem::path> tokenizerCases;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".safetensors")
            files.push_back(entry.path());
        else if (entry.path().extension() == ".json" &&
                 isTokenizerCaseKind(jsonKind(entry.path())))
            tokenizerCases.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::sort(tokenizerCases.begin(), tokenizerCases.end());
    for (const auto& path : tokenizerCases)
        ::testing::RegisterTest("Parity", (folder + "/" + path.filename().string()).c_str(),
            nullptr, nullptr, __FILE__, __LINE__, [path]() -> ::testing::Test* {
                struct Cases : ::testing::Test {
                    std::filesystem::path path;
                    void TestBody() override { runTokenizerCases(path); }
                };
                auto* test = new Cases;
                test->path = path;
                return test;
            });
    if (files.empty()) {
        registerProblem(folder + "/FixtureFolder",
                        "no .safetensors fixtures in " + dir.string() +
                            " (set LDM_PARITY_DIR or LDM_FIXTURES_DIR)",
                        false);
        return;
    }
    const nlohmann::json tolerances = loadTolerances(dir);
    for (const auto& path : files) {
        const std::string name = path.filename().string();
        nlohmann::json entry = tolerances.contains(name) ? tolerances[name] : nlohmann::json();
        ::testing::RegisterTest("Parity", (folder + "/" + name).c_str(), nullptr, nullptr,
            __FILE__, __LINE__,
            [path, entry]() -> ::testing::Test* { return new FixtureTest(path, entry); });
    }
}

void registerFixtures()
{
    const FolderPlan plan = planFolders();
    if (plan.rootMissing) {
        const std::string message =
            "PARITY FIXTURES NOT FOUND at " + plan.root.string() +
            ": the reference-parity tests did not run. (A clone without ../shared skips them; "
            "CI sets LDM_REQUIRE_FIXTURES=1 so they can never be skipped there.)";
        std::fprintf(stderr, "\n*** %s ***\n\n", message.c_str());
        registerProblem("FixtureRoot", message, !fixturesRequired());
        return;
    }
    if (plan.folders.empty())
        registerProblem("FolderList", std::string("no folders listed in ") + LDM_PARITY_FOLDER_LIST,
                        false);
    for (const auto& dir : plan.folders)
        registerFolder(dir);
    // Reference runs kept in this repository that use the shared fixtures' models (not when
    // LDM_PARITY_DIR names one folder to run).
    if (!plan.root.empty())
        registerFolder(LDM_REPOSITORY_PARITY_DIR);
}

} // namespace

std::filesystem::path fixturesRoot()
{
    const char* root = std::getenv("LDM_FIXTURES_DIR");
    return root && *root ? std::filesystem::path(root)
                         : std::filesystem::path(LDM_FIXTURES_ROOT_DEFAULT);
}

} // namespace ldm::parity

int main(int argc, char** argv)
{
    ::testing::InitGoogleTest(&argc, argv);
    ldm::parity::registerFixtures();
    return RUN_ALL_TESTS();
}
