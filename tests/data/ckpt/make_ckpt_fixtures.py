#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the small PyTorch checkpoints that tests/tst_ckpt.cpp reads, next to this script.

Run once with Debian's python3-torch (`apt-get install python3-torch`; the 1.13 that Debian 12
ships writes the zip format with zip64 records): `/usr/bin/python3 make_ckpt_fixtures.py`.
Only regenerating needs torch; the tests use the committed files.

Every checkpoint whose values the test checks has a companion .safetensors written here by a
plain-Python writer (not by our C++ code), so a test that compares the two cannot pass by
reading both files wrongly in the same way.

The malicious fixtures are written, never loaded: loading them with an unrestricted unpickler
(`torch.load(..., weights_only=False)`) runs `echo pwned > /tmp/latent_canvas_ckpt_pwned`.
"""
import collections
import json
import os
import struct
import sys
import types

import numpy
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
PWNED_MARKER = "/tmp/latent_canvas_ckpt_pwned"
DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout written by hand: 8-byte length, JSON header, raw C-order data."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name, tensor in tensors.items():
        flat = tensor.detach().contiguous().reshape(-1)
        data = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        header[name] = {"dtype": DTYPE_NAMES[tensor.dtype], "shape": list(tensor.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def fake_lightning_module():
    """ModelCheckpoint as a pickle names it, without pytorch_lightning installed: pickle looks
    the class up by __module__/__qualname__ in sys.modules, so stub modules are enough."""
    names = ["pytorch_lightning", "pytorch_lightning.callbacks",
             "pytorch_lightning.callbacks.model_checkpoint"]
    for name in names:
        sys.modules.setdefault(name, types.ModuleType(name))

    class ModelCheckpoint:
        def __init__(self):
            self.monitor = "val/loss"
            self.best_model_path = "logs/checkpoints/last.ckpt"
            self.best_model_score = numpy.float64(0.125)

    ModelCheckpoint.__module__ = names[-1]
    ModelCheckpoint.__qualname__ = "ModelCheckpoint"
    sys.modules[names[-1]].ModelCheckpoint = ModelCheckpoint
    return ModelCheckpoint


def lightning(generator):
    state = collections.OrderedDict()
    state["model.diffusion_model.input_blocks.0.0.weight"] = torch.randn(4, 3, 3, 3,
                                                                         generator=generator)
    state["model.diffusion_model.input_blocks.0.0.bias"] = torch.randn(4, generator=generator)
    state["first_stage_model.decoder.conv_out.weight"] = torch.randn(3, 4, 1, 1,
                                                                     generator=generator)
    state["scale_factor"] = torch.tensor(0.18215)
    state["betas"] = torch.linspace(1e-4, 2e-2, 10, dtype=torch.float64).float()
    ModelCheckpoint = fake_lightning_module()
    exp_avg = torch.zeros(4)
    checkpoint = {
        "epoch": 7,
        "global_step": 12345,
        "pytorch-lightning_version": "1.4.2",
        "state_dict": state,
        # PL 1.x keys callback states by the callback class itself.
        "callbacks": {ModelCheckpoint: {"best_model_score": torch.tensor(0.125),
                                        "monitor": "val/loss"},
                      "instance": ModelCheckpoint()},
        "optimizer_states": [{"state": {0: {"step": 3, "exp_avg": exp_avg,
                                            "exp_avg_sq": exp_avg.clone()}},
                              "param_groups": [{"lr": 1.0e-4, "betas": (0.9, 0.999),
                                                "params": [0]}]}],
        "lr_schedulers": [],
        "hyper_parameters": {"learning_rate": 1.0e-4, "monitor": {"val/loss"}},
    }
    torch.save(checkpoint, os.path.join(HERE, "lightning.ckpt"))
    write_safetensors(os.path.join(HERE, "lightning.safetensors"), state)


def fp16_views(generator):
    base = torch.randn(64, generator=generator).half()
    block = base[8:32].view(4, 6)  # storage offset 8
    state = collections.OrderedDict()
    state["block"] = block
    state["block_t"] = block.t()  # non-contiguous: strides (1, 6)
    state["column"] = block[:, 2]  # offset 10, stride 6
    state["tail"] = base[40:].view(2, 3, 4)[:, 1:, ::2]  # offset 44, strides (12, 4, 2)
    state["whole"] = base  # the shared storage itself
    state["other"] = torch.arange(6, dtype=torch.float16)  # its own storage
    torch.save(state, os.path.join(HERE, "fp16_views.pt"))
    write_safetensors(os.path.join(HERE, "fp16_views.safetensors"), state)


def dtypes(generator):
    state = collections.OrderedDict()
    values = torch.randn(6, generator=generator) * 50
    for dtype in DTYPE_NAMES:
        source = values.abs() if dtype == torch.uint8 else values  # no negative bytes
        state["t_" + DTYPE_NAMES[dtype].lower()] = (
            (values > 0) if dtype == torch.bool else source.to(dtype)).view(2, 3)
    state["scalar"] = torch.tensor(3.5, dtype=torch.float64)
    state["empty"] = torch.zeros(0, 4)
    state["not_a_tensor"] = 42  # skipped and reported
    torch.save(state, os.path.join(HERE, "dtypes.pth"))
    write_safetensors(os.path.join(HERE, "dtypes.safetensors"),
                      {k: v for k, v in state.items() if torch.is_tensor(v)})


class Payload:
    """An object whose unpickling calls os.system: what a malicious checkpoint carries."""

    def __reduce__(self):
        return (os.system, ("echo pwned > " + PWNED_MARKER,))


def malicious():
    state = {"state_dict": {"weight": torch.ones(2)}, "payload": Payload()}
    # Pickle names os.system by the function's own module, "posix" on Linux.
    torch.save(state, os.path.join(HERE, "malicious_posix_system.ckpt"))

    # Hand-made exploits name "os.system"; get pickle to write that by letting it find a
    # stand-in under that name while saving.
    def system(command):
        raise RuntimeError("never called")

    system.__module__, system.__qualname__ = "os", "system"
    real_system = os.system
    os.system = system
    try:
        torch.save(state, os.path.join(HERE, "malicious_os_system.ckpt"))
    finally:
        os.system = real_system


def main():
    generator = torch.Generator().manual_seed(20240607)
    lightning(generator)
    fp16_views(generator)
    dtypes(generator)
    malicious()
    for name in sorted(os.listdir(HERE)):
        size = os.path.getsize(os.path.join(HERE, name))
        print(f"{name:32s} {size:7d} bytes")
        assert size < 20000, name


if __name__ == "__main__":
    main()
