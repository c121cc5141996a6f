// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/embedding_library.h"

#include "core/ckpt_file.h"
#include "core/safetensors_header.h"
#include "pipeline/image_convert.h"
#include "prompt/prompt_weighting.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

namespace ldm {
namespace {

namespace fs = std::filesystem;

/// A1111 reads these (and embeddings hidden in PNG/WebP images, which we do not).
bool isEmbeddingFile(const fs::path& path)
{
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return extension == ".pt" || extension == ".bin" || extension == ".safetensors";
}

Error invalidFile(const std::string& path, const std::string& why)
{
    return makeError(ErrorCode::InvalidFile, "embedding " + path + ": " + why);
}

std::string widthProblem(int64_t fileWidth, int64_t modelWidth)
{
    const auto family = [](int64_t width) {
        return width == 768 ? std::string(" (SD-1.x)")
                            : width == 1024 ? std::string(" (SD-2.x)") : std::string();
    };
    return "its vectors are " + std::to_string(fileWidth) + " wide" + family(fileWidth) +
           ", but this model's text encoder takes " + std::to_string(modelWidth) +
           family(modelWidth);
}

/// A1111's infotext name: ':' and ',' would break the "name: hash, ..." list apart.
std::string hashListName(std::string name)
{
    name.erase(std::remove_if(name.begin(), name.end(), [](char c) { return c == ':' || c == ','; }),
               name.end());
    return name;
}

} // namespace

Result<torch::Tensor> readEmbeddingVectors(const std::string& path)
{
    auto file = io::openCheckpointTensors(path);
    if (!file)
        return file.error();
    const io::TensorMap& tensors = file->tensors;
    if (tensors.count("clip_l") && tensors.count("clip_g"))
        return invalidFile(path, "an SDXL embedding (clip_l and clip_g vectors); this engine runs "
                                 "SD-1.x and SD-2.x, whose embeddings hold one set of vectors");
    if (tensors.size() != 1)
        return invalidFile(path, "holds " + std::to_string(tensors.size()) +
                                     " tensors; an embedding file holds one");
    torch::Tensor vectors = tensors.begin()->second;
    if (vectors.dim() == 1)
        vectors = vectors.unsqueeze(0); // a diffusers concept: one vector
    if (vectors.dim() != 2 || vectors.size(0) < 1 || vectors.size(1) < 1)
        return invalidFile(path, "its tensor '" + tensors.begin()->first + "' has shape " +
                                     io::formatShape(vectors.sizes().vec()) +
                                     " instead of [vectors, width]");
    if (!vectors.is_floating_point())
        return invalidFile(path, "its vectors are not floating-point numbers");
    // A copy: the file's tensors are read-only views of its memory map.
    vectors = vectors.to(torch::kFloat32).clone().contiguous();
    if (!torch::isfinite(vectors).all().item<bool>())
        return invalidFile(path, "its vectors hold NaN or infinite values");
    return vectors;
}

Result<EmbeddingLibrary> EmbeddingLibrary::load(const std::string& folder,
                                                const prompt::ClipTokenizer& tokenizer,
                                                int64_t width)
{
    std::error_code error;
    if (!fs::is_directory(folder, error))
        return makeError(ErrorCode::InvalidRequest,
                         "the embeddings folder '" + folder + "' does not exist");
    std::vector<fs::path> files;
    const auto options = fs::directory_options::follow_directory_symlink |
                         fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(folder, options, error), end; !error && it != end;
         it.increment(error)) {
        if (it->is_regular_file(error) && isEmbeddingFile(it->path()) &&
            it->file_size(error) > 0) // A1111 skips empty files
            files.push_back(it->path());
    }
    if (error)
        return makeError(ErrorCode::InvalidRequest,
                         "the embeddings folder '" + folder + "' cannot be read: " +
                             error.message());
    std::sort(files.begin(), files.end());

    EmbeddingLibrary library;
    for (const fs::path& path : files) {
        TextualInversion embedding;
        embedding.name = path.stem().string();
        embedding.path = path.string();
        auto vectors = readEmbeddingVectors(embedding.path);
        if (!vectors) {
            embedding.problem = vectors.error().message;
        } else if (vectors->size(1) != width) {
            embedding.problem = "embedding " + embedding.path + ": " +
                                widthProblem(vectors->size(1), width);
        } else if (vectors->size(0) > prompt::ChunkTokenCount) {
            embedding.problem = "embedding " + embedding.path + ": it has " +
                                std::to_string(vectors->size(0)) + " vectors, more than the " +
                                std::to_string(prompt::ChunkTokenCount) + " a prompt chunk holds";
        } else {
            embedding.vectors = *vectors;
        }
        // A later file of the same name replaces the earlier one, as A1111 re-registers it.
        auto& list = library.m_embeddings;
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const TextualInversion& e) { return e.name == embedding.name; }),
                   list.end());
        list.push_back(std::move(embedding));
    }
    for (size_t i = 0; i < library.m_embeddings.size(); ++i) {
        const TextualInversion& embedding = library.m_embeddings[i];
        auto ids = tokenizer.encode(embedding.name);
        if (!ids)
            continue; // a file name that is not UTF-8 cannot be typed in a prompt
        // Unusable ones are registered too (one position), so naming one gives its problem.
        const int vectorCount = embedding.vectors.defined() ? int(embedding.vectors.size(0)) : 1;
        library.m_names.add(std::move(*ids), int(i), vectorCount);
    }
    return library;
}

Result<torch::Tensor> EmbeddingLibrary::apply(const torch::Tensor& tokenEmbeddings,
                                              const std::vector<prompt::EmbeddingFix>& fixes) const
{
    if (fixes.empty())
        return tokenEmbeddings;
    torch::Tensor out = tokenEmbeddings.clone();
    const int64_t positions = out.size(1);
    for (const prompt::EmbeddingFix& fix : fixes) {
        if (fix.embedding < 0 || size_t(fix.embedding) >= m_embeddings.size())
            return makeError(ErrorCode::Internal, "an embedding index is out of range");
        const TextualInversion& embedding = m_embeddings[size_t(fix.embedding)];
        if (!embedding.problem.empty())
            return makeError(ErrorCode::InvalidRequest,
                             "the prompt names the embedding '" + embedding.name +
                                 "', which cannot be used: " + embedding.problem);
        const int64_t start = int64_t(fix.offset) + 1;
        const int64_t length = std::min(positions - start, embedding.vectors.size(0));
        if (length <= 0)
            continue;
        out.select(0, 0).slice(0, start, start + length)
            .copy_(embedding.vectors.slice(0, 0, length));
    }
    return out;
}

std::string EmbeddingLibrary::hashes(const std::vector<prompt::PromptChunk>& chunks) const
{
    std::string text;
    std::set<int> listed;
    for (const prompt::PromptChunk& chunk : chunks) {
        for (const prompt::EmbeddingFix& fix : chunk.fixes) {
            if (fix.embedding < 0 || size_t(fix.embedding) >= m_embeddings.size() ||
                !listed.insert(fix.embedding).second)
                continue;
            const TextualInversion& embedding = m_embeddings[size_t(fix.embedding)];
            const std::string hash = sha256OfFile(embedding.path, 12);
            if (hash.empty())
                continue; // A1111 leaves out embeddings without a hash
            text += (text.empty() ? "" : ", ") + hashListName(embedding.name) + ": " + hash;
        }
    }
    return text;
}

} // namespace ldm
