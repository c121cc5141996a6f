// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/tokenizer_paths.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace ldm::prompt {

namespace fs = std::filesystem;

std::vector<std::string> tokenizerDirCandidates()
{
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("LDM_TOKENIZER_DIR"); env && *env)
        dirs.emplace_back(env);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        dirs.push_back(
            (exe.parent_path() / ".." / "share" / "latent-canvas" / "tokenizers").string());
#ifdef LDM_PROMPT_SOURCE_TOKENIZER_DIR
    dirs.emplace_back(LDM_PROMPT_SOURCE_TOKENIZER_DIR);
#endif
    return dirs;
}

Result<std::string> findTokenizerFile(const std::string& fileName)
{
    std::string tried;
    for (const std::string& dir : tokenizerDirCandidates()) {
        const fs::path candidate = fs::path(dir) / fileName;
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec)) {
            const fs::path canonical = fs::weakly_canonical(candidate, ec);
            return ec ? candidate.string() : canonical.string();
        }
        tried += "\n  " + dir;
    }
    return makeError(ErrorCode::InvalidFile,
                     "tokenizer file " + fileName + " not found; looked in:" + tried +
                         "\nSet LDM_TOKENIZER_DIR to the folder that holds it.");
}

} // namespace ldm::prompt
