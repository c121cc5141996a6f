// SPDX-License-Identifier: GPL-3.0-or-later
// Prompt → cross-attention context, for every text encoder the engine loads.
//
// CLIP models (SD-1.x) read prompts the way AUTOMATIC1111 does, so prompts people copy from
// A1111 or Civitai mean the same here: (emphasis:1.3), [de-emphasis], BREAK, and prompts of any
// length in 75-token chunks whose contexts are concatenated. The two prompts of a guidance pair
// are padded to the same number of chunks with the empty prompt's context, as A1111 does.
// With an embeddings folder, a CLIP or OpenCLIP prompt's words that name a textual-inversion
// embedding stand for its vectors (pipeline/embedding_library.h).
// BERT and our sentencepiece models take the first 77 tokens; a longer prompt is truncated
// and the result says so.
#include "pipeline/prompt_encoding.h"

#include "pipeline/embedding_library.h"
#include "prompt/prompt_weighting.h"

namespace ldm {
namespace {

torch::Tensor idsTensor(const std::vector<std::int32_t>& ids, torch::Device device)
{
    std::vector<int64_t> wide(ids.begin(), ids.end());
    return torch::tensor(wide, torch::kLong).unsqueeze(0).to(device);
}

/// A1111's process_tokens: the chunk's context scaled per token, then rescaled so its mean is
/// what it was without emphasis.
Result<torch::Tensor> encodeClipChunk(const LoadedModel& model, const prompt::PromptChunk& chunk,
                                      int clipSkip, torch::Device device,
                                      const EmbeddingLibrary* embeddings = nullptr)
{
    torch::Tensor z;
    if (embeddings && !chunk.fixes.empty()) {
        auto tokens = embeddings->apply(
            model.diffusion.tokenEmbeddings(idsTensor(chunk.ids, device)), chunk.fixes);
        if (!tokens)
            return tokens.error();
        z = model.diffusion.encodeTokenEmbeddings(*tokens, clipSkip);
    } else {
        z = model.diffusion.encodeTokens(idsTensor(chunk.ids, device), clipSkip);
    }
    const bool plain = std::all_of(chunk.weights.begin(), chunk.weights.end(),
                                   [](double w) { return w == 1.0; });
    if (plain)
        return z;
    const torch::Tensor weights =
        torch::tensor(chunk.weights, torch::kFloat64).to(z.device(), z.scalar_type())
            .view({1, -1, 1});
    const torch::Tensor originalMean = z.mean();
    z = z * weights;
    return z * (originalMean / z.mean());
}

Result<std::vector<torch::Tensor>> encodeClipPrompt(const LoadedModel& model,
                                                    const std::string& text, int clipSkip,
                                                    torch::Device device,
                                                    std::vector<std::string>& warnings,
                                                    const EmbeddingLibrary* embeddings,
                                                    std::string& tiHashes)
{
    prompt::ChunkOptions options;
    options.embeddings = embeddings ? &embeddings->names() : nullptr;
    auto chunks = prompt::chunkPrompt(*model.clipTokenizer, text, options);
    if (!chunks)
        return makeError(ErrorCode::InvalidRequest, "the prompt: " + chunks.error().message);
    for (const auto& warning : chunks->warnings)
        warnings.push_back(warning);
    std::vector<torch::Tensor> contexts;
    for (const auto& chunk : chunks->chunks) {
        auto context = encodeClipChunk(model, chunk, clipSkip, device, embeddings);
        if (!context)
            return context.error();
        contexts.push_back(*context);
    }
    if (embeddings)
        tiHashes = embeddings->hashes(chunks->chunks);
    return contexts;
}

/// The embeddings folder of a request read for this model's text encoder; none without one.
Result<std::optional<EmbeddingLibrary>> loadEmbeddings(const LoadedModel& model,
                                                       const std::string& folder)
{
    const LdmConfig& config = model.diffusion.config();
    if (folder.empty() || !model.clipTokenizer)
        return std::optional<EmbeddingLibrary>();
    const int64_t width = config.clipText ? config.clipText->width : config.openClipText->width;
    auto library = EmbeddingLibrary::load(folder, *model.clipTokenizer, width);
    if (!library)
        return library.error();
    return std::optional<EmbeddingLibrary>(std::move(*library));
}

Result<torch::Tensor> encodeTruncatedPrompt(const LoadedModel& model, const std::string& text,
                                            torch::Device device, bool& truncated)
{
    const int64_t maxLen = model.diffusion.config().text->maxSeqLen;
    std::vector<int64_t> ids;
    if (model.tokenizer) {
        bool cut = false;
        ids = model.tokenizer->encode(text, maxLen, &cut);
        truncated = truncated || cut;
    } else if (model.bertTokenizer) {
        auto encoded = model.bertTokenizer->encodeFixed(text, int(maxLen));
        if (!encoded)
            return makeError(ErrorCode::InvalidRequest, "the prompt: " + encoded.error().message);
        ids.assign(encoded->ids.begin(), encoded->ids.end());
        truncated = truncated || encoded->truncated;
    } else {
        return makeError(ErrorCode::InvalidRequest,
                         "this model has a text encoder but no tokenizer for it");
    }
    if (ids.empty())
        return makeError(ErrorCode::InvalidRequest, "the prompt could not be tokenised");
    return model.diffusion.encodeTokens(torch::tensor(ids, torch::kLong).unsqueeze(0).to(device));
}

} // namespace

Result<EncodedPrompts> encodePrompts(const LoadedModel& model, const Recipe& recipe,
                                     torch::Device device, const std::string& embeddingsDir)
{
    EncodedPrompts out;
    const LdmConfig& config = model.diffusion.config();
    if (config.clipText || config.openClipText) {
        // OpenCLIP models read the layer their config names; CLIP skip is CLIP's alone.
        const int layers = config.clipText ? int(config.clipText->layers) : 1;
        if (recipe.clipSkip < 1 || recipe.clipSkip > layers)
            return makeError(ErrorCode::InvalidRequest,
                             config.clipText ? "clip skip must be between 1 and " +
                                                   std::to_string(layers) + " for this model"
                                             : std::string("clip skip does not apply to this "
                                                           "model's OpenCLIP text encoder"));
        if (!model.clipTokenizer)
            return makeError(ErrorCode::Internal, "the CLIP tokenizer is not loaded");
        auto embeddings = loadEmbeddings(model, embeddingsDir);
        if (!embeddings)
            return embeddings.error();
        const EmbeddingLibrary* library = embeddings->has_value() ? &**embeddings : nullptr;
        std::string condHashes, uncondHashes;
        auto cond = encodeClipPrompt(model, recipe.prompt, recipe.clipSkip, device, out.warnings,
                                     library, condHashes);
        if (!cond)
            return cond.error();
        auto uncond = encodeClipPrompt(model, recipe.negativePrompt, recipe.clipSkip, device,
                                       out.warnings, library, uncondHashes);
        if (!uncond)
            return uncond.error();
        // A1111 encodes the negative prompt first and puts the prompt's hashes before it.
        out.tiHashes = condHashes + (condHashes.empty() || uncondHashes.empty() ? "" : ", ") +
                       uncondHashes;
        auto& shorter = cond->size() < uncond->size() ? *cond : *uncond;
        const size_t chunks = std::max(cond->size(), uncond->size());
        if (shorter.size() < chunks) {
            auto empty = encodeClipChunk(model, prompt::emptyChunk(*model.clipTokenizer),
                                         recipe.clipSkip, device);
            if (!empty)
                return empty.error();
            shorter.resize(chunks, *empty);
        }
        out.cond = torch::cat(*cond, 1);
        out.uncond = torch::cat(*uncond, 1);
        return out;
    }
    bool truncated = false;
    auto cond = encodeTruncatedPrompt(model, recipe.prompt, device, truncated);
    if (!cond)
        return cond.error();
    auto uncond = encodeTruncatedPrompt(model, recipe.negativePrompt, device, truncated);
    if (!uncond)
        return uncond.error();
    out.cond = *cond;
    out.uncond = *uncond;
    if (truncated)
        out.warnings.push_back("the prompt was longer than the model's token limit and was "
                               "truncated");
    return out;
}

} // namespace ldm
