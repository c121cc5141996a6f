// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenizer/tokenizer.h"

#include "tokenizer/spm_library.h"

#include "core/regular_file.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <sstream>

namespace ldm {

/// One loaded sentencepiece processor, owned through the module's free function.
struct Tokenizer::Model
{
    const detail::SpmLibrary* library = nullptr;
    void* handle = nullptr;

    Model(const detail::SpmLibrary* lib, void* h)
        : library(lib)
        , handle(h)
    {
    }
    ~Model() { library->free(handle); }
    Model(const Model&) = delete;
    Model& operator=(const Model&) = delete;
};

namespace {

std::string lastError(const detail::SpmLibrary& library)
{
    const char* message = library.lastError();
    return message && *message ? message : "unknown sentencepiece error";
}

std::string formatDouble(double value)
{
    std::ostringstream out;
    out.imbue(std::locale::classic()); // sentencepiece parses with the C locale
    out << value;
    return out.str();
}

} // namespace

Result<Tokenizer> Tokenizer::load(const std::string& modelPath)
{
    // sentencepiece opens the file itself: a FIFO or device is refused before it can block.
    if (auto regular = files::checkRegular(modelPath, "tokenizer model"); !regular)
        return regular.error();
    auto library = detail::spmLibrary();
    if (!library) {
        return library.error();
    }
    const detail::SpmLibrary& lib = **library;
    void* handle = lib.load(modelPath.c_str());
    if (!handle) {
        return makeError(ErrorCode::InvalidFile,
                         "cannot load tokenizer model " + modelPath + ": " + lastError(lib));
    }
    auto model = std::make_shared<const Model>(&lib, handle);
    int unk = -1, bos = -1, eos = -1, pad = -1;
    lib.specialIds(handle, &unk, &bos, &eos, &pad);
    if (pad != PadId || unk != UnkId || bos != BosId || eos != EosId) {
        return makeError(ErrorCode::InvalidFile,
                         "tokenizer model " + modelPath + " has special ids pad " +
                             std::to_string(pad) + ", unk " + std::to_string(unk) + ", bos " +
                             std::to_string(bos) + ", eos " + std::to_string(eos) +
                             "; Latent Canvas text encoders need pad 0, unk 1, bos 2, eos 3 "
                             "(train it with Tokenizer::train or those trainer flags)");
    }
    return Tokenizer(std::move(model));
}

Result<void> Tokenizer::train(const std::vector<std::string>& corpusFiles,
                              const std::string& modelPrefix, int vocabSize,
                              const TokenizerTrainOptions& options)
{
    if (corpusFiles.empty()) {
        return makeError(ErrorCode::InvalidRequest, "tokenizer training needs a corpus file");
    }
    if (vocabSize <= 4) {
        return makeError(ErrorCode::InvalidRequest,
                         "tokenizer vocabulary must exceed the 4 special ids, got " +
                             std::to_string(vocabSize));
    }
    std::string input;
    for (const auto& file : corpusFiles) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(file, ec)) {
            return makeError(ErrorCode::InvalidFile, "tokenizer corpus " + file + " is not a file");
        }
        // sentencepiece splits `input` at commas; such a path would silently become two.
        if (file.find(',') != std::string::npos) {
            return makeError(ErrorCode::InvalidRequest,
                             "tokenizer corpus paths may not contain ',': " + file);
        }
        input += (input.empty() ? "" : ",") + file;
    }

    // A map so extraFlags override the defaults instead of being passed twice.
    std::map<std::string, std::string> flags = {
        {"input", input},
        {"model_prefix", modelPrefix},
        {"vocab_size", std::to_string(vocabSize)},
        {"model_type", options.modelType},
        {"character_coverage", formatDouble(options.characterCoverage)},
        {"normalization_rule_name", options.normalizationRule},
        {"hard_vocab_limit", options.hardVocabLimit ? "true" : "false"},
        {"input_sentence_size", std::to_string(options.inputSentenceSize)},
        {"pad_id", std::to_string(PadId)},
        {"unk_id", std::to_string(UnkId)},
        {"bos_id", std::to_string(BosId)},
        {"eos_id", std::to_string(EosId)},
        {"minloglevel", options.quiet ? "1" : "0"},
    };
    for (const auto& [key, value] : options.extraFlags) {
        flags[key] = value;
    }
    std::vector<const char*> keys;
    std::vector<const char*> values;
    for (const auto& [key, value] : flags) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }

    auto library = detail::spmLibrary();
    if (!library) {
        return library.error();
    }
    static std::mutex trainMutex; // the trainer sets a process-wide log level
    std::lock_guard<std::mutex> lock(trainMutex);
    if ((*library)->train(keys.data(), values.data(), int(keys.size())) != 0) {
        return makeError(ErrorCode::InvalidRequest,
                         "tokenizer training failed: " + lastError(**library));
    }
    return {};
}

std::vector<int64_t> Tokenizer::encodePieces(const std::string& text) const
{
    const detail::SpmLibrary& lib = *m_model->library;
    std::vector<int32_t> ids(std::max<size_t>(16, text.size() + 1));
    int total = lib.encode(m_model->handle, text.data(), text.size(), ids.data(), int(ids.size()));
    if (total > int(ids.size())) {
        ids.resize(size_t(total));
        total = lib.encode(m_model->handle, text.data(), text.size(), ids.data(), total);
    }
    if (total < 0) {
        return {};
    }
    return std::vector<int64_t>(ids.begin(), ids.begin() + total);
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, int64_t maxLen,
                                       bool* truncated) const
{
    if (truncated) {
        *truncated = false;
    }
    if (maxLen < 2) {
        return {};
    }
    const detail::SpmLibrary& lib = *m_model->library;
    // Room between BOS and EOS; the module counts in int.
    const int64_t capacity = std::min<int64_t>(maxLen - 2, std::numeric_limits<int>::max());
    std::vector<int32_t> pieces(static_cast<size_t>(capacity));
    const int total =
        lib.encode(m_model->handle, text.data(), text.size(), pieces.data(), int(capacity));
    if (total < 0) {
        return {};
    }
    const int64_t kept = std::min<int64_t>(total, capacity);
    if (truncated) {
        *truncated = total > capacity;
    }
    std::vector<int64_t> ids(size_t(maxLen), PadId);
    ids[0] = BosId;
    std::copy_n(pieces.begin(), kept, ids.begin() + 1);
    ids[size_t(kept + 1)] = EosId;
    return ids;
}

int64_t Tokenizer::vocabSize() const
{
    return m_model->library->vocabSize(m_model->handle);
}

int64_t Tokenizer::pieceToId(const std::string& piece) const
{
    return m_model->library->pieceToId(m_model->handle, piece.c_str());
}

std::string Tokenizer::idToPiece(int64_t id) const
{
    if (id < 0 || id > std::numeric_limits<int>::max()) {
        return {};
    }
    const detail::SpmLibrary& lib = *m_model->library;
    char small[64];
    const int length = lib.idToPiece(m_model->handle, int(id), small, int(sizeof small));
    if (length < 0) {
        return {};
    }
    if (length < int(sizeof small)) {
        return std::string(small, size_t(length));
    }
    std::string piece(size_t(length) + 1, '\0');
    lib.idToPiece(m_model->handle, int(id), piece.data(), length + 1);
    piece.resize(size_t(length));
    return piece;
}

Result<std::string> Tokenizer::shimPath()
{
    auto library = detail::spmLibrary();
    if (!library) {
        return library.error();
    }
    return (*library)->path;
}

} // namespace ldm
