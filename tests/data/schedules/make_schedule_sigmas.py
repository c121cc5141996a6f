#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reference σ schedules for tst_ksamplers (KSchedules.*): A1111's schedule types on SD's
linear noise schedule, computed by k-diffusion's own code and A1111's formulas.

k-diffusion's DiscreteSchedule and get_sigmas_* are taken verbatim from a k-diffusion checkout
(its package imports scipy/torchsde, so only these definitions are extracted); A1111's
modules/sd_schedulers.py functions are transcribed below, with scipy.stats.beta.ppf replaced
by mpmath's exact inverse (scipy is not installed here; both are accurate to double precision).

Run with Debian's python3-torch:
    /usr/bin/python3 tests/data/schedules/make_schedule_sigmas.py \
        /work/.mirror/crowsonkb+k-diffusion/repo tests/data/schedules/a1111_schedules.safetensors
"""
import ast
import json
import math
import subprocess
import sys
import types

import mpmath
import numpy as np
import torch


def kdiffusion_source(repo, path):
    return subprocess.run(["git", "-C", repo, "show", "HEAD:" + path], check=True,
                          capture_output=True, text=True).stdout


def extract(source, names, namespace):
    tree = ast.parse(source)
    nodes = [n for n in tree.body if getattr(n, "name", None) in names]
    exec(compile(ast.Module(body=nodes, type_ignores=[]), "<k-diffusion>", "exec"), namespace)


repo, out_path = sys.argv[1], sys.argv[2]
sampling = {"torch": torch, "math": math}
extract(kdiffusion_source(repo, "k_diffusion/sampling.py"),
        {"append_zero", "get_sigmas_karras", "get_sigmas_exponential",
         "get_sigmas_polyexponential"}, sampling)
external = {"torch": torch, "nn": torch.nn, "math": math,
            "sampling": types.SimpleNamespace(**sampling)}
extract(kdiffusion_source(repo, "k_diffusion/external.py"), {"DiscreteSchedule"}, external)

# SD's schedule as ldm's register_schedule builds it (linear 0.00085..0.012, 1000 steps).
betas = (torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2).numpy()
alphas_cumprod = torch.tensor(np.cumprod(1.0 - betas, axis=0), dtype=torch.float32)
inner_model = external["DiscreteSchedule"](((1 - alphas_cumprod) / alphas_cumprod) ** 0.5, False)
sigma_min, sigma_max = inner_model.sigmas[0].item(), inner_model.sigmas[-1].item()


# --- A1111 modules/sd_schedulers.py (v1.10), transcribed ---
def uniform(n):
    return inner_model.get_sigmas(n)


def sgm_uniform(n):
    start = inner_model.sigma_to_t(torch.tensor(sigma_max))
    end = inner_model.sigma_to_t(torch.tensor(sigma_min))
    sigs = [inner_model.t_to_sigma(ts) for ts in torch.linspace(start, end, n + 1)[:-1]]
    sigs += [0.0]
    return torch.FloatTensor(sigs)


def align_your_steps(n):
    def loglinear_interp(t_steps, num_steps):
        xs = np.linspace(0, 1, len(t_steps))
        ys = np.log(t_steps[::-1])
        new_xs = np.linspace(0, 1, num_steps)
        new_ys = np.interp(new_xs, xs, ys)
        return np.exp(new_ys)[::-1].copy()

    sigmas = [14.615, 6.475, 3.861, 2.697, 1.886, 1.396, 0.963, 0.652, 0.399, 0.152, 0.029]
    if n != len(sigmas):
        sigmas = np.append(loglinear_interp(sigmas, n), [0.0])
    else:
        sigmas.append(0.0)
    return torch.FloatTensor(sigmas)


def kl_optimal(n):
    alpha_min = torch.arctan(torch.tensor(sigma_min))
    alpha_max = torch.arctan(torch.tensor(sigma_max))
    step_indices = torch.arange(n + 1)
    return torch.tan(step_indices / n * alpha_min + (1.0 - step_indices / n) * alpha_max)


def simple(n):
    sigs = []
    ss = len(inner_model.sigmas) / n
    for x in range(n):
        sigs += [float(inner_model.sigmas[-(1 + int(x * ss))])]
    sigs += [0.0]
    return torch.FloatTensor(sigs)


def normal(n):
    start = inner_model.sigma_to_t(torch.tensor(sigma_max))
    end = inner_model.sigma_to_t(torch.tensor(sigma_min))
    timesteps = torch.linspace(start, end, n)
    sigs = [inner_model.t_to_sigma(timesteps[x]) for x in range(len(timesteps))]
    sigs += [0.0]
    return torch.FloatTensor(sigs)


def beta_ppf(p, a, b):
    mpmath.mp.dps = 40
    if p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    f = lambda x: mpmath.betainc(a, b, 0, x, regularized=True) - p
    return float(mpmath.findroot(f, (mpmath.mpf(1e-30), mpmath.mpf(1) - mpmath.mpf(1e-30)),
                                 solver="anderson"))


def beta(n, alpha=0.6, beta_=0.6):
    timesteps = 1 - np.linspace(0, 1, n)
    timesteps = [beta_ppf(float(x), alpha, beta_) for x in timesteps]
    sigmas = [sigma_min + (x * (sigma_max - sigma_min)) for x in timesteps]
    sigmas += [0.0]
    return torch.FloatTensor(sigmas)


schedules = {
    "uniform": uniform,
    "karras": lambda n: sampling["get_sigmas_karras"](n, sigma_min, sigma_max, rho=7.0),
    "exponential": lambda n: sampling["get_sigmas_exponential"](n, sigma_min, sigma_max),
    "polyexponential": lambda n: sampling["get_sigmas_polyexponential"](n, sigma_min, sigma_max,
                                                                        rho=1.0),
    "sgm_uniform": sgm_uniform,
    "kl_optimal": kl_optimal,
    "align_your_steps": align_your_steps,
    "simple": simple,
    "normal": normal,
    "beta": beta,
}

tensors = {"alphas_cumprod": alphas_cumprod}
# (steps, discard_next_to_last_sigma) as A1111's get_sigmas applies them.
cases = [(10, False), (25, False), (10, True)]
for name, function in schedules.items():
    for steps, discard in cases:
        sigmas = function(steps + (1 if discard else 0)).to(torch.float32)
        if discard:
            sigmas = torch.cat([sigmas[:-2], sigmas[-1:]])
        key = f"{name}_{steps}" + ("_discard" if discard else "")
        tensors[key] = sigmas.contiguous()


def save_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for key, tensor in tensors.items():
        data = tensor.numpy().tobytes()
        header[key] = {"dtype": "F32", "shape": list(tensor.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


save_safetensors(out_path, tensors, {"cases": json.dumps(cases),
                                     "beta_alpha": "0.6", "beta_beta": "0.6"})
print(f"wrote {len(tensors)} tensors to {out_path}")
