// SPDX-License-Identifier: GPL-3.0-or-later
#include "pipeline/tiling.h"

namespace ldm {

std::vector<int64_t> tileStarts(int64_t length, int64_t tile, int64_t overlap)
{
    if (length <= tile)
        return {0};
    const int64_t stride = std::max<int64_t>(1, tile - overlap);
    std::vector<int64_t> starts;
    for (int64_t start = 0; start + tile < length; start += stride)
        starts.push_back(start);
    starts.push_back(length - tile); // the last tile ends flush with the edge
    return starts;
}

torch::Tensor tileWeights(int64_t y, int64_t x, int64_t tileH, int64_t tileW, int64_t h, int64_t w,
                          int64_t overlap)
{
    auto ramp = [overlap](int64_t start, int64_t size, int64_t total) {
        torch::Tensor weights = torch::ones({size});
        if (overlap <= 0)
            return weights;
        auto* data = weights.data_ptr<float>();
        for (int64_t i = 0; i < size; ++i) {
            float value = 1.0f;
            if (start > 0) // a neighbour before this tile
                value = std::min(value, float(i + 1) / float(overlap + 1));
            if (start + size < total) // a neighbour after it
                value = std::min(value, float(size - i) / float(overlap + 1));
            data[i] = value;
        }
        return weights;
    };
    return ramp(y, tileH, h).view({1, 1, tileH, 1}) * ramp(x, tileW, w).view({1, 1, 1, tileW});
}

torch::Tensor runTiled(const torch::Tensor& input, int64_t tile, int64_t overlap, int64_t outScale,
                       const std::function<torch::Tensor(const torch::Tensor&, int64_t, int64_t)>& fn)
{
    const int64_t h = input.size(2);
    const int64_t w = input.size(3);
    if (h <= tile && w <= tile)
        return fn(input, 0, 0);
    torch::Tensor sum;
    torch::Tensor weightSum;
    for (int64_t y : tileStarts(h, tile, overlap)) {
        for (int64_t x : tileStarts(w, tile, overlap)) {
            const int64_t th = std::min(tile, h);
            const int64_t tw = std::min(tile, w);
            const torch::Tensor out =
                fn(input.slice(2, y, y + th).slice(3, x, x + tw), y, x).to(torch::kFloat32);
            const torch::Tensor weight =
                tileWeights(y * outScale, x * outScale, th * outScale, tw * outScale, h * outScale,
                            w * outScale, overlap * outScale)
                    .to(out.device());
            if (!sum.defined()) {
                sum = torch::zeros({out.size(0), out.size(1), h * outScale, w * outScale},
                                   out.options());
                weightSum = torch::zeros({1, 1, h * outScale, w * outScale}, out.options());
            }
            auto region = [&](torch::Tensor& t) {
                return t.slice(2, y * outScale, (y + th) * outScale)
                    .slice(3, x * outScale, (x + tw) * outScale);
            };
            region(sum).add_(out * weight);
            region(weightSum).add_(weight);
        }
    }
    return sum / weightSum;
}

} // namespace ldm
