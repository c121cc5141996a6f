// SPDX-License-Identifier: GPL-3.0-or-later
#include "lora/lora_patcher.h"

#include "core/safetensors.h"
#include "lora/lora_file.h"
#include "lora/lora_keys.h"

#include <filesystem>
#include <map>
#include <sstream>

namespace ldm::lora {
namespace {

namespace fs = std::filesystem;

/// Our LoRA-able weights (Linear and Conv2d: two or more dimensions) by flattened module path.
struct LayerTable
{
    std::map<std::string, torch::Tensor> unet; ///< "input_blocks_1_1_proj_in"
    std::map<std::string, torch::Tensor> text; ///< "text_model_encoder_layers_0_self_attn_q_proj"
    int64_t numResBlocks = 2;
};

void addWeights(const torch::nn::Module& module, const std::string& dropPrefix,
                std::map<std::string, torch::Tensor>& out)
{
    static const std::string Suffix = ".weight";
    for (const auto& item : module.named_parameters(true)) {
        const std::string& name = item.key();
        if (item.value().dim() < 2 || name.size() <= Suffix.size() ||
            name.compare(name.size() - Suffix.size(), Suffix.size(), Suffix) != 0)
            continue;
        std::string path = name.substr(0, name.size() - Suffix.size());
        if (path.compare(0, dropPrefix.size(), dropPrefix) == 0)
            path = path.substr(dropPrefix.size());
        out[flattenModulePath(path)] = item.value();
    }
}

LayerTable layersOf(const LatentDiffusion& model)
{
    LayerTable table;
    if (!model.unet().is_empty()) {
        addWeights(*model.unet(), "", table.unet);
        table.numResBlocks = model.unet()->config().numResBlocks;
    }
    // Hugging Face's CLIPTextModel names under FrozenCLIPEmbedder's "transformer."
    if (!model.clipTextEncoder().is_empty())
        addWeights(*model.clipTextEncoder(), "transformer.", table.text);
    return table;
}

std::string shapeText(at::IntArrayRef sizes)
{
    std::ostringstream text;
    text << sizes;
    return text.str();
}

/// One of our layers and the LoRA module that changes it.
struct PlannedLayer
{
    torch::Tensor weight;
    std::string up, down; ///< tensor names in the file
    double factor = 0;    ///< multiplier * alpha / rank
};

struct FilePlan
{
    io::SafetensorsFile file;
    std::vector<PlannedLayer> layers;
};

const std::string* findPart(const std::map<std::string, std::string>& parts,
                            std::initializer_list<const char*> names)
{
    for (const char* name : names)
        if (const auto it = parts.find(name); it != parts.end())
            return &it->second;
    return nullptr;
}

/// Matches every module of a LoRA file to our layers and checks the shapes; touches nothing.
Result<FilePlan> planFile(const LoraUse& use, const LayerTable& table,
                          std::vector<std::string>& warnings)
{
    auto opened = io::SafetensorsFile::open(use.path);
    if (!opened)
        return makeError(opened.error().code, "LoRA '" + use.name + "': " + opened.error().message);
    FilePlan plan{std::move(opened.value()), {}};
    const io::SafetensorsFile& file = plan.file;
    std::map<std::string, std::map<std::string, std::string>> modules; // module → part → key
    for (const auto& info : file.tensors()) {
        const size_t dot = info.name.find('.');
        modules[info.name.substr(0, dot)]
               [dot == std::string::npos ? "" : info.name.substr(dot + 1)] = info.name;
    }
    const std::string where = "LoRA '" + use.name + "' (" + use.path + ")";
    std::vector<std::string> unmatched, unsupported;
    int matched = 0;
    for (const auto& [module, parts] : modules) {
        const bool text = module.compare(0, 8, "lora_te_") == 0;
        const bool unet = module.compare(0, 10, "lora_unet_") == 0;
        torch::Tensor weight;
        std::string layer;
        if (text) {
            layer = module.substr(8);
            if (const auto it = table.text.find(layer); it != table.text.end())
                weight = it->second;
        } else if (unet) {
            for (const std::string& candidate :
                 unetModuleCandidates(module.substr(10), table.numResBlocks))
                if (const auto it = table.unet.find(candidate); it != table.unet.end()) {
                    weight = it->second;
                    layer = candidate;
                    break;
                }
        }
        if (!weight.defined()) {
            unmatched.push_back(module);
            continue;
        }
        const std::string* up = findPart(parts, {"lora_up.weight", "lora_B.weight"});
        const std::string* down = findPart(parts, {"lora_down.weight", "lora_A.weight"});
        const std::string* alpha = findPart(parts, {"alpha"});
        if (!up || !down || parts.size() != size_t(2 + (alpha ? 1 : 0))) {
            unsupported.push_back(module); // LyCORIS LoHa / LoKr / CP (lora_mid), DoRA, ...
            continue;
        }
        const auto& upInfo = *file.find(*up);
        const auto& downInfo = *file.find(*down);
        const std::vector<int64_t>& us = upInfo.shape;
        const std::vector<int64_t>& ds = downInfo.shape;
        const bool upOk = us.size() == 2 || (us.size() == 4 && us[2] == 1 && us[3] == 1);
        const bool downOk = ds.size() == 2 || ds.size() == 4;
        int64_t downNumel = 1;
        for (int64_t d : ds)
            downNumel *= d;
        const int64_t rank = ds.empty() ? 0 : ds[0];
        if (!upOk || !downOk || rank <= 0 || us[1] != rank || us[0] != weight.size(0) ||
            downNumel / rank * weight.size(0) != weight.numel())
            return makeError(ErrorCode::WeightsMismatch,
                             where + ": module " + module + " has up " + shapeText(us) +
                                 " and down " + shapeText(ds) + ", which do not fit layer " +
                                 layer + " of shape " + shapeText(weight.sizes()) +
                                 " (is the LoRA made for another model?)");
        double scale = 1.0;
        if (alpha) {
            const torch::Tensor value = file.tensor(*alpha);
            if (value.numel() != 1)
                return makeError(ErrorCode::InvalidFile,
                                 where + ": " + *alpha + " must hold one number");
            scale = value.to(torch::kFloat64).reshape({-1})[0].item<double>() / double(rank);
        }
        ++matched;
        const double multiplier = text ? use.textWeight : use.unetWeight;
        if (multiplier != 0.0 && scale != 0.0)
            plan.layers.push_back({weight, *up, *down, multiplier * scale});
    }
    if (matched == 0)
        return makeError(ErrorCode::WeightsMismatch,
                         where + ": none of its " + std::to_string(modules.size()) +
                             " modules matches a layer of this model" +
                             (unsupported.empty() ? std::string(" (is it made for another model, "
                                                                "e.g. SDXL or SD-2.x?)")
                                                  : ", or they are of a kind not supported (" +
                                                        unsupported.front() + ", ...)"));
    const auto listSome = [](const std::vector<std::string>& names) {
        std::string text;
        for (size_t i = 0; i < names.size() && i < 3; ++i)
            text += (i ? ", " : "") + names[i];
        return text + (names.size() > 3 ? ", ..." : "");
    };
    if (!unmatched.empty())
        warnings.push_back(where + ": " + std::to_string(unmatched.size()) + " of " +
                           std::to_string(modules.size()) +
                           " modules match no layer of this model and were left out (" +
                           listSome(unmatched) + ")");
    if (!unsupported.empty())
        warnings.push_back(where + ": " + std::to_string(unsupported.size()) +
                           " modules are not plain LoRA up/down pairs and were left out (" +
                           listSome(unsupported) + ")");
    return plan;
}

} // namespace

bool LoraPatcher::Stamp::operator==(const Stamp& o) const
{
    return path == o.path && name == o.name && textWeight == o.textWeight &&
           unetWeight == o.unetWeight && size == o.size && modified == o.modified;
}

void LoraPatcher::restore()
{
    torch::NoGradGuard noGrad;
    for (Backup& backup : m_backups)
        backup.weight.copy_(backup.original);
    m_backups.clear();
    m_applied.clear();
    m_report = {};
}

Result<MergeReport> LoraPatcher::set(LatentDiffusion& model, const std::vector<LoraUse>& uses)
{
    const void* identity = model.unet().is_empty() ? nullptr : model.unet().get();
    if (identity != m_model) { // another model: the kept copies belong to the one before
        m_backups.clear();
        m_applied.clear();
        m_report = {};
        m_model = identity;
    }
    std::vector<Stamp> stamps;
    for (const LoraUse& use : uses) {
        std::error_code error;
        Stamp stamp{use.path, use.name, use.textWeight, use.unetWeight, 0, 0};
        stamp.size = fs::file_size(use.path, error);
        const auto modified = fs::last_write_time(use.path, error);
        stamp.modified = error ? 0 : int64_t(modified.time_since_epoch().count());
        stamps.push_back(std::move(stamp));
    }
    if (stamps == m_applied)
        return m_report;

    const LayerTable table = layersOf(model);
    MergeReport report;
    std::vector<FilePlan> plans;
    for (const LoraUse& use : uses) {
        auto plan = planFile(use, table, report.warnings);
        if (!plan)
            return plan.error();
        auto hash = loraShortHash(plan->file);
        if (!hash)
            return hash.error();
        // A1111 keeps one entry per name and takes ':' and ',' out of it.
        std::string name;
        for (char c : use.name)
            if (c != ':' && c != ',')
                name += c;
        const std::string entry = name + ": " + *hash;
        bool listed = false;
        for (const std::string& existing : report.hashes)
            listed = listed || existing.compare(0, name.size() + 2, name + ": ") == 0;
        if (!listed)
            report.hashes.push_back(entry);
        plans.push_back(std::move(plan.value()));
    }

    restore();
    try {
        torch::NoGradGuard noGrad;
        std::map<const void*, size_t> backedUp;
        for (const FilePlan& plan : plans)
            for (const PlannedLayer& layer : plan.layers) {
                torch::Tensor weight = layer.weight;
                const auto options =
                    torch::TensorOptions().dtype(torch::kFloat32).device(weight.device());
                const torch::Tensor up = plan.file.tensor(layer.up).to(options);
                const torch::Tensor down = plan.file.tensor(layer.down).to(options);
                const torch::Tensor updown =
                    torch::mm(up.reshape({up.size(0), -1}), down.reshape({down.size(0), -1}));
                const void* key = weight.unsafeGetTensorImpl();
                if (backedUp.emplace(key, m_backups.size()).second)
                    m_backups.push_back({weight, weight.clone()});
                weight.add_(
                    (updown.reshape(weight.sizes()) * layer.factor).to(weight.scalar_type()));
            }
        report.layers = int(backedUp.size());
    } catch (const c10::Error& error) {
        restore();
        return makeError(ErrorCode::Internal,
                         std::string("merging LoRA: ") + error.what_without_backtrace());
    } catch (const std::bad_alloc&) {
        restore();
        return makeError(ErrorCode::OutOfMemory, "not enough memory to merge the LoRA");
    }
    m_applied = std::move(stamps);
    m_report = report;
    return report;
}

} // namespace ldm::lora
