// SPDX-License-Identifier: GPL-3.0-or-later
// Textual-inversion embeddings from a folder, used as AUTOMATIC1111 uses them: a word of the
// prompt equal to a file's name (without extension) stands for the file's vectors, which
// replace the token embeddings of as many placeholder positions before the CLIP (or OpenCLIP)
// transformer runs (modules/sd_hijack.py, EmbeddingsWithFixes).
//
// Files: A1111's `.pt` (a dict whose `string_to_param` holds one [n, width] tensor, also as
// the original implementation's ParameterDict), diffusers' `learned_embeds.bin` (a dict of one
// tensor), and `.safetensors` with one tensor (`emb_params` and the like). Pickled files go
// through the restricted reader (core/ckpt_file.h): nothing in them runs. SDXL files
// (`clip_l` + `clip_g`), files of another width and unreadable files are kept with the reason
// they cannot be used, and naming one in a prompt is an error that gives it.
//
// Usage:
//     auto library = EmbeddingLibrary::load(folder, tokenizer, /*width=*/768);
//     options.embeddings = &library->names();              // prompt::chunkPrompt finds names
//     auto embeds = diffusion.tokenEmbeddings(ids);           // [1, 77, 768]
//     embeds = library->apply(embeds, chunk.fixes);          // vectors in place
//     auto z = diffusion.encodeTokenEmbeddings(*embeds, clipSkip);
#pragma once

#include "ldm/result.h"
#include "prompt/clip_tokenizer.h"
#include "prompt/prompt_weighting.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace ldm {

/// One embedding file.
struct TextualInversion
{
    std::string name;      ///< the file name without its extension: the word a prompt uses
    std::string path;
    torch::Tensor vectors; ///< float32 [n, width] on the CPU; undefined when unusable
    std::string problem;   ///< why it cannot be used; empty when it can
};

/// The vectors of one embedding file, float32 [n, width] (a single vector becomes [1, width]).
/// InvalidFile with the reason for anything else (SDXL pairs, several tensors, other shapes).
Result<torch::Tensor> readEmbeddingVectors(const std::string& path);

/// Every embedding of a folder, by name.
class EmbeddingLibrary
{
public:
    /// Reads every `.pt`, `.bin` and `.safetensors` file under `folder` and its sub-folders
    /// (in path order; of two files with one name the later counts, as in A1111) and registers
    /// each name under its tokens. `width` is the text encoder's. InvalidRequest when the
    /// folder does not exist; problems of single files are kept per file.
    static Result<EmbeddingLibrary> load(const std::string& folder,
                                         const prompt::ClipTokenizer& tokenizer, int64_t width);

    /// For prompt::ChunkOptions::embeddings.
    const prompt::EmbeddingNames& names() const { return m_names; }
    const std::vector<TextualInversion>& embeddings() const { return m_embeddings; }

    /// Puts each fix's vectors over the token embeddings [1, n, width] of a chunk from position
    /// offset + 1 on (cut at the chunk's end, as A1111 does). InvalidRequest naming the file
    /// and its problem when a fix names an unusable embedding.
    Result<torch::Tensor> apply(const torch::Tensor& tokenEmbeddings,
                                const std::vector<prompt::EmbeddingFix>& fixes) const;

    /// A1111's "TI hashes" part for one prompt: "name: <12 hex digits of the file's sha256>"
    /// for each embedding its chunks use, in order of first use, ", "-separated; ':' and ','
    /// are taken out of names. Empty when none is used.
    std::string hashes(const std::vector<prompt::PromptChunk>& chunks) const;

private:
    std::vector<TextualInversion> m_embeddings;
    prompt::EmbeddingNames m_names;
};

} // namespace ldm
