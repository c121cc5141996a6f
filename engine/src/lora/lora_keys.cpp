// SPDX-License-Identifier: GPL-3.0-or-later
#include "lora/lora_keys.h"

#include <map>
#include <regex>
#include <stdexcept>

namespace ldm::lora {
namespace {

/// diffusers' ResnetBlock2D layer → the LDM ResBlock's.
std::string resBlockLayer(const std::string& layer)
{
    static const std::map<std::string, std::string> Layers = {
        {"conv1", "in_layers_2"},          {"conv2", "out_layers_3"},
        {"time_emb_proj", "emb_layers_1"}, {"conv_shortcut", "skip_connection"},
        {"norm1", "in_layers_0"},          {"norm2", "out_layers_0"},
    };
    const auto it = Layers.find(layer);
    return it == Layers.end() ? layer : it->second;
}

/// A block's inner path: a ResBlock's layers are renamed, a transformer's keep their names.
std::string innerPath(const std::string& kind, const std::string& rest)
{
    return kind == "resnets" ? "0_" + resBlockLayer(rest) : "1_" + rest;
}

/// diffusers' block names → LDM's; other names unchanged. Throws on absurd block numbers.
std::vector<std::string> diffusersToLdm(const std::string& name, int64_t numResBlocks)
{
    static const std::map<std::string, std::string> Fixed = {
        {"conv_in", "input_blocks_0_0"},
        {"conv_out", "out_2"},
        {"conv_norm_out", "out_0"},
        {"time_embedding_linear_1", "time_embed_0"},
        {"time_embedding_linear_2", "time_embed_2"},
    };
    static const std::regex Down(R"(down_blocks_(\d+)_(attentions|resnets)_(\d+)_(.+))");
    static const std::regex Downsampler(R"(down_blocks_(\d+)_downsamplers_0_conv)");
    static const std::regex Mid(R"(mid_block_(attentions|resnets)_(\d+)_(.+))");
    static const std::regex Up(R"(up_blocks_(\d+)_(attentions|resnets)_(\d+)_(.+))");
    static const std::regex Upsampler(R"(up_blocks_(\d+)_upsamplers_0_conv)");
    // Each level holds num_res_blocks blocks and a downsampler on the way down, one more block
    // (the upsampler rides in its last one) on the way up.
    const int64_t stride = numResBlocks + 1;
    const auto number = [](const std::ssub_match& m) { return std::stoll(m.str()); };
    std::smatch m;
    if (const auto it = Fixed.find(name); it != Fixed.end())
        return {it->second};
    if (std::regex_match(name, m, Down)) {
        const int64_t block = 1 + number(m[1]) * stride + number(m[3]);
        return {"input_blocks_" + std::to_string(block) + "_" + innerPath(m[2], m[4])};
    }
    if (std::regex_match(name, m, Downsampler))
        return {"input_blocks_" + std::to_string((number(m[1]) + 1) * stride) + "_0_op"};
    if (std::regex_match(name, m, Mid)) {
        // middle_block: ResBlock, transformer, ResBlock.
        const int64_t index = m[1] == "attentions" ? 1 : 2 * number(m[2]);
        return {"middle_block_" + std::to_string(index) + "_" +
                (m[1] == "resnets" ? resBlockLayer(m[3]) : m[3].str())};
    }
    if (std::regex_match(name, m, Up)) {
        const int64_t block = number(m[1]) * stride + number(m[3]);
        return {"output_blocks_" + std::to_string(block) + "_" + innerPath(m[2], m[4])};
    }
    if (std::regex_match(name, m, Upsampler)) {
        // After the transformer where the level has attention, else right after the ResBlock.
        const std::string block = std::to_string(number(m[1]) * stride + numResBlocks);
        return {"output_blocks_" + block + "_2_conv", "output_blocks_" + block + "_1_conv"};
    }
    return {name};
}

} // namespace

std::string flattenModulePath(const std::string& path)
{
    std::string flat = path;
    for (char& c : flat)
        if (c == '.')
            c = '_';
    return flat;
}

std::vector<std::string> unetModuleCandidates(const std::string& name, int64_t numResBlocks)
{
    try {
        return diffusersToLdm(name, numResBlocks);
    } catch (const std::exception&) { // a block number too long for int64: no layer of ours
        return {name};
    }
}

} // namespace ldm::lora
