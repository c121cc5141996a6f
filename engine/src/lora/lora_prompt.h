// SPDX-License-Identifier: GPL-3.0-or-later
// AUTOMATIC1111's extra-network tags in a prompt: `<lora:name>`, `<lora:name:0.7>`,
// `<lora:name:te:unet>`, `<lora:name:te=0.5:unet=1>` (and `<lyco:...>`, its alias).
//
// A1111 removes every `<kind:args>` tag (its regular expression `<(\w+):([^>]+)>`) from the
// prompt before tokenising, splits the arguments at ':' and reads `key=value` items as named
// ones; the first positional item is the file name, the second the text-encoder multiplier
// (default 1), the third the UNet multiplier (default: the text-encoder one). We read prompts
// the same way so a prompt copied from A1111 means the same here; tags of kinds we do not run
// (hypernet, ...) are removed too, as A1111 removes them, and reported.
//
// Plain C++17, no LibTorch: pure functions, thread-safe.
#pragma once

#include "ldm/result.h"

#include <string>
#include <vector>

namespace ldm::lora {

/// One `<lora:...>` tag of a prompt.
struct LoraTag
{
    std::string name;        ///< the file name without extension, as written
    double textWeight = 1.0; ///< multiplier of the text-encoder layers
    double unetWeight = 1.0; ///< multiplier of the UNet layers
    std::string text;        ///< the tag as written, for messages
};

/// A prompt with its extra-network tags taken out.
struct PromptNetworks
{
    std::string prompt;                 ///< the text the tokenizer reads
    std::vector<LoraTag> loras;         ///< in prompt order
    std::vector<std::string> otherTags; ///< removed tags of kinds we do not run, as written
};

/// Takes the extra-network tags out of `prompt` as A1111 does. A multiplier that is not a
/// finite number is an InvalidRequest naming the tag.
Result<PromptNetworks> extractPromptNetworks(const std::string& prompt);

} // namespace ldm::lora
