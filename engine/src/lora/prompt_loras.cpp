// SPDX-License-Identifier: GPL-3.0-or-later
#include "lora/prompt_loras.h"

#include "lora/lora_file.h"
#include "lora/lora_prompt.h"

namespace ldm::lora {

Result<PromptLoras> applyPromptLoras(LoraPatcher& patcher, LatentDiffusion& model,
                                     const std::string& prompt, const std::string& folder)
{
    auto parsed = extractPromptNetworks(prompt);
    if (!parsed)
        return parsed.error();
    PromptLoras out;
    out.prompt = parsed->prompt;
    for (const std::string& tag : parsed->otherTags)
        out.warnings.push_back("the prompt's " + tag +
                               " was taken out of the text, as A1111 does; only <lora:...> "
                               "networks are applied here");
    std::vector<LoraUse> uses;
    for (const LoraTag& tag : parsed->loras) {
        if (folder.empty())
            return makeError(ErrorCode::InvalidRequest, "the prompt names " + tag.text +
                                                            " but no LoRA folder is set to find " +
                                                            tag.name +
                                                            ".safetensors in (--lora-dir)");
        auto path = findLoraFile(folder, tag.name);
        if (!path)
            return path.error();
        uses.push_back({*path, tag.name, tag.textWeight, tag.unetWeight});
    }
    auto report = patcher.set(model, uses);
    if (!report)
        return report.error();
    for (size_t i = 0; i < report->hashes.size(); ++i)
        out.hashes += (i ? ", " : "") + report->hashes[i];
    out.warnings.insert(out.warnings.end(), report->warnings.begin(), report->warnings.end());
    return out;
}

} // namespace ldm::lora
