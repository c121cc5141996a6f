// SPDX-License-Identifier: GPL-3.0-or-later
#include "unet/timestep_block.h"

#include <string>

namespace ldm::unet {
namespace {

template <typename... Fs> struct Overloaded : Fs...
{
    using Fs::operator()...;
};
template <typename... Fs> Overloaded(Fs...) -> Overloaded<Fs...>;

} // namespace

void TimestepEmbedSequentialImpl::append(const Layer& layer)
{
    const std::string name = std::to_string(m_layers.size());
    std::visit([&](const auto& module) { register_module(name, module.ptr()); }, layer);
    m_layers.push_back(layer);
}

torch::Tensor TimestepEmbedSequentialImpl::forward(const torch::Tensor& x, const torch::Tensor& emb,
                                                   const torch::Tensor& context)
{
    torch::Tensor h = x;
    for (auto& layer : m_layers) {
        h = std::visit(Overloaded{
                           [&](ResBlock& m) { return m->forward(h, emb); },
                           [&](SpatialTransformer& m) { return m->forward(h, context); },
                           [&](auto& m) { return m->forward(h); },
                       },
                       layer);
    }
    return h;
}

} // namespace ldm::unet
