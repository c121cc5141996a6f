// SPDX-License-Identifier: GPL-3.0-or-later
#include "prompt/embedding_names.h"

#include <algorithm>

namespace ldm::prompt {

void EmbeddingNames::add(std::vector<std::int32_t> nameIds, int embedding, int vectorCount)
{
    if (nameIds.empty())
        return;
    auto& candidates = m_byFirstId[nameIds.front()];
    candidates.push_back(Entry{std::move(nameIds), embedding, vectorCount});
    std::stable_sort(candidates.begin(), candidates.end(), [](const Entry& a, const Entry& b) {
        return a.ids.size() > b.ids.size();
    });
}

std::optional<EmbeddingMatch> EmbeddingNames::findAt(const std::vector<std::int32_t>& tokens,
                                                     std::size_t position) const
{
    if (position >= tokens.size())
        return std::nullopt;
    const auto found = m_byFirstId.find(tokens[position]);
    if (found == m_byFirstId.end())
        return std::nullopt;
    for (const Entry& entry : found->second) {
        if (tokens.size() - position < entry.ids.size())
            continue;
        if (std::equal(entry.ids.begin(), entry.ids.end(),
                       tokens.begin() + static_cast<std::ptrdiff_t>(position)))
            return EmbeddingMatch{entry.embedding, entry.vectorCount, int(entry.ids.size())};
    }
    return std::nullopt;
}

} // namespace ldm::prompt
