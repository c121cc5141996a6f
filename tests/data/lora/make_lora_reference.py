#!/usr/bin/env python3
"""Reference vectors for LoRA on the tiny SD-1.x fixture model.

Writes, beside this file:
- tiny_lora.safetensors: a random kohya-style LoRA (float16) in diffusers-style flattened names:
  every transformer linear, the 1x1-conv proj_in/proj_out, LoCon layers (ResBlock 3x3 convs with a
  3x3 down and 1x1 up, time_emb_proj, conv_shortcut, down/upsampler convs) and every CLIP
  q/k/v/out_proj and mlp fc1/fc2; some modules without `alpha` (scale 1).
- tiny_lora_ldm.safetensors: a smaller float32 LoRA in the LDM-style names some files use
  (lora_unet_input_blocks_1_1_...), one 1x1 conv given as 2-D matrices, and one module that
  matches nothing in the model (its keys must be reported as unmatched).
- lora_reference.safetensors: what the reference merge gives with both LoRAs (multipliers in the
  metadata): W' = W + multiplier * (alpha / rank) * up @ down (reshaped to W's shape, as A1111's
  network_lora.py / lyco_helpers.rebuild_conventional do), in float32 on the fixture's float32-cast
  weights. Outputs: the CLIP contexts of `tokens_cond` / `tokens_uncond`, one UNet call
  (`eps_x`, `eps_t`, context batch [uncond, cond]) -> `eps_out`, and A1111's txt2img run of the
  a1111 fixture's recipe (Euler, uniform sigmas, CPU noise: x_T_unit and sigmas taken from
  a1111_00_euler_uniform_cpu.safetensors) -> `samples`, `image_01`; the same run without LoRA is
  checked against that fixture first, so the harness is the fixture's own.
  Metadata also holds each LoRA file's A1111 short hash: the first 12 hex digits of the sha256 of
  the file after its header (kohya's / A1111's "addnet" hash of a .safetensors).

Runs the reference networks themselves (CompVis/Stability `ldm` UNet and KL decoder, the shims'
Hugging Face-named CLIP text model):

    /usr/bin/python3 tests/data/lora/make_lora_reference.py --ldm-ref DIR_WITH_ldm \
        --shims ../shared/tools/perf/shims --fixtures ../shared/fixtures
"""
import argparse
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {"F16": np.float16, "F32": np.float32, "I64": np.int64, "BF16": None}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(array.copy())
    return out, header.get("__metadata__", {})


def write_safetensors(path, tensors, metadata):
    names = {torch.float16: "F16", torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.contiguous().numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def addnet_short_hash(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        f.seek(8 + n)
        return hashlib.sha256(f.read()).hexdigest()[:12]


# --- the tiny model's layout (two levels, one ResBlock each, attention at both) -------------------
NUM_RES = 1
LEVELS = 2


def diffusers_unet_names():
    """(diffusers-style module path, LDM module path) for every LoRA target of the tiny UNet,
    written out from diffusers' block layout (independently of the engine's mapping)."""
    pairs = []
    attn_sub = ["proj_in", "proj_out"] + [f"transformer_blocks.0.{a}.{p}" for a in ("attn1", "attn2")
                                          for p in ("to_q", "to_k", "to_v", "to_out.0")] + \
               ["transformer_blocks.0.ff.net.0.proj", "transformer_blocks.0.ff.net.2"]
    res_sub = [("conv1", "in_layers.2"), ("conv2", "out_layers.3"), ("time_emb_proj", "emb_layers.1")]
    for level in range(LEVELS):
        for j in range(NUM_RES):
            ldm = f"input_blocks.{1 + level * (NUM_RES + 1) + j}"
            for d, l in res_sub:
                pairs.append((f"down_blocks.{level}.resnets.{j}.{d}", f"{ldm}.0.{l}"))
            if level > 0:
                pairs.append((f"down_blocks.{level}.resnets.{j}.conv_shortcut", f"{ldm}.0.skip_connection"))
            for s in attn_sub:
                pairs.append((f"down_blocks.{level}.attentions.{j}.{s}", f"{ldm}.1.{s}"))
        if level < LEVELS - 1:
            pairs.append((f"down_blocks.{level}.downsamplers.0.conv",
                          f"input_blocks.{(level + 1) * (NUM_RES + 1)}.0.op"))
    for d, l in res_sub:
        pairs.append((f"mid_block.resnets.0.{d}", f"middle_block.0.{l}"))
        pairs.append((f"mid_block.resnets.1.{d}", f"middle_block.2.{l}"))
    for s in attn_sub:
        pairs.append((f"mid_block.attentions.0.{s}", f"middle_block.1.{s}"))
    for up in range(LEVELS):
        for j in range(NUM_RES + 1):
            ldm = f"output_blocks.{up * (NUM_RES + 1) + j}"
            for d, l in res_sub + [("conv_shortcut", "skip_connection")]:
                pairs.append((f"up_blocks.{up}.resnets.{j}.{d}", f"{ldm}.0.{l}"))
            for s in attn_sub:
                pairs.append((f"up_blocks.{up}.attentions.{j}.{s}", f"{ldm}.1.{s}"))
        if up < LEVELS - 1:
            pairs.append((f"up_blocks.{up}.upsamplers.0.conv",
                          f"output_blocks.{up * (NUM_RES + 1) + NUM_RES}.2.conv"))
    pairs += [("conv_in", "input_blocks.0.0"), ("conv_out", "out.2"),
              ("time_embedding.linear_1", "time_embed.0"), ("time_embedding.linear_2", "time_embed.2")]
    return pairs


def te_names():
    return [f"text_model.encoder.layers.{i}.{m}" for i in range(2)
            for m in ("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                      "self_attn.out_proj", "mlp.fc1", "mlp.fc2")]


def make_module(gen, weight, rank, dtype, with_alpha, alpha, two_d=False):
    """up/down (and alpha) for one target weight, kohya's shapes."""
    out_ch, in_ch = weight.shape[0], weight.shape[1]
    std = float(weight.float().std())
    if weight.dim() == 4 and not two_d:
        kh, kw = weight.shape[2], weight.shape[3]
        down = torch.randn(rank, in_ch, kh, kw, generator=gen) * (0.5 / (in_ch * kh * kw) ** 0.5)
        up = torch.randn(out_ch, rank, 1, 1, generator=gen) * (1.6 * std / rank ** 0.5)
    else:
        fan_in = in_ch * (weight.shape[2] * weight.shape[3] if weight.dim() == 4 else 1)
        down = torch.randn(rank, fan_in, generator=gen) * (0.5 / fan_in ** 0.5)
        up = torch.randn(out_ch, rank, generator=gen) * (1.6 * std / rank ** 0.5)
    parts = {"lora_down.weight": down.to(dtype), "lora_up.weight": up.to(dtype)}
    if with_alpha:
        parts["alpha"] = torch.tensor(float(alpha)).to(dtype)
    return parts


def merge(state, lora, target_of, multipliers):
    """A1111's merge into float32 weights: W += m * scale * (up @ down).reshape(W.shape)."""
    modules = {}
    for key, tensor in lora.items():
        module, part = key.split(".", 1)
        modules.setdefault(module, {})[part] = tensor
    for module, parts in modules.items():
        target = target_of(module)
        if target is None:
            continue
        weight = state[target + ".weight"]
        up = parts["lora_up.weight"].float()
        down = parts["lora_down.weight"].float()
        rank = down.shape[0]
        scale = float(parts["alpha"].float()) / rank if "alpha" in parts else 1.0
        updown = up.reshape(up.shape[0], -1) @ down.reshape(rank, -1)
        m = multipliers["te"] if module.startswith("lora_te_") else multipliers["unet"]
        state[target + ".weight"] = weight + updown.reshape(weight.shape) * (m * scale)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ldm-ref", required=True, help="folder holding the CompVis/Stability ldm package")
    ap.add_argument("--shims", required=True)
    ap.add_argument("--fixtures", required=True)
    a = ap.parse_args()
    sys.path.insert(0, a.ldm_ref)
    sys.path.append(a.shims)
    try:
        import omegaconf.listconfig  # noqa: F401  (the UNet only type-checks context_dim with it)
    except ImportError:
        import types
        listconfig = types.ModuleType("omegaconf.listconfig")
        listconfig.ListConfig = type("ListConfig", (list,), {})
        sys.modules["omegaconf"] = types.ModuleType("omegaconf")
        sys.modules["omegaconf.listconfig"] = listconfig
    from ldm.modules.diffusionmodules.model import Decoder
    from ldm.modules.diffusionmodules.openaimodel import UNetModel
    from transformers import CLIPTextModel
    torch.set_num_threads(2)

    raw, _ = read_safetensors(os.path.join(a.fixtures, "sd1", "sd1_tiny.safetensors"))
    base = {k: v.float() if v.is_floating_point() else v for k, v in raw.items()}
    unet_prefix, te_prefix = "model.diffusion_model.", "cond_stage_model.transformer."

    # --- the two LoRA files ----------------------------------------------------------------------
    gen = torch.Generator().manual_seed(20240601)
    lora_a = {}
    for i, (diffusers, ldm) in enumerate(diffusers_unet_names()):
        key = "lora_unet_" + diffusers.replace(".", "_")
        rank = 4 if i % 3 else 2
        lora_a.update({f"{key}.{k}": v for k, v in make_module(
            gen, base[unet_prefix + ldm + ".weight"], rank, torch.float16, i % 5 != 4, rank / 2).items()})
    for i, name in enumerate(te_names()):
        key = "lora_te_" + name.replace(".", "_")
        lora_a.update({f"{key}.{k}": v for k, v in make_module(
            gen, base[te_prefix + name + ".weight"], 4, torch.float16, True, 1 + i % 4).items()})
    lora_b = {}
    ldm_targets = [("input_blocks.1.1.transformer_blocks.0.attn2.to_k", False),
                   ("middle_block.1.proj_in", True),  # a 1x1 conv given as 2-D matrices
                   ("output_blocks.1.2.conv", False), ("time_embed.2", False)]
    for name, two_d in ldm_targets:
        key = "lora_unet_" + name.replace(".", "_")
        lora_b.update({f"{key}.{k}": v for k, v in make_module(
            gen, base[unet_prefix + name + ".weight"], 3, torch.float32, True, 3, two_d).items()})
    lora_b.update({f"lora_te_text_model_encoder_layers_1_mlp_fc2.{k}": v for k, v in make_module(
        gen, base[te_prefix + "text_model.encoder.layers.1.mlp.fc2.weight"], 2, torch.float32, True, 1).items()})
    # matches nothing in this model: reported, not applied
    lora_b.update({f"lora_unet_input_blocks_9_1_proj_in.{k}": v for k, v in make_module(
        gen, torch.ones(8, 8), 2, torch.float32, True, 1).items()})
    path_a = os.path.join(HERE, "tiny_lora.safetensors")
    path_b = os.path.join(HERE, "tiny_lora_ldm.safetensors")
    write_safetensors(path_a, lora_a, {"ss_network_module": "networks.lora", "ss_network_dim": "4"})
    write_safetensors(path_b, lora_b, {})

    to_ldm = {"lora_unet_" + d.replace(".", "_"): te for d, te in
              [(d, unet_prefix + l) for d, l in diffusers_unet_names()]}
    to_ldm.update({"lora_unet_" + n.replace(".", "_"): unet_prefix + n for n, _ in ldm_targets})
    to_ldm.update({"lora_te_" + n.replace(".", "_"): te_prefix + n for n in te_names()})
    multipliers_a = {"te": 0.8, "unet": 0.8}
    multipliers_b = {"te": 0.5, "unet": 0.5}

    # --- reference networks ----------------------------------------------------------------------
    unet = UNetModel(image_size=32, in_channels=4, out_channels=4, model_channels=32,
                     attention_resolutions=[1, 2], num_res_blocks=1, channel_mult=[1, 2], num_heads=8,
                     use_spatial_transformer=True, transformer_depth=1, context_dim=128,
                     legacy=False).eval()
    clip = CLIPTextModel().eval()
    decoder = Decoder(ch=32, out_ch=3, ch_mult=[1, 2, 2, 2], num_res_blocks=1, attn_resolutions=[],
                      in_channels=3, resolution=64, z_channels=4).eval()
    post_quant = torch.nn.Conv2d(4, 4, 1)

    def load(state):
        def part(prefix):
            return {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        unet.load_state_dict(part(unet_prefix), strict=True)
        clip.load_state_dict(part(te_prefix), strict=True)
        decoder.load_state_dict(part("first_stage_model.decoder."), strict=True)
        post_quant.load_state_dict(part("first_stage_model.post_quant_conv."), strict=True)

    fixture, meta = read_safetensors(os.path.join(a.fixtures, "a1111", "a1111_00_euler_uniform_cpu.safetensors"))
    cases = json.load(open(os.path.join(a.fixtures, "sd1", "sd1_clip_tokenizer.json")))["cases"]
    ids = {c["prompt"]: c["ids"] for c in cases}
    tokens_cond = torch.tensor([ids[meta["prompt"]]])
    tokens_uncond = torch.tensor([ids[""]])
    alphas = base["alphas_cumprod"]
    log_sigmas = (((1 - alphas) / alphas) ** 0.5).log()

    def sigma_to_t(sigma):  # k-diffusion's CompVisDenoiser, unquantised
        log_sigma = sigma.log()
        dists = log_sigma - log_sigmas[:, None]
        low = dists.ge(0).cumsum(dim=0).argmax(dim=0).clamp(max=log_sigmas.shape[0] - 2)
        lo, hi = log_sigmas[low], log_sigmas[low + 1]
        w = ((lo - log_sigma) / (lo - hi)).clamp(0, 1)
        return (1 - w) * low + w * (low + 1)

    def run(scale):
        with torch.no_grad():
            cond = clip(tokens_cond).last_hidden_state
            uncond = clip(tokens_uncond).last_hidden_state
            ctx = torch.cat([uncond, cond])
            sigmas = fixture["sigmas"]
            x = fixture["x_T_unit"] * sigmas[0]
            for i in range(len(sigmas) - 1):
                s = sigmas[i]
                c_in = 1 / (s ** 2 + 1) ** 0.5
                t = sigma_to_t(s.reshape(1)).expand(2)
                eps = unet(torch.cat([x, x]) * c_in, t, context=ctx)
                den = torch.cat([x, x]) - s * eps
                u, c = den.chunk(2)
                denoised = u + (c - u) * scale
                x = x + (x - denoised) / s * (sigmas[i + 1] - s)
            image = decoder(post_quant(x / 0.18215))
            return cond, uncond, x, image

    scale = float(meta["guidance_scale"])
    load(base)
    _, _, plain_samples, _ = run(scale)
    err = float((plain_samples - fixture["samples"]).abs().max())
    print("harness vs a1111 fixture, samples max error:", err)
    assert err < 1e-3 * float(fixture["samples"].abs().max()), "harness does not reproduce the fixture"

    merged = dict(base)
    merge(merged, lora_a, to_ldm.get, multipliers_a)
    merge(merged, lora_b, to_ldm.get, multipliers_b)
    load(merged)
    cond, uncond, samples, image = run(scale)
    gen_x = torch.Generator().manual_seed(7)
    eps_x = torch.randn(2, 4, 8, 8, generator=gen_x)
    eps_t = torch.tensor([500.0, 137.25])
    with torch.no_grad():
        eps_out = unet(eps_x, eps_t, context=torch.cat([uncond, cond]))
    print("LoRA changes samples by", float((samples - plain_samples).abs().max()),
          "of", float(plain_samples.abs().max()))
    out = {"tokens_cond": tokens_cond, "tokens_uncond": tokens_uncond, "context_cond": cond,
           "context_uncond": uncond, "eps_x": eps_x, "eps_t": eps_t, "eps_out": eps_out,
           "samples": samples, "image_01": ((image + 1) / 2).clamp(0, 1)}
    write_safetensors(os.path.join(HERE, "lora_reference.safetensors"), out, {
        "description": "tiny_lora at multiplier 0.8 and tiny_lora_ldm at 0.5 merged into sd1_tiny by "
                       "A1111's formula; see make_lora_reference.py",
        "prompt": meta["prompt"], "negative_prompt": meta["negative_prompt"], "seed": meta["seed"],
        "steps": meta["steps"], "guidance_scale": meta["guidance_scale"], "sampler": "Euler",
        "schedule": "uniform", "rng": "cpu", "width": meta["width"], "height": meta["height"],
        "multiplier_tiny_lora": "0.8", "multiplier_tiny_lora_ldm": "0.5",
        "hash_tiny_lora": addnet_short_hash(path_a), "hash_tiny_lora_ldm": addnet_short_hash(path_b),
        "unmatched_tiny_lora_ldm": "1", "torch": torch.__version__})


if __name__ == "__main__":
    main()
