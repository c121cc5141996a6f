#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seed corpora for the fuzz targets that have none from fixtures: fuzz_image_map,
fuzz_gallery_manifest, fuzz_recipe_text, fuzz_yaml_config and fuzz_safetensors_header.
Small files (a few KB in all), written into tests/fuzz/corpus/<target>/; the fuzz-smoke tests
replay them in the ordinary build. Needs numpy and Pillow (Debian's /usr/bin/python3).
Usage: make_seeds.py [corpus dir]   (default: tests/fuzz/corpus next to this script)"""
import io
import json
import pathlib
import struct
import sys

import numpy as np
from PIL import Image, PngImagePlugin

root = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(__file__).parent / "corpus"


def write(target, name, data):
    folder = root / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def encoded(image, fmt="PNG", **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


# fuzz_image_map: one mode byte (0/1 label map without/with classes, 2 image, 3 PNG text,
# 4 header size), then the file. Each file is given under the modes that read it.
rng = np.random.default_rng(7)
ids = rng.choice(np.array([0, 1, 2, 7], dtype=np.uint8), size=(6, 5))
indexed = Image.fromarray(ids, mode="P")
palette = [0] * 768
for index, colour in {0: (0x87, 0xCE, 0xEB), 1: (0x1E, 0x3C, 0x8C), 2: (0x2E, 0x8B, 0x57),
                      7: (0x80, 0x80, 0x80)}.items():
    palette[3 * index:3 * index + 3] = colour
indexed.putpalette(palette)
gray = Image.fromarray(ids, mode="L")
rgb = indexed.convert("RGB")
gray16 = Image.fromarray(ids.astype(np.uint16) * 257).convert("I;16")
text = PngImagePlugin.PngInfo()
text.add_text("parameters", "a lake\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 5x6")
text.add_itxt("latent-canvas", '{"prompt": "m\u00fcnster"}')
files = {
    "indexed.png": encoded(indexed),
    "gray.png": encoded(gray),
    "gray16.png": encoded(gray16),
    "rgb.png": encoded(rgb),
    "rgb_text.png": encoded(rgb, pnginfo=text),
    "gray_alpha.png": encoded(gray.convert("LA")),
    "bits2.png": encoded(Image.fromarray((ids % 4).astype(np.uint8), mode="P"), bits=2),
    "photo.jpg": encoded(rgb.resize((16, 12)), "JPEG", quality=80),
    "photo.bmp": encoded(rgb, "BMP"),
    "photo.webp": encoded(rgb.resize((16, 12)), "WEBP", quality=80),
}
for name, data in files.items():
    modes = [0, 1, 2, 3, 4] if name.endswith(".png") else [2, 4]
    for mode in modes:
        write("image_map", f"{mode}_{name}", bytes([mode]) + data)

# fuzz_gallery_manifest: the archive's gallery.json as exportGalleryItems writes it.
recipe = {"prompt": "a lake at dawn", "negative_prompt": "", "seed": 12345678901234,
          "steps": 20, "sampler": "dpmpp_2m", "guidance": 5.0, "width": 128, "height": 128}
item = {"id": "20260101-120000-001", "image": "images/20260101-120000-001.png",
        "map": "maps/20260101-120000-001.png", "input": "", "mask": "", "thumb": "",
        "image_sha256": "a" * 64, "map_sha256": "b" * 64, "input_sha256": "", "mask_sha256": "",
        "created": "2026-01-01T12:00:00.001Z", "recipe": recipe}
second = dict(item, id="20260101-120001-002", image="images/20260101-120001-002.png", map="",
              map_sha256="", input="inputs/x.png", input_sha256="c" * 64)
write("gallery_manifest", "two_items.json",
      json.dumps({"version": 1, "items": [item, second]}, indent=1).encode())
write("gallery_manifest", "empty.json", b'{"version": 1, "items": []}')
write("gallery_manifest", "newer.json", b'{"version": 2, "items": []}')

# fuzz_recipe_text: one byte (odd: A1111 text, even: our JSON), then the text.
write("recipe_text", "a1111.txt", b"\x01" + (
    "a red star, (detailed:1.2)\nNegative prompt: blurry\nSteps: 20, Sampler: DPM++ 2M Karras, "
    "CFG scale: 7, Seed: 377404987, Size: 512x512, Model hash: c6bbc15e32, "
    "Lora hashes: \"x: 0123456789ab\", Variation seed: 5, Variation seed strength: 0.3").encode())
write("recipe_text", "recipe.json", b"\x00" + json.dumps(recipe).encode())

# fuzz_yaml_config: a config as CompVis writes them, with an anchor and an alias.
write("yaml_config", "config.yaml", b"""model:
  base_learning_rate: 1.0e-04
  target: ldm.models.diffusion.ddpm.LatentDiffusion
  params: &p
    linear_start: 0.00085
    image_size: 64
    channels: 4
    unet_config:
      target: ldm.modules.diffusionmodules.openaimodel.UNetModel
      params: {model_channels: 320, attention_resolutions: [4, 2, 1], channel_mult: [1, 2, 4, 4]}
  copy: *p
""")

# fuzz_safetensors_header: 4-byte count of the data bytes left out, then the file's start.
header = json.dumps({"__metadata__": {"format": "pt"},
                     "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
                     "b": {"dtype": "F16", "shape": [4], "data_offsets": [24, 32]}}).encode()
write("safetensors_header", "two_tensors.bin",
      struct.pack("<I", 0) + struct.pack("<Q", len(header)) + header + bytes(32))
