#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""x_T with an A1111 variation seed, as its modules/rng.py ImageRNG.first() makes it with the
"CPU" source: the seed's torch.randn draw slerped toward the variation seed's first draw (A1111's
slerp, written out below as it is there), for tst_ksamplers' VariationSeed test.

Usage: make_variation_reference.py OUT.json
"""
import json
import sys

import torch


def slerp(val, low, high):  # modules/rng.py
    low_norm = low / torch.norm(low, dim=1, keepdim=True)
    high_norm = high / torch.norm(high, dim=1, keepdim=True)
    dot = (low_norm * high_norm).sum(1)
    if dot.mean() > 0.9995:
        return low * val + high * (1 - val)
    omega = torch.acos(dot)
    so = torch.sin(omega)
    return (torch.sin((1.0 - val) * omega) / so).unsqueeze(1) * low + \
        (torch.sin(val * omega) / so).unsqueeze(1) * high


def draw(seed, shape):
    return torch.randn(shape, generator=torch.Generator("cpu").manual_seed(seed))


cases = []
for seed, variation, strength, shape in [(5, 9, 0.3, (4, 6, 5)), (11, 2, 1.0, (4, 8, 8)),
                                          (3, 1234567, 0.05, (4, 8, 16)), (7, 7, 0.5, (4, 6, 5))]:
    x = slerp(strength, draw(seed, shape), draw(variation, shape))
    cases.append({"seed": seed, "variation_seed": variation, "strength": strength,
                  "shape": list(shape), "x_T": [float(v) for v in x.flatten()]})
with open(sys.argv[1], "w") as f:
    json.dump({"cases": cases}, f)
