#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seed corpus for fuzz_safetensors_header: the header (+64 data bytes) of every .safetensors
file in a folder, prefixed with the 4-byte count of the data bytes left out, so the fuzzer's
parser sees each file's true size. Usage: make_header_seeds.py <fixture dir> <corpus dir>"""
import pathlib
import struct
import sys

source, target = (pathlib.Path(arg) for arg in sys.argv[1:3])
target.mkdir(parents=True, exist_ok=True)
for path in sorted(source.glob("*.safetensors")):
    data = path.read_bytes()
    (header_length,) = struct.unpack("<Q", data[:8])
    kept = data[: 8 + header_length + 64]
    (target / path.name).write_bytes(struct.pack("<I", len(data) - len(kept)) + kept)
    print(f"{path.name}: {len(kept)} bytes")
