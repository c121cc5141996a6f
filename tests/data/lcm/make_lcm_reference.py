#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference runs of the LCM sampler as AUTOMATIC1111 runs it, for tst_lcm_sampler.

k-diffusion's own DiscreteEpsDDPMDenoiser and schedule functions are loaded from a
crowsonkb/k-diffusion checkout (third-party imports it does not need here are stubbed); the
LCM denoiser and sample_lcm follow A1111's modules/sd_samplers_lcm.py, and the schedule types
its modules/sd_schedulers.py. The "model" is an analytic eps function of (x, t), so the test
checks the sampler alone; the UNet has parity tests of its own.

Usage: make_lcm_reference.py K_DIFFUSION_REPO_DIR OUT.json
"""
import importlib.util
import json
import sys
import types

import torch


def load_k_diffusion(repo):
    for name in ("scipy", "torchdiffeq", "torchsde", "tqdm", "tqdm.auto", "safetensors",
                 "torchvision", "torchvision.transforms"):
        module = types.ModuleType(name)
        module.integrate = None
        module.odeint = None
        module.trange = range
        module.tqdm = None
        module.functional = None
        sys.modules.setdefault(name, module)
    sys.modules["scipy"].integrate = None
    package = types.ModuleType("k_diffusion")
    package.__path__ = [repo + "/k_diffusion"]
    sys.modules["k_diffusion"] = package
    loaded = {}
    for name in ("utils", "sampling", "external"):
        spec = importlib.util.spec_from_file_location("k_diffusion." + name,
                                                      f"{repo}/k_diffusion/{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["k_diffusion." + name] = module
        setattr(package, name, module)
        loaded[name] = module
    for name in ("utils", "sampling", "external"):
        sys.modules["k_diffusion." + name].__spec__.loader.exec_module(loaded[name])
    return loaded


def main():
    repo, out_path = sys.argv[1], sys.argv[2]
    kd = load_k_diffusion(repo)
    sampling, external, utils = kd["sampling"], kd["external"], kd["utils"]

    # Stable Diffusion's schedule, as LatentDiffusion registers it (float64 math, float32 buffer).
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    alphas_cumprod = torch.cumprod(1.0 - betas, dim=0).to(torch.float32)

    def eps_model(x, t):
        # Any smooth function of x and the (integer) timestep; mixes space a little.
        t = t.to(torch.float32).view(-1, 1, 1, 1)
        return 0.8 * torch.tanh(0.7 * x + 0.002 * t) + 0.1 * x.mean(dim=(2, 3), keepdim=True)

    class LcmDenoiser(external.DiscreteEpsDDPMDenoiser):
        def __init__(self):
            timesteps, original = 1000, 50
            self.skip_steps = timesteps // original
            valid = torch.zeros(original, dtype=torch.float32)
            for x in range(original):
                valid[original - 1 - x] = alphas_cumprod[timesteps - 1 - x * self.skip_steps]
            super().__init__(eps_model, valid, quantize=None)

        def get_sigmas(self, n):
            start = self.sigma_to_t(self.sigma_max)
            end = self.sigma_to_t(self.sigma_min)
            t = torch.linspace(start, end, n)
            return sampling.append_zero(self.t_to_sigma(t))

        def sigma_to_t(self, sigma, quantize=None):
            dists = sigma.log() - self.log_sigmas[:, None]
            return dists.abs().argmin(dim=0).view(sigma.shape) * self.skip_steps + (self.skip_steps - 1)

        def t_to_sigma(self, timestep):
            t = torch.clamp(((timestep - (self.skip_steps - 1)) / self.skip_steps).float(),
                            min=0, max=(len(self.sigmas) - 1))
            return super().t_to_sigma(t)

        def get_eps(self, *args, **kwargs):
            return self.inner_model(*args, **kwargs)

        def forward(self, input, sigma):
            c_out, c_in = [utils.append_dims(x, input.ndim) for x in self.get_scalings(sigma)]
            t = self.sigma_to_t(sigma)
            eps = self.get_eps(input * c_in, t)
            denoised = input + eps * c_out
            scaled = utils.append_dims(t, denoised.ndim) * 10.0
            c_skip = 0.5 ** 2 / (scaled ** 2 + 0.5 ** 2)
            c_out2 = scaled / (scaled ** 2 + 0.5 ** 2) ** 0.5
            return c_out2 * denoised + c_skip * input

    model = LcmDenoiser()
    sigma_min, sigma_max = model.sigmas[0].item(), model.sigmas[-1].item()

    def schedule(name, n):
        if name in ("automatic", "uniform", "normal"):
            return model.get_sigmas(n)
        if name == "sgm_uniform":
            start, end = model.sigma_to_t(torch.tensor(sigma_max)), model.sigma_to_t(torch.tensor(sigma_min))
            ts = torch.linspace(start, end, n + 1)[:-1]
            return torch.FloatTensor([model.t_to_sigma(t) for t in ts] + [0.0])
        if name == "simple":
            ss = len(model.sigmas) / n
            return torch.FloatTensor([float(model.sigmas[-(1 + int(x * ss))]) for x in range(n)] + [0.0])
        if name == "karras":
            return sampling.get_sigmas_karras(n, sigma_min, sigma_max)
        if name == "exponential":
            return sampling.get_sigmas_exponential(n, sigma_min, sigma_max)
        raise ValueError(name)

    cases = []
    for seed, steps, name in [(1, 1, "automatic"), (2, 4, "automatic"), (3, 6, "karras"),
                              (4, 5, "sgm_uniform"), (5, 4, "simple"), (6, 3, "exponential"),
                              (7, 8, "normal")]:
        generator = torch.Generator().manual_seed(seed)
        x_t = torch.randn(1, 4, 6, 5, generator=generator)
        sigmas = schedule(name, steps).to(torch.float32)
        noises, x_steps, denoised_steps, timesteps = [], [], [], []
        x = x_t * sigmas[0]
        s_in = x.new_ones([1])
        for i in range(len(sigmas) - 1):  # A1111's sample_lcm, noise drawn in call order
            denoised = model(x, sigmas[i] * s_in)
            timesteps.append(int(model.sigma_to_t(sigmas[i])))
            x = denoised
            if sigmas[i + 1] > 0:
                noise = torch.randn(x.shape, generator=generator)
                noises.append(noise)
                x = x + sigmas[i + 1] * noise
            x_steps.append(x.clone())
            denoised_steps.append(denoised.clone())
        flat = lambda t: [float(v) for v in t.flatten()]
        cases.append({
            "seed": seed, "steps": steps, "schedule": name, "shape": list(x_t.shape),
            "sigmas": flat(sigmas), "timesteps": timesteps, "x_T": flat(x_t),
            "noises": [flat(n) for n in noises], "x_steps": [flat(v) for v in x_steps],
            "denoised": [flat(v) for v in denoised_steps],
        })
    with open(out_path, "w") as f:
        json.dump({"grid_sigmas": [float(v) for v in model.sigmas], "cases": cases}, f)


if __name__ == "__main__":
    main()
