// SPDX-License-Identifier: GPL-3.0-or-later
// `bench`: seconds per UNet step and per decode, achieved GFLOP/s from analytic FLOP counts,
// and the machine's matmul peak measured in the same run, so a number says how far from the
// hardware limit the engine runs. Any CompVis config.yaml can be timed with random weights.
#include "cli_options.h"
#include "commands.h"
#include "bench/bench_compare.h"
#include "bench/bench_env.h"
#include "bench/bench_models.h"
#include "bench/bench_profile.h"
#include "bench/bench_runner.h"
#include "bench/flop_count.h"
#include "io/model_registry.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace ldm::cli {
namespace {

using Json = nlohmann::json;

const std::vector<OptionSpec>& benchOptions()
{
    static const std::vector<OptionSpec> specs = {
        {"model", "NAME|PATH", "checkpoint, shipped model, config.yaml or bench config name", ""},
        {"config", "FILE.yaml", "CompVis config: alone = random weights; with --model its config",
         ""},
        {"steps", "N", "timed UNet steps (after the warm-up)", "10"},
        {"warmup", "N", "untimed UNet steps first", "1"},
        {"width", "PX", "image width", "256"},
        {"height", "PX", "image height", "256"},
        {"precision", "P", "fp32, bf16 (autocast, as the engine) or bf16-weights", "fp32"},
        {"channels-last", "", "weights and activations in NHWC layout", ""},
        {"threads", "N", "CPU threads (0 = all cores)", "0"},
        {"batch", "N", "UNet batch (2 = classifier-free guidance)", "2"},
        {"context-len", "N", "cross-attention tokens", "from the config (77)"},
        {"decode-runs", "N", "timed decoder passes after a cold one (0 = no decode)", "2"},
        {"no-peak", "", "skip the matmul peak measurement", ""},
        {"check-accuracy", "",
         "also report the error of this precision against fp32 (--compare always does)", ""},
        {"compare", "",
         "time fp32/bf16, NCHW/channels_last and 1 thread side by side (one warm-up step, no "
         "decode; --precision, --channels-last, --warmup, --decode-runs and --profile do not "
         "apply)",
         ""},
        {"profile", "", "also list the operators one step spends its time in", ""},
        {"profile-shapes", "", "same, one line per operator and input shapes", ""},
        {"json", "", "print JSON instead of a table", ""},
    };
    return specs;
}

Json timingJson(const TimingStats& s)
{
    return Json{
        {"min_s", s.min}, {"median_s", s.median}, {"mean_s", s.mean}, {"runs_s", s.seconds}};
}

Json flopsJson(const FlopBreakdown& f)
{
    return Json{
        {"total", f.total()}, {"conv", f.conv}, {"linear", f.linear}, {"attention", f.attention}};
}

double gflops(int64_t flops, double seconds)
{
    return seconds > 0 ? double(flops) / seconds / 1e9 : 0.0;
}

Json environmentJson(const BenchEnvironment& e)
{
    return Json{{"cpu", e.cpuModel},
                {"logical_cpus", e.logicalCpus},
                {"avx512_bf16", e.avx512Bf16},
                {"amx_bf16", e.amxBf16},
                {"allocator", e.allocator},
                {"blas", e.blasLibrary},
                {"openblas", e.openblasConfig},
                {"OPENBLAS_CORETYPE", e.openblasCoretype},
                {"OMP_NUM_THREADS", e.ompNumThreads},
                {"OMP_WAIT_POLICY", e.ompWaitPolicy},
                {"libtorch", e.torchVersion}};
}

std::string envText(const std::string& value)
{
    return value.empty() ? "unset" : value;
}

void printTable(const Json& r)
{
    const Json& m = r["model"];
    const Json& q = r["request"];
    const Json& e = r["environment"];
    const Json& u = r["unet"];
    std::printf("bench: %s\n", m["source"].get<std::string>().c_str());
    std::printf("  UNet %.1f M params", m["unet_params"].get<double>() / 1e6);
    if (m["first_stage_params"].get<int64_t>() > 0)
        std::printf(", first stage %.1f M params (f=%d)",
                    m["first_stage_params"].get<double>() / 1e6, m["latent_factor"].get<int>());
    std::printf("\n  image %dx%d -> latent %dx%dx%d, batch %d", q["width"].get<int>(),
                q["height"].get<int>(), q["latent"][0].get<int>(), q["latent"][1].get<int>(),
                q["latent"][2].get<int>(), q["batch"].get<int>());
    if (q["context"][0].get<int>() > 0)
        std::printf(", context %dx%d", q["context"][0].get<int>(), q["context"][1].get<int>());
    std::printf("\n  %s%s, %d threads\n", q["precision"].get<std::string>().c_str(),
                q["channels_last"].get<bool>() ? ", channels_last" : ", NCHW",
                q["threads"].get<int>());
    std::printf("  cpu %s (%d logical)%s%s; allocator %s\n  blas %s %s; OPENBLAS_CORETYPE %s, "
                "OMP_NUM_THREADS %s, OMP_WAIT_POLICY %s\n",
                e["cpu"].get<std::string>().c_str(), e["logical_cpus"].get<int>(),
                e["avx512_bf16"].get<bool>() ? ", avx512_bf16" : "",
                e["amx_bf16"].get<bool>() ? ", amx_bf16" : "",
                e["allocator"].get<std::string>().c_str(), e["blas"].get<std::string>().c_str(),
                e["openblas"].get<std::string>().c_str(),
                envText(e["OPENBLAS_CORETYPE"].get<std::string>()).c_str(),
                envText(e["OMP_NUM_THREADS"].get<std::string>()).c_str(),
                envText(e["OMP_WAIT_POLICY"].get<std::string>()).c_str());
    const Json& la = r["load_average"];
    std::printf("  load average %.2f before, %.2f after (1 min)\n\n", la["before"][0].get<double>(),
                la["after"][0].get<double>());

    const Json& f = u["flops"];
    std::printf("  UNet FLOPs per step  %9.2f GFLOP (conv %.2f, linear %.2f, attention %.2f)\n",
                f["total"].get<double>() / 1e9, f["conv"].get<double>() / 1e9,
                f["linear"].get<double>() / 1e9, f["attention"].get<double>() / 1e9);
    if (u.contains("first_step_s")) {
        std::printf("  UNet step            %9.4f s median, %.4f s min, %.4f s first (%d timed)\n",
                    u["median_s"].get<double>(), u["min_s"].get<double>(),
                    u["first_step_s"].get<double>(), int(u["runs_s"].size()));
        std::printf("  achieved             %9.1f GFLOP/s (median), %.1f (min time)\n",
                    u["gflops_median"].get<double>(), u["gflops_best"].get<double>());
    }
    const Json& p = r["peak"];
    for (const char* dtype : {"fp32", "bf16"})
        if (p.contains(dtype))
            std::printf("  matmul peak %-8s %9.1f GFLOP/s (n=%d, %d threads)\n", dtype,
                        p[dtype]["gflops"].get<double>(), p[dtype]["n"].get<int>(),
                        q["threads"].get<int>());
    if (r.contains("achieved_over_peak"))
        std::printf("  achieved / peak      %9.1f %% of the %s matmul peak\n",
                    100.0 * r["achieved_over_peak"].get<double>(),
                    r["peak_used"].get<std::string>().c_str());
    if (u.contains("relative_error"))
        std::printf("  error vs fp32        %9.2e (relative L2 of eps)\n",
                    u["relative_error"].get<double>());
    if (r.contains("decode") && !r["decode"].is_null()) {
        const Json& d = r["decode"];
        std::printf("  decode one image     %9.4f s median, %.4f s min, %.4f s cold; %.2f GFLOP "
                    "-> %.1f GFLOP/s\n",
                    d["median_s"].get<double>(), d["min_s"].get<double>(),
                    d["first_s"].get<double>(), d["flops"]["total"].get<double>() / 1e9,
                    d["gflops_median"].get<double>());
    } else if (r.contains("decode_note")) {
        std::printf("  decode               %s\n", r["decode_note"].get<std::string>().c_str());
    }
    if (r.contains("image_estimate_s"))
        std::printf("  one image, %d steps  %9.2f s (first step + %d x median + cold decode)\n",
                    q["steps"].get<int>(), r["image_estimate_s"].get<double>(),
                    q["steps"].get<int>() - 1);
    std::printf("  bench wall time      %9.2f s\n", r["wall_s"].get<double>());
    if (r.contains("profile")) {
        std::printf("\n  one step by operator (self time on the calling thread):\n");
        for (const Json& op : r["profile"])
            std::printf("    %-40s %8.4f s %5.1f %% %6d calls\n",
                        op["name"].get<std::string>().c_str(), op["self_s"].get<double>(),
                        100.0 * op["share"].get<double>(), op["calls"].get<int>());
    }
    if (!r.contains("compare"))
        return;
    std::printf("\n  %-44s %9s %9s %9s %8s %9s\n", "variant (interleaved)", "median s", "min s",
                "GFLOP/s", "speed-up", "error");
    const double base = r["compare"][0]["median_s"].get<double>();
    for (const Json& v : r["compare"])
        std::printf("  %-44s %9.4f %9.4f %9.1f %7.2fx %9.1e\n",
                    v["name"].get<std::string>().c_str(), v["median_s"].get<double>(),
                    v["min_s"].get<double>(), v["gflops_median"].get<double>(),
                    base / v["median_s"].get<double>(), v["relative_error"].get<double>());
}

/// The top operators of one warm step (a first step fills the autocast cache, as in a job).
Result<Json> profileStep(UNetModel& unet, const StepInputs& inputs, const UNetRun& run,
                         bool byShape)
{
    constexpr size_t TopOps = 15;
    if (auto warm = timeOneUNetStep(unet, inputs, run, 500); !warm)
        return warm.error();
    auto ops = profileOps([&] { (void)timeOneUNetStep(unet, inputs, run, 500); }, byShape);
    clearAutocastCache();
    if (!ops)
        return ops.error();
    double total = 0;
    for (const OpTime& op : *ops)
        total += op.selfSeconds;
    Json list = Json::array();
    for (size_t i = 0; i < std::min(TopOps, ops->size()); ++i) {
        const OpTime& op = (*ops)[i];
        list.push_back({{"name", op.name},
                        {"self_s", op.selfSeconds},
                        {"calls", op.calls},
                        {"share", total > 0 ? op.selfSeconds / total : 0.0}});
    }
    return list;
}

int fail(const std::string& message, int code = ExitFailure)
{
    std::fprintf(stderr, "bench: %s\n", message.c_str());
    return code;
}

} // namespace

int runBench(const std::vector<std::string>& args)
{
    Options options = Options::parse(args, benchOptions());
    if (options.helpRequested()) {
        printHelp("bench", "--model NAME|PATH | --config FILE.yaml [options]",
                  "Times UNet steps and the decoder, and compares them with the matmul peak.",
                  benchOptions());
        return ExitOk;
    }
    const int steps = int(options.integer("steps", 10, 1, 1000));
    const int warmup = int(options.integer("warmup", 1, 0, 100));
    const int width = int(options.integer("width", 256, 8, 4096));
    const int height = int(options.integer("height", 256, 8, 4096));
    const int requestedThreads = int(options.integer("threads", 0, 0, 256));
    const int batch = int(options.integer("batch", 2, 1, 64));
    const int64_t contextLen = options.integer("context-len", 0, 0, 4096);
    const int decodeRuns = int(options.integer("decode-runs", 2, 0, 100));
    if (!options.error().empty())
        return fail(options.error(), ExitUsage);
    if (!options.positional().empty())
        return fail("unexpected argument '" + options.positional()[0] + "'", ExitUsage);
    auto precision = parseBenchPrecision(options.text("precision", "fp32"));
    if (!precision)
        return fail(precision.error().message, ExitUsage);
    if (!options.has("model") && !options.has("config"))
        return fail("give --model NAME|PATH or --config FILE.yaml (see --help)", ExitUsage);
    if (options.has("compare")) {
        // --compare times its own fixed set of variants with one warm-up step each and no
        // decode; an option it would silently ignore is refused instead. Its table always has
        // each variant's error against fp32, which is what --check-accuracy asks for.
        for (const char* ignored :
             {"precision", "channels-last", "profile", "profile-shapes", "decode-runs", "warmup"})
            if (options.has(ignored))
                return fail(std::string("--compare times fixed variants (fp32/bf16, NCHW/"
                                        "channels_last, 1 thread) with one warm-up step and no "
                                        "decode; --") +
                                ignored + " does not apply to it",
                            ExitUsage);
    }

    const auto started = std::chrono::steady_clock::now();
    const auto loadBefore = loadAverage();
    const BenchEnvironment environment = probeEnvironment();
    const int threads = requestedThreads > 0
                            ? requestedThreads
                            : std::max(1, int(std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);

    const std::string modelDir = findModelDir("");
    auto model =
        loadBenchModel({options.text("model"), options.text("config"), modelDir}, contextLen);
    if (!model)
        return fail(model.error().message);
    const UNetConfig& config = model->unet->config();
    const int64_t align = model->latentFactor << (config.levels() - 1);
    if (width % align || height % align)
        return fail("width and height must be multiples of " + std::to_string(align) +
                        " for this model (latent factor " + std::to_string(model->latentFactor) +
                        " x 2^" + std::to_string(config.levels() - 1) + " UNet levels), got " +
                        std::to_string(width) + "x" + std::to_string(height),
                    ExitUsage);
    const int64_t h = height / model->latentFactor;
    const int64_t w = width / model->latentFactor;
    const UNetRun run{*precision, options.has("channels-last"), threads};

    Json r;
    r["model"] = {{"source", model->description},
                  {"random_weights", model->randomWeights},
                  {"unet_params", model->unetParams},
                  {"first_stage_params", model->firstStageParams},
                  {"latent_factor", model->latentFactor}};
    r["request"] = {{"width", width},
                    {"height", height},
                    {"latent", {h, w, config.inChannels}},
                    {"batch", batch},
                    {"context", {model->contextLen, model->contextDim}},
                    {"steps", steps},
                    {"warmup", warmup},
                    {"precision", benchPrecisionName(*precision)},
                    {"channels_last", run.channelsLast},
                    {"threads", threads}};
    r["environment"] = environmentJson(environment);

    // The peak is measured first, on the same thread count, so it shares the machine state.
    r["peak"] = Json::object();
    const bool wantBf16Peak = *precision != BenchPrecision::Fp32 || options.has("compare");
    if (!options.has("no-peak")) {
        const MatmulPeak fp32 = measureMatmulPeak(torch::kFloat32, {1024, 2048}, 3);
        r["peak"]["fp32"] = {{"n", fp32.n}, {"gflops", fp32.gflops}};
        if (wantBf16Peak) {
            const MatmulPeak bf16 = measureMatmulPeak(torch::kBFloat16, {1024, 2048}, 3);
            r["peak"]["bf16"] = {{"n", bf16.n}, {"gflops", bf16.gflops}};
        }
    }

    const FlopBreakdown unetFlopCount = unetFlopBreakdown(config, batch, h, w, model->contextLen);
    r["unet"]["flops"] = flopsJson(unetFlopCount);
    const StepInputs inputs = makeStepInputs(config, batch, h, w, model->contextLen, 42);
    if (options.has("compare")) {
        auto variants = compareUNetRuns(model->unet, inputs, threads, steps);
        if (!variants)
            return fail(variants.error().message);
        r["compare"] = Json::array();
        for (const CompareVariant& v : *variants) {
            Json item = timingJson(v.steps);
            item["name"] = v.name;
            item["first_step_s"] = v.firstStepSeconds;
            item["gflops_median"] = gflops(unetFlopCount.total(), v.steps.median);
            item["relative_error"] = v.relativeError;
            r["compare"].push_back(item);
        }
    } else {
        UNetModel reference{nullptr};
        if (options.has("check-accuracy") &&
            (*precision != BenchPrecision::Fp32 || run.channelsLast)) {
            auto copy = copyUNet(model->unet);
            if (!copy)
                return fail(copy.error().message);
            reference = copy.value();
        }
        prepareModule(*model->unet, run);
        auto timing = timeUNetSteps(model->unet, inputs, run, steps, warmup);
        if (!timing)
            return fail(timing.error().message);
        Json& u = r["unet"];
        u.update(timingJson(timing->steps));
        u["first_step_s"] = timing->firstStepSeconds;
        u["gflops_median"] = gflops(unetFlopCount.total(), timing->steps.median);
        u["gflops_best"] = gflops(unetFlopCount.total(), timing->steps.min);
        const char* peakKey = *precision == BenchPrecision::Fp32 ? "fp32" : "bf16";
        if (r["peak"].contains(peakKey)) {
            r["peak_used"] = peakKey;
            r["achieved_over_peak"] =
                u["gflops_median"].get<double>() / r["peak"][peakKey]["gflops"].get<double>();
        }
        if (options.has("check-accuracy")) {
            torch::Tensor expected = timing->lastOutput;
            if (!reference.is_empty()) {
                auto s = timeOneUNetStep(
                    reference, inputs, UNetRun{BenchPrecision::Fp32, false, threads},
                    999 - int64_t(warmup + steps - 1) * 999 / (warmup + steps), &expected);
                if (!s)
                    return fail(s.error().message);
            }
            u["relative_error"] = relativeError(timing->lastOutput, expected);
        }
        if (options.has("profile") || options.has("profile-shapes")) {
            auto profile = profileStep(model->unet, inputs, run, options.has("profile-shapes"));
            if (!profile)
                return fail(profile.error().message);
            r["profile"] = *profile;
        }
        double imageSeconds = timing->firstStepSeconds + (steps - 1) * timing->steps.median;

        if (model->firstStage && decodeRuns > 0) {
            prepareModule(model->firstStage->module(), run);
            auto decode = timeDecode(*model->firstStage, h, w, run, decodeRuns);
            if (!decode)
                return fail(decode.error().message);
            const FlopBreakdown decodeFlops =
                decoderFlopBreakdown(model->firstStage->config().ddconfig, h, w);
            Json d = timingJson(decode->runs);
            d["first_s"] = decode->firstSeconds;
            d["flops"] = flopsJson(decodeFlops);
            d["gflops_median"] = gflops(decodeFlops.total(), decode->runs.median);
            r["decode"] = d;
            imageSeconds += decode->firstSeconds;
        } else {
            r["decode"] = nullptr;
            r["decode_note"] = model->firstStage ? "skipped (--decode-runs 0)"
                                                 : "skipped: the model has no first stage";
        }
        r["image_estimate_s"] = imageSeconds;
    }
    r["load_average"] = {{"before", loadBefore}, {"after", loadAverage()}};
    r["wall_s"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (options.has("json"))
        std::printf("%s\n", r.dump(2).c_str());
    else
        printTable(r);
    return ExitOk;
}

} // namespace ldm::cli
