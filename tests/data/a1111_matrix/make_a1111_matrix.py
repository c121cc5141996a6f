#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every A1111 k-diffusion sampler with every A1111 schedule type on the tiny SD-1.x model,
as AUTOMATIC1111's own code path runs them, for the parity test's a1111_matrix case.

For each (sampler, schedule) pair: 10 steps, A1111's "CPU" noise (x_T = the seed's first
torch.randn draw; the ancestral samplers' noise = the same generator's next draws, as A1111's
ImageRNG serves k-diffusion's randn_like), the SDE samplers' noise from k-diffusion's
BrownianTreeNoiseSampler over torchsde's BrownianTree seeded with the image seed (A1111's
create_noise_sampler, on the CPU), k-diffusion's own sample_* functions over its
CompVisDenoiser (quantize False) with A1111's CFG combination u + (c - u) * scale, and the
σ schedules of ../schedules/a1111_schedules.safetensors (A1111's formulas; the `_discard`
variants for samplers with discard_next_to_last_sigma). Only `samples` is stored per run
(the fixture folder a1111/ checks every intermediate for other runs).

This harness's networks (the ldm UNet, the shims' CLIP) reproduce the public a1111_00 fixture's
samples within 1.5e-4 (the engine within about 1e-5), so differences of that order between the
engine and these runs are the harness's own.

Needs: the CompVis/Stability `ldm` package (--ldm-ref), the reference shims
(../shared/tools/perf/shims), a k-diffusion checkout (--k-diffusion), torchsde and its
`trampoline` dependency importable; scipy is not needed (LMS's coefficients are integrated
with Gauss–Legendre, exact for these polynomials).

    PYTHONPATH=TORCHSDE_DIR /usr/bin/python3 tests/data/a1111_matrix/make_a1111_matrix.py \
        --ldm-ref DIR --shims ../shared/tools/perf/shims --fixtures ../shared/fixtures \
        --k-diffusion K_DIFFUSION_CHECKOUT
"""
import argparse
import os
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lora"))
from make_lora_reference import read_safetensors, write_safetensors  # noqa: E402
sys.path.insert(0, os.path.join(HERE, ".."))
from kdiffusion_loader import load_k_diffusion  # noqa: E402

# A1111 1.10's samplers_k_diffusion: name, function, discard_next_to_last_sigma, noise.
SAMPLERS = [
    ("Euler", "sample_euler", False, None),
    ("Euler a", "sample_euler_ancestral", False, "ancestral"),
    ("Heun", "sample_heun", False, None),
    ("LMS", "sample_lms", False, None),
    ("DPM2", "sample_dpm_2", True, None),
    ("DPM2 a", "sample_dpm_2_ancestral", True, "ancestral"),
    ("DPM++ 2S a", "sample_dpmpp_2s_ancestral", False, "ancestral"),
    ("DPM++ 2M", "sample_dpmpp_2m", False, None),
    ("DPM++ SDE", "sample_dpmpp_sde", False, "brownian"),
    ("DPM++ 2M SDE", "sample_dpmpp_2m_sde", False, "brownian"),
    ("DPM++ 3M SDE", "sample_dpmpp_3m_sde", True, "brownian"),
]
SCHEDULES = ["uniform", "karras", "exponential", "polyexponential", "sgm_uniform",
             "kl_optimal", "align_your_steps", "simple", "normal", "beta"]
STEPS = 10


def quad(fn, a, b, epsrel=None):
    nodes, weights = np.polynomial.legendre.leggauss(5)
    half = (b - a) / 2
    return (sum(w * fn(a + half * (x + 1)) for x, w in zip(nodes, weights)) * half, 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ldm-ref", required=True)
    ap.add_argument("--shims", required=True)
    ap.add_argument("--fixtures", required=True)
    ap.add_argument("--k-diffusion", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.ldm_ref)
    sys.path.append(a.shims)
    try:
        import omegaconf.listconfig  # noqa: F401
    except ImportError:
        listconfig = types.ModuleType("omegaconf.listconfig")
        listconfig.ListConfig = type("ListConfig", (list,), {})
        sys.modules["omegaconf"] = types.ModuleType("omegaconf")
        sys.modules["omegaconf.listconfig"] = listconfig
    from ldm.modules.diffusionmodules.openaimodel import UNetModel
    from transformers import CLIPTextModel
    kd = load_k_diffusion(a.k_diffusion, stub_torchsde=False, quad=quad)
    sampling, external = kd["sampling"], kd["external"]
    torch.set_num_threads(2)

    raw, _ = read_safetensors(os.path.join(a.fixtures, "sd1", "sd1_tiny.safetensors"))
    state = {k: v.float() if v.is_floating_point() else v for k, v in raw.items()}

    def part(prefix):
        return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}

    unet = UNetModel(image_size=32, in_channels=4, out_channels=4, model_channels=32,
                     attention_resolutions=[1, 2], num_res_blocks=1, channel_mult=[1, 2], num_heads=8,
                     use_spatial_transformer=True, transformer_depth=1, context_dim=128,
                     legacy=False).eval()
    unet.load_state_dict(part("model.diffusion_model."), strict=True)
    clip = CLIPTextModel().eval()
    clip.load_state_dict(part("cond_stage_model.transformer."), strict=True)

    schedules, _ = read_safetensors(os.path.join(HERE, "..", "schedules", "a1111_schedules.safetensors"))
    assert torch.equal(schedules["alphas_cumprod"], state["alphas_cumprod"]), "not SD's schedule"
    fixture, meta = read_safetensors(os.path.join(a.fixtures, "a1111", "a1111_00_euler_uniform_cpu.safetensors"))
    import json
    cases = json.load(open(os.path.join(a.fixtures, "sd1", "sd1_clip_tokenizer.json")))["cases"]
    ids = {c["prompt"]: c["ids"] for c in cases}
    scale = float(meta["guidance_scale"])
    with torch.no_grad():
        cond = clip(torch.tensor([ids[meta["prompt"]]])).last_hidden_state
        uncond = clip(torch.tensor([ids[meta["negative_prompt"]]])).last_hidden_state

    class Wrapped(torch.nn.Module):  # what CompVisDenoiser expects of a LatentDiffusion
        def __init__(self):
            super().__init__()
            self.register_buffer("alphas_cumprod", state["alphas_cumprod"])

        def apply_model(self, x, t, cond):
            return unet(x, t, context=cond)

    denoiser = external.CompVisDenoiser(Wrapped(), quantize=False)

    def cfg_denoiser(x, sigma, **_):  # A1111's CFGDenoiser: batch [cond, uncond]
        den = denoiser(torch.cat([x, x]), torch.cat([sigma, sigma]),
                       cond=torch.cat([cond, uncond]))
        c, u = den.chunk(2)
        return u + (c - u) * scale

    def run(function, sigmas, seed, noise):
        generator = torch.Generator().manual_seed(seed)
        x_t = torch.randn(1, 4, 8, 8, generator=generator)
        kwargs = {}
        if noise == "ancestral":
            kwargs["noise_sampler"] = lambda s, sn: torch.randn(x_t.shape, generator=generator)
        elif noise == "brownian":
            kwargs["noise_sampler"] = sampling.BrownianTreeNoiseSampler(
                x_t, sigmas[sigmas > 0].min(), sigmas.max(), seed=[seed])
        with torch.no_grad():
            return getattr(sampling, function)(cfg_denoiser, x_t * sigmas[0], sigmas, **kwargs)

    # The harness first reproduces the fixture's own Euler run.
    check = run("sample_euler", fixture["sigmas"], int(meta["seed"]), None)
    err = float((check - fixture["samples"]).abs().max())
    print("harness vs a1111_00 fixture, samples max error:", err)
    assert err < 1e-4 * float(fixture["samples"].abs().max()), "harness does not reproduce the fixture"

    out, runs = {}, []
    for i, (name, function, discard, noise) in enumerate(SAMPLERS):
        for j, schedule in enumerate(SCHEDULES):
            key = f"{schedule}_{STEPS}" + ("_discard" if discard else "")
            sigmas = schedules[key].to(torch.float32)
            seed = 3000 + 37 * i + j
            samples = run(function, sigmas, seed, noise)
            tag = f"{function[len('sample_'):]}.{schedule}"
            out[tag + ".sigmas"] = sigmas
            out[tag + ".samples"] = samples
            runs.append({"a1111_sampler": name, "schedule": schedule, "seed": seed, "tag": tag})
    write_safetensors(os.path.join(HERE, "a1111_matrix.safetensors"), out, {
        "description": "A1111 txt2img of every k-diffusion sampler with every schedule type on "
                       "the tiny SD-1.x model; see make_a1111_matrix.py",
        "weights": "sd1/sd1_tiny.safetensors", "runs": json.dumps(runs), "steps": str(STEPS),
        "rng": "cpu", "brownian_rng": "cpu", "guidance_scale": meta["guidance_scale"],
        "prompt": meta["prompt"], "negative_prompt": meta["negative_prompt"],
        "width": "64", "height": "64", "torch": torch.__version__})
    print(len(runs), "runs written")


if __name__ == "__main__":
    main()
