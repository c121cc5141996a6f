#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Textual-inversion reference for tst_embeddings: small embedding files for the tiny SD-1.x
fixture model (width 128) in every layout A1111 reads, and the conditioning A1111 computes for
prompts that name them.

The expansion is AUTOMATIC1111's, transcribed: prompt_parser.parse_prompt_attention,
sd_hijack_clip.tokenize_line with EmbeddingDatabase.find_embedding_at_position, the
placeholder vectors put in by sd_hijack.EmbeddingsWithFixes, the CLIP text transformer (Hugging
Face CLIPTextModel semantics, checked here against the fixture's own text-encoder vectors) and
the "Original" emphasis. The tokenizer is openai's simple_tokenizer for ASCII text (checked
against the fixture's tokenizer cases). Only the first 16 of the 128 channels of each context
are stored, to keep the file small: any misplaced vector changes every channel.

Run with Debian's python3-torch from the repository root:
    /usr/bin/python3 tests/data/embeddings/make_embedding_reference.py ../shared/fixtures/sd1 \
        resources/tokenizers/clip_bpe_simple_vocab_16e6.txt.gz tests/data/embeddings
"""
import gzip
import hashlib
import html
import json
import os
import re
import sys
from functools import lru_cache

import numpy as np
import torch

fixture_dir, vocab_path, out_dir = sys.argv[1], sys.argv[2], sys.argv[3]
folder = os.path.join(out_dir, "folder")
os.makedirs(folder, exist_ok=True)
KEPT_CHANNELS = 16


# --- safetensors without the safetensors package ---
def read_safetensors(path):
    data = open(path, "rb").read()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    dtypes = {"F16": np.float16, "F32": np.float32, "I64": np.int64, "I32": np.int32}
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        start, end = info["data_offsets"]
        array = np.frombuffer(data[8 + n + start:8 + n + end], dtype=dtypes[info["dtype"]])
        out[key] = torch.from_numpy(array.reshape(info["shape"]).copy())
    return out


def write_safetensors(path, tensors, metadata=None):
    header = {"__metadata__": metadata or {}}
    names = {torch.float32: "F32", torch.float16: "F16", torch.int32: "I32"}
    blobs, offset = [], 0
    for key, tensor in tensors.items():
        blob = tensor.contiguous().numpy().tobytes()
        header[key] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape),
                       "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


# --- openai/CLIP simple_tokenizer, ASCII text ---
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


byte_encoder = bytes_to_unicode()
merges = gzip.open(vocab_path).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
merges = [tuple(m.split()) for m in merges]
vocab = list(byte_encoder.values())
vocab = vocab + [v + "</w>" for v in vocab] + ["".join(m) for m in merges]
vocab += ["<|startoftext|>", "<|endoftext|>"]
encoder = {v: i for i, v in enumerate(vocab)}
bpe_ranks = dict(zip(merges, range(len(merges))))
# \p{L} and \p{N} of the original pattern, for ASCII text
pattern = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-zA-Z]+|"
                     r"[0-9]|[^\sa-zA-Z0-9]+", re.IGNORECASE)


@lru_cache(maxsize=None)
def bpe(token):
    word = tuple(token[:-1]) + (token[-1] + "</w>",)
    pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
    if not pairs:
        return token + "</w>"
    while True:
        bigram = min(pairs, key=lambda p: bpe_ranks.get(p, float("inf")))
        if bigram not in bpe_ranks:
            break
        first, second = bigram
        new_word, i = [], 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new_word.extend(word[i:j])
                i = j
            except ValueError:
                new_word.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = {(word[i], word[i + 1]) for i in range(len(word) - 1)}
    return " ".join(word)


def tokenize(text):
    text = html.unescape(html.unescape(text)).strip()
    text = re.sub(r"\s+", " ", text).strip().lower()
    ids = []
    for token in re.findall(pattern, text):
        token = "".join(byte_encoder[b] for b in token.encode("utf-8"))
        ids.extend(encoder[t] for t in bpe(token).split(" "))
    return ids


cases = json.load(open(os.path.join(fixture_dir, "sd1_clip_tokenizer.json")))
checked = 0
for case in cases["cases"] if isinstance(cases, dict) else cases:
    text = case["text"] if "text" in case else case["prompt"]
    if not text.isascii() or "<|" in text:
        continue
    ids = [49406] + tokenize(text)[:75] + [49407]
    ids += [49407] * (77 - len(ids))
    assert ids == list(case["ids"]), text
    checked += 1
assert checked >= 3, "too few ASCII tokenizer cases to check against"

# --- the CLIP text model of the tiny SD-1.x checkpoint ---
prefix = "cond_stage_model.transformer.text_model."
weights = {k[len(prefix):]: v.float() for k, v in
           read_safetensors(os.path.join(fixture_dir, "sd1_tiny.safetensors")).items()
           if k.startswith(prefix)}
WIDTH = weights["embeddings.token_embedding.weight"].shape[1]
LAYERS = len({k.split(".")[2] for k in weights if k.startswith("encoder.layers.")})
HEADS = WIDTH // 64


def layer_norm(x, name):
    return torch.nn.functional.layer_norm(x, (WIDTH,), weights[name + ".weight"],
                                          weights[name + ".bias"], 1e-5)


def linear(x, name):
    return torch.nn.functional.linear(x, weights[name + ".weight"], weights[name + ".bias"])


def clip_transformer(inputs_embeds):
    n = inputs_embeds.shape[1]
    x = inputs_embeds + weights["embeddings.position_embedding.weight"][:n]
    mask = torch.full((n, n), float("-inf")).triu(1)
    d = WIDTH // HEADS
    for i in range(LAYERS):
        p = f"encoder.layers.{i}."
        h = layer_norm(x, p + "layer_norm1")
        split = lambda t: t.view(1, n, HEADS, d).transpose(1, 2)
        q = split(linear(h, p + "self_attn.q_proj") * d ** -0.5)
        k = split(linear(h, p + "self_attn.k_proj"))
        v = split(linear(h, p + "self_attn.v_proj"))
        a = torch.softmax(q @ k.transpose(-1, -2) + mask, -1) @ v
        x = x + linear(a.transpose(1, 2).reshape(1, n, WIDTH), p + "self_attn.out_proj")
        h = linear(layer_norm(x, p + "layer_norm2"), p + "mlp.fc1")
        x = x + linear(h * torch.sigmoid(1.702 * h), p + "mlp.fc2")
    return layer_norm(x, "final_layer_norm")


token_embedding = weights["embeddings.token_embedding.weight"]
io = read_safetensors(os.path.join(fixture_dir, "sd1_clip_io.safetensors"))
for row in range(io["tokens"].shape[0]):
    got = clip_transformer(token_embedding[io["tokens"][row].long()][None])
    assert (got - io["emb"][row:row + 1].float()).abs().max() < 1e-4, "CLIP check failed"

# --- the embedding files, in each layout A1111 reads ---
generator = torch.Generator().manual_seed(20240601)
rand = lambda *shape: torch.randn(*shape, generator=generator) * 0.02
vectors = {"tinyneg": rand(3, WIDTH), "oldstyle": rand(2, WIDTH), "tiny-style": rand(4, WIDTH),
           "concept": rand(WIDTH)}
# A1111's Embedding.save (the vector requires grad after training).
torch.save({"string_to_token": {"*": 265},
            "string_to_param": {"*": vectors["tinyneg"].clone().requires_grad_(True)},
            "name": "tinyneg", "step": 1500, "sd_checkpoint": "0123456789",
            "sd_checkpoint_name": "tiny"}, os.path.join(folder, "tinyneg.pt"))
# The original textual-inversion code: a ParameterDict.
torch.save({"string_to_token": {"*": 265},
            "string_to_param": torch.nn.ParameterDict(
                {"*": torch.nn.Parameter(vectors["oldstyle"].clone())})},
           os.path.join(folder, "oldstyle.pt"))
os.makedirs(os.path.join(folder, "styles"), exist_ok=True)
write_safetensors(os.path.join(folder, "styles", "tiny-style.safetensors"),
                  {"emb_params": vectors["tiny-style"].half()})
vectors["tiny-style"] = vectors["tiny-style"].half().float()
torch.save({"<concept>": vectors["concept"]}, os.path.join(folder, "concept.bin"))
write_safetensors(os.path.join(folder, "sd2wide.safetensors"),
                  {"emb_params": rand(1, 1024).half()})
write_safetensors(os.path.join(folder, "sdxlpair.safetensors"),
                  {"clip_l": rand(1, 768).half(), "clip_g": rand(1, 1280).half()})
vectors = {k: (v if v.dim() == 2 else v[None]) for k, v in vectors.items()}

# --- A1111's expansion ---
re_attention = re.compile(r"""
\\\(|\\\)|\\\[|\\]|\\\\|\\|\(|\[|:\s*([+-]?[.\d]+)\s*\)|\)|]|[^\\()\[\]:]+|:
""", re.X)
re_break = re.compile(r"\s*\bBREAK\b\s*", re.S)


def parse_prompt_attention(text):
    res, round_brackets, square_brackets = [], [], []

    def multiply_range(start, multiplier):
        for p in range(start, len(res)):
            res[p][1] *= multiplier

    for m in re_attention.finditer(text):
        text, weight = m.group(0), m.group(1)
        if text.startswith("\\"):
            res.append([text[1:], 1.0])
        elif text == "(":
            round_brackets.append(len(res))
        elif text == "[":
            square_brackets.append(len(res))
        elif weight is not None and round_brackets:
            multiply_range(round_brackets.pop(), float(weight))
        elif text == ")" and round_brackets:
            multiply_range(round_brackets.pop(), 1.1)
        elif text == "]" and square_brackets:
            multiply_range(square_brackets.pop(), 1 / 1.1)
        else:
            for i, part in enumerate(re.split(re_break, text)):
                if i > 0:
                    res.append(["BREAK", -1])
                res.append([part, 1.0])
    for pos in round_brackets:
        multiply_range(pos, 1.1)
    for pos in square_brackets:
        multiply_range(pos, 1 / 1.1)
    if len(res) == 0:
        res = [["", 1.0]]
    i = 0
    while i + 1 < len(res):
        if res[i][1] == res[i + 1][1]:
            res[i][0] += res[i + 1][0]
            res.pop(i + 1)
        else:
            i += 1
    return res


# EmbeddingDatabase: ids of the usable names, longest first (sd2wide/sdxlpair are skipped).
ids_lookup = {}
for name in ["concept", "oldstyle", "tiny-style", "tinyneg"]:
    ids = tokenize(name)
    ids_lookup.setdefault(ids[0], []).append((ids, name))
    ids_lookup[ids[0]] = sorted(ids_lookup[ids[0]], key=lambda x: len(x[0]), reverse=True)


def find_embedding_at_position(tokens, offset):
    for ids, name in ids_lookup.get(tokens[offset], []):
        if tokens[offset:offset + len(ids)] == ids:
            return name, len(ids)
    return None, None


COMMA, CHUNK = 267, 75


def tokenize_line(line):
    parsed = parse_prompt_attention(line)
    chunks, chunk = [], {"tokens": [], "multipliers": [], "fixes": []}
    last_comma = -1

    def next_chunk():
        nonlocal chunk, last_comma
        to_add = CHUNK - len(chunk["tokens"])
        chunk["tokens"] += [49407] * to_add
        chunk["multipliers"] += [1.0] * to_add
        chunk["tokens"] = [49406] + chunk["tokens"] + [49407]
        chunk["multipliers"] = [1.0] + chunk["multipliers"] + [1.0]
        last_comma = -1
        chunks.append(chunk)
        chunk = {"tokens": [], "multipliers": [], "fixes": []}

    for text, weight in parsed:
        if text == "BREAK" and weight == -1:
            next_chunk()
            continue
        tokens, position = tokenize(text), 0
        while position < len(tokens):
            token = tokens[position]
            if token == COMMA:
                last_comma = len(chunk["tokens"])
            elif len(chunk["tokens"]) == CHUNK and last_comma != -1 and \
                    len(chunk["tokens"]) - last_comma <= 20:
                at = last_comma + 1
                reloc_t, reloc_m = chunk["tokens"][at:], chunk["multipliers"][at:]
                chunk["tokens"], chunk["multipliers"] = chunk["tokens"][:at], chunk["multipliers"][:at]
                next_chunk()
                chunk["tokens"], chunk["multipliers"] = reloc_t, reloc_m
            if len(chunk["tokens"]) == CHUNK:
                next_chunk()
            name, length = find_embedding_at_position(tokens, position)
            if name is None:
                chunk["tokens"].append(token)
                chunk["multipliers"].append(weight)
                position += 1
                continue
            emb_len = vectors[name].shape[0]
            if len(chunk["tokens"]) + emb_len > CHUNK:
                next_chunk()
            chunk["fixes"].append((len(chunk["tokens"]), name))
            chunk["tokens"] += [0] * emb_len
            chunk["multipliers"] += [weight] * emb_len
            position += length
    if chunk["tokens"] or not chunks:
        next_chunk()
    return chunks


def encode_chunk(chunk):
    tensor = token_embedding[torch.tensor(chunk["tokens"])]
    for offset, name in chunk["fixes"]:  # EmbeddingsWithFixes.forward
        emb = vectors[name]
        emb_len = min(tensor.shape[0] - offset - 1, emb.shape[0])
        tensor = torch.cat([tensor[0:offset + 1], emb[0:emb_len], tensor[offset + 1 + emb_len:]])
    z = clip_transformer(tensor[None])
    multipliers = torch.tensor(chunk["multipliers"])
    original_mean = z.mean()  # EmphasisOriginal
    z = z * multipliers.reshape(multipliers.shape + (1,)).expand(z.shape)
    return z * (original_mean / z.mean())


def ti_hashes(chunks):
    used = []
    for chunk in chunks:
        for _, name in chunk["fixes"]:
            if name not in used:
                used.append(name)
    files = {"tinyneg": "tinyneg.pt", "oldstyle": "oldstyle.pt", "concept": "concept.bin",
             "tiny-style": os.path.join("styles", "tiny-style.safetensors")}
    return [f"{n}: " + hashlib.sha256(open(os.path.join(folder, files[n]), "rb").read())
            .hexdigest()[:12] for n in used]


filler = " ".join(["red"] * 73)
texts = [
    "a photo of tinyneg, cat",
    "(tinyneg:1.3) and tiny-style portrait",
    "concept, oldstyle blurry",
    "TinyNeg",
    filler + " tiny-style house",                     # does not fit: moves to chunk 2
    " ".join(["blue"] * 60) + ", " + " ".join(["green"] * 12) + " oldstyle sky",  # comma relocation
    "no embedding here",
    "",
]
tensors, meta = {}, {"texts": json.dumps(texts), "kept_channels": str(KEPT_CHANNELS)}
for i, text in enumerate(texts):
    chunks = tokenize_line(text)
    z = torch.cat([encode_chunk(c) for c in chunks], 1)
    tensors[f"context_{i}"] = z[0, :, :KEPT_CHANNELS].contiguous().float()
    tensors[f"ids_{i}"] = torch.tensor([c["tokens"] for c in chunks], dtype=torch.int32)
    meta[f"ti_hashes_{i}"] = ", ".join(ti_hashes(chunks))
write_safetensors(os.path.join(out_dir, "embedding_conditioning.safetensors"), tensors, meta)
print("checked", checked, "tokenizer cases; wrote", len(texts), "contexts")
