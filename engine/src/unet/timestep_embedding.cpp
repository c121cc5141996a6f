// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/timestep_embedding.h"

#include <cmath>

namespace ldm::unet {

torch::Tensor timestepEmbedding(const torch::Tensor& timesteps, int64_t dim, double maxPeriod)
{
    TORCH_CHECK(timesteps.dim() == 1, "timestepEmbedding: timesteps must be [B], got ",
                timesteps.sizes());
    TORCH_CHECK(dim >= 1, "timestepEmbedding: dim must be positive");
    const int64_t half = dim / 2;
    // Same sequence as the reference: arange (float32) * -ln(P), then / half, then exp.
    const torch::Tensor freqs =
        torch::exp(-std::log(maxPeriod) *
                   torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat)) / half)
            .to(timesteps.device());
    const torch::Tensor args = timesteps.unsqueeze(1).to(torch::kFloat) * freqs.unsqueeze(0);
    torch::Tensor embedding = torch::cat({torch::cos(args), torch::sin(args)}, -1);
    if (dim % 2 != 0)
        embedding = torch::cat({embedding, torch::zeros_like(embedding.narrow(1, 0, 1))}, -1);
    return embedding;
}

} // namespace ldm::unet
