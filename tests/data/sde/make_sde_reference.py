#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference runs of the SDE samplers with the Brownian-tree noise AUTOMATIC1111 and ComfyUI
give them, for tst_brownian_tree.

k-diffusion's own sampling.py (sample_dpmpp_sde, sample_dpmpp_2m_sde, sample_dpmpp_3m_sde,
BrownianTreeNoiseSampler) runs over torchsde's own BrownianTree, with the noise sampler A1111's
create_noise_sampler makes (per-image seeds, sigma_min/max of the schedule's positive sigmas),
on k-diffusion's DiscreteEpsDDPMDenoiser (quantize False, as A1111's CompVisDenoiser) of
Stable Diffusion's schedule. The "model" is an analytic eps function of (x, t), so the test
checks the samplers and their noise alone; the UNet has parity tests of its own.

Also written: numpy SeedSequence states, and raw BrownianTree increments for query sequences.

Usage (torchsde and its `trampoline` dependency importable, e.g. from a google-research/torchsde
checkout on PYTHONPATH):
    /usr/bin/python3 make_sde_reference.py K_DIFFUSION_REPO_DIR OUT.json
"""
import json
import os
import sys

import numpy as np
import torch
import torchsde

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from kdiffusion_loader import load_k_diffusion  # noqa: E402


def flat(t):
    return [float(v) for v in t.flatten()]


def seed_sequences():
    out = []
    for entropy, spawn_key, pool in [(0, (), 24), (42, (), 24), (42, (1, 1), 24),
                                     (4294967295, (5, 3), 24), (2 ** 40 + 7, (2 ** 33 + 1, 34), 24),
                                     (123456, (0, 0), 4), (1, tuple(range(30)), 24)]:
        state = np.random.SeedSequence(entropy, spawn_key=spawn_key,
                                       pool_size=pool).generate_state(5)
        out.append({"entropy": entropy, "spawn_key": list(spawn_key), "pool_size": pool,
                    "state": [int(v) for v in state]})
    return out


def trees():
    out = []
    for seed, t0, t1, shape, queries in [
        (7, 0.0291675, 14.614642, [1, 2, 3, 2], [(13.0, 14.614642), (5.5, 13.0), (0.0291675, 5.5),
                                                 (2.25, 7.125), (14.0, 20.0)]),
        (3141592653, 0.1, 1.0, [1, 4, 3, 3], [(0.3, 0.300004), (0.9, 0.95), (0.12, 0.13),
                                              (0.1, 1.0), (0.5, 0.5)]),
    ]:
        tree = torchsde.BrownianTree(t0, torch.zeros(shape), t1, entropy=seed)
        increments = [flat(tree(a, b)) for a, b in queries]
        out.append({"seed": seed, "t0": t0, "t1": t1, "shape": shape,
                    "queries": [list(q) for q in queries], "increments": increments})
    return out


def main():
    repo, out_path = sys.argv[1], sys.argv[2]
    kd = load_k_diffusion(repo, stub_torchsde=False)
    sampling, external = kd["sampling"], kd["external"]

    # Stable Diffusion's schedule, as LatentDiffusion registers it (float64 math, float32 buffer).
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas, dim=0).to(torch.float32)

    def eps_model(x, t):
        # Any smooth function of the scaled input and the (fractional) timestep.
        t = t.to(torch.float32).view(-1, 1, 1, 1)
        return 0.8 * torch.tanh(0.7 * x + 0.002 * t) + 0.1 * x.mean(dim=(2, 3), keepdim=True)

    class Denoiser(external.DiscreteEpsDDPMDenoiser):
        def get_eps(self, *args, **kwargs):
            return self.inner_model(*args, **kwargs)

    model = Denoiser(eps_model, alphas_cumprod, quantize=False)
    sigma_min, sigma_max = float(model.sigma_min), float(model.sigma_max)

    def schedule(name, n, discard):
        if discard:  # A1111's discard_next_to_last_sigma
            s = schedule(name, n + 1, False)
            return torch.cat([s[:-2], s[-1:]])
        if name == "uniform":
            return model.get_sigmas(n)
        if name == "karras":
            return sampling.get_sigmas_karras(n, sigma_min, sigma_max)
        if name == "exponential":
            return sampling.get_sigmas_exponential(n, sigma_min, sigma_max)
        raise ValueError(name)

    cases = []
    for function, seed, steps, name, discard in [
            ("sample_dpmpp_sde", 11, 5, "karras", False),
            ("sample_dpmpp_sde", 12, 3, "uniform", False),
            ("sample_dpmpp_2m_sde", 13, 6, "exponential", False),
            ("sample_dpmpp_2m_sde", 4294967295, 4, "karras", False),
            ("sample_dpmpp_3m_sde", 15, 7, "exponential", True),
            ("sample_dpmpp_3m_sde", 16, 5, "uniform", True)]:
        generator = torch.Generator().manual_seed(seed)
        x_t = torch.randn(1, 4, 6, 5, generator=generator)
        sigmas = schedule(name, steps, discard).to(torch.float32)
        # A1111's create_noise_sampler: one tree per image, seeded with the image's seed.
        positive = sigmas[sigmas > 0]
        noise_sampler = sampling.BrownianTreeNoiseSampler(x_t, positive.min(), sigmas.max(),
                                                          seed=[seed])
        denoised_steps = []

        def callback(info):
            denoised_steps.append(info["denoised"].clone())

        x = getattr(sampling, function)(model, x_t * sigmas[0], sigmas, callback=callback,
                                        noise_sampler=noise_sampler)
        cases.append({
            "function": function, "seed": seed, "steps": steps, "schedule": name,
            "discard_next_to_last_sigma": discard, "shape": list(x_t.shape),
            "sigmas": flat(sigmas), "x_T": flat(x_t), "samples": flat(x),
            "denoised": [flat(v) for v in denoised_steps],
        })
    with open(out_path, "w") as f:
        json.dump({"seed_sequences": seed_sequences(), "trees": trees(), "cases": cases}, f)


if __name__ == "__main__":
    main()
