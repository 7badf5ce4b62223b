#!/usr/bin/env python3
"""Convert a CTranslate2 (faster-whisper) Whisper model to a whisper.cpp ggml file.

Offline, dependency-light (python3 + numpy). Output is byte-compatible with what
whisper.cpp's ``models/convert-pt-to-ggml.py`` writes from an OpenAI ``.pt``
checkpoint:

    int32 magic 0x67676d6c ("ggml")
    int32 hparams: n_vocab, n_audio_ctx, n_audio_state, n_audio_head,
                   n_audio_layer, n_text_ctx, n_text_state, n_text_head,
                   n_text_layer, n_mels, ftype (0 = f32, 1 = f16)
    mel filters:   int32 n_mel, int32 n_fft, float32[n_mel * n_fft]
    vocabulary:    int32 count, then per token (id order): int32 len, bytes
                   (only the BPE tokens from <whisper>/assets/*.tiktoken;
                   whisper.cpp synthesises the special/timestamp tokens)
    tensors:       int32 n_dims, int32 name_len, int32 ftype,
                   int32 dims[n_dims] (reversed, i.e. ggml ne[] order),
                   name bytes, raw data (little endian)

CTranslate2 ``model.bin`` layout (ctranslate2/specs/model_spec.py, _serialize):

    uint32 binary_version (6), string spec_name, uint32 spec_revision,
    uint32 n_variables, then per variable:
        string name, uint8 rank, uint32 dims[rank], uint8 dtype,
        uint32 n_bytes, bytes data
    uint32 n_aliases, then per alias: string alias, string target
    string = uint16 length (incl. trailing NUL) + utf-8 bytes + NUL
    dtype  = 0 float32, 1 int8, 2 int16, 3 int32, 4 float16, 5 bfloat16

CTranslate2 fuses the attention projections (self-attention: q|k|v stacked on
the output axis; cross-attention: q separately, k|v stacked). Whisper's key
projection has no bias, so CTranslate2 stores zeros there; we split the fused
tensors back and drop the key bias (after checking it really is zero).

Usage:
    convert_ct2_to_ggml.py --model-dir DIR --whisper-assets DIR --out ggml-tiny.en.bin
"""

import argparse
import base64
import json
import re
import struct
import sys
from pathlib import Path

import numpy as np

GGML_MAGIC = 0x67676D6C
CT2_BINARY_VERSION_MIN = 5  # versions 5/6 share the layout parsed below
CT2_DTYPES = {
    0: np.dtype("<f4"),
    1: np.dtype("i1"),
    2: np.dtype("<i2"),
    3: np.dtype("<i4"),
    4: np.dtype("<f2"),
    5: np.dtype("<u2"),  # bfloat16: raw bits, widened to float32 below
}
N_TIMESTAMP_TOKENS = 1501  # <|0.00|> .. <|30.00|>, always the last tokens


class ConversionError(Exception):
    """Unexpected input; reported as a one-line error by main()."""


def fail(msg):
    raise ConversionError(msg)


# --------------------------------------------------------------------------
# CTranslate2 model.bin reader
# --------------------------------------------------------------------------


class _Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def unpack(self, fmt):
        try:
            vals = struct.unpack_from("<" + fmt, self.data, self.pos)
        except struct.error:
            fail("model.bin is truncated at offset %d" % self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals[0] if len(vals) == 1 else vals

    def string(self):
        n = self.unpack("H")
        raw = self.data[self.pos:self.pos + n]
        if len(raw) != n or n == 0 or raw[-1] != 0:
            fail("model.bin: malformed string at offset %d" % self.pos)
        self.pos += n
        return bytes(raw[:-1]).decode("utf-8")

    def blob(self, n):
        if self.pos + n > len(self.data):
            fail("model.bin is truncated (variable data past end of file)")
        view = self.data[self.pos:self.pos + n]
        self.pos += n
        return view


def read_ct2_model(path):
    """Return (spec_name, revision, {name: ndarray}, {alias: target})."""
    data = memoryview(Path(path).read_bytes())
    r = _Reader(data)
    version = r.unpack("I")
    if not CT2_BINARY_VERSION_MIN <= version <= 6:
        fail("%s: unsupported CTranslate2 binary version %d (expected 5 or 6)" % (path, version))
    spec = r.string()
    revision = r.unpack("I")
    variables = {}
    for _ in range(r.unpack("I")):
        name = r.string()
        rank = r.unpack("B")
        shape = tuple(r.unpack("I") for _ in range(rank))
        dtype_id = r.unpack("B")
        nbytes = r.unpack("I")
        if dtype_id not in CT2_DTYPES:
            fail("%s: variable %s has unknown dtype id %d" % (path, name, dtype_id))
        dtype = CT2_DTYPES[dtype_id]
        count = int(np.prod(shape, dtype=np.int64))
        if count * dtype.itemsize != nbytes:
            fail("%s: variable %s: %d bytes do not match shape %s" % (path, name, nbytes, shape))
        arr = np.frombuffer(r.blob(nbytes), dtype=dtype).reshape(shape)
        if dtype_id == 5:  # bfloat16 -> float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        variables[name] = arr
    aliases = {}
    for _ in range(r.unpack("I")):
        alias = r.string()
        aliases[alias] = r.string()
    if r.pos != len(data):
        fail("%s: %d trailing bytes after the alias table" % (path, len(data) - r.pos))
    return spec, revision, variables, aliases


class Ct2Weights:
    """Access to float weights by CTranslate2 name; tracks what was consumed."""

    def __init__(self, variables, aliases):
        self.vars = variables
        self.aliases = aliases
        self.used = set()

    def has(self, name):
        return name in self.vars or name in self.aliases

    def scalar(self, name):
        if name not in self.vars or self.vars[name].ndim != 0:
            fail("model.bin: expected scalar variable %s" % name)
        self.used.add(name)
        return self.vars[name].item()

    def get(self, name):
        """Float32 copy of a weight, de-quantising int8/int16 if needed."""
        name = self.aliases.get(name, name)
        if name not in self.vars:
            fail("model.bin: missing variable %s" % name)
        self.used.add(name)
        arr = self.vars[name]
        scale_name = name + "_scale"
        if arr.dtype in (np.int8, np.int16):
            if scale_name not in self.vars:
                fail("model.bin: quantised %s has no %s" % (name, scale_name))
            self.used.add(scale_name)
            scale = self.vars[scale_name].astype(np.float32)
            # CT2 stores round(w * scale); int8 scale is per output row.
            flat = arr.reshape(arr.shape[0], -1).astype(np.float32)
            flat /= scale.reshape(-1, 1) if scale.ndim else scale
            return flat.reshape(arr.shape)
        if arr.dtype.kind != "f":
            fail("model.bin: variable %s has non-float dtype %s" % (name, arr.dtype))
        return arr.astype(np.float32)

    def unused_tensors(self):
        return sorted(n for n, a in self.vars.items() if a.ndim > 0 and n not in self.used)


# --------------------------------------------------------------------------
# CT2 -> OpenAI Whisper tensor mapping
# --------------------------------------------------------------------------


def _split(arr, parts, what):
    if arr.shape[0] % parts:
        fail("%s: leading dim %d not divisible by %d" % (what, arr.shape[0], parts))
    return np.split(arr, parts, axis=0)


def _attention(w, src, dst, fused, out):
    """Unfuse one CT2 attention block into OpenAI's query/key/value/out.

    fused="qkv": linear_0 = [q; k; v], linear_1 = out   (self-attention)
    fused="kv":  linear_0 = q, linear_1 = [k; v], linear_2 = out (cross-attn)
    """
    if fused == "qkv":
        qw, kw, vw = _split(w.get(src + "/linear_0/weight"), 3, src)
        qb, kb, vb = _split(w.get(src + "/linear_0/bias"), 3, src)
        out_idx = 1
    else:
        qw, qb = w.get(src + "/linear_0/weight"), w.get(src + "/linear_0/bias")
        kw, vw = _split(w.get(src + "/linear_1/weight"), 2, src)
        kb, vb = _split(w.get(src + "/linear_1/bias"), 2, src)
        out_idx = 2
    if np.any(kb != 0):
        fail("%s: key bias is not zero; this is not a Whisper model" % src)
    out[dst + ".query.weight"] = qw
    out[dst + ".query.bias"] = qb
    out[dst + ".key.weight"] = kw  # Whisper's key projection has no bias
    out[dst + ".value.weight"] = vw
    out[dst + ".value.bias"] = vb
    out[dst + ".out.weight"] = w.get("%s/linear_%d/weight" % (src, out_idx))
    out[dst + ".out.bias"] = w.get("%s/linear_%d/bias" % (src, out_idx))


def _layer_norm(w, src, dst, out):
    out[dst + ".weight"] = w.get(src + "/gamma")
    out[dst + ".bias"] = w.get(src + "/beta")


def _linear(w, src, dst, out):
    out[dst + ".weight"] = w.get(src + "/weight")
    out[dst + ".bias"] = w.get(src + "/bias")


def _count_layers(variables, prefix):
    ids = {int(m.group(1)) for n in variables for m in [re.match(prefix + r"/layer_(\d+)/", n)] if m}
    if not ids or ids != set(range(len(ids))):
        fail("model.bin: cannot find contiguous %s/layer_N variables" % prefix)
    return len(ids)


def convert_tensors(variables, aliases):
    """Return (hparams dict, ordered {openai_name: float32 array})."""
    w = Ct2Weights(variables, aliases)
    n_enc = _count_layers(variables, "encoder")
    n_dec = _count_layers(variables, "decoder")
    if w.has("decoder/scale_embeddings") and w.scalar("decoder/scale_embeddings"):
        fail("model.bin: decoder/scale_embeddings is set; Whisper does not scale embeddings")

    t = {}
    t["encoder.positional_embedding"] = w.get("encoder/position_encodings/encodings")
    _linear(w, "encoder/conv1", "encoder.conv1", t)
    _linear(w, "encoder/conv2", "encoder.conv2", t)
    for i in range(n_enc):
        s, d = "encoder/layer_%d" % i, "encoder.blocks.%d" % i
        _attention(w, s + "/self_attention", d + ".attn", "qkv", t)
        _layer_norm(w, s + "/self_attention/layer_norm", d + ".attn_ln", t)
        _linear(w, s + "/ffn/linear_0", d + ".mlp.0", t)
        _linear(w, s + "/ffn/linear_1", d + ".mlp.2", t)
        _layer_norm(w, s + "/ffn/layer_norm", d + ".mlp_ln", t)
    _layer_norm(w, "encoder/layer_norm", "encoder.ln_post", t)

    t["decoder.token_embedding.weight"] = w.get("decoder/embeddings/weight")
    t["decoder.positional_embedding"] = w.get("decoder/position_encodings/encodings")
    for i in range(n_dec):
        s, d = "decoder/layer_%d" % i, "decoder.blocks.%d" % i
        _attention(w, s + "/self_attention", d + ".attn", "qkv", t)
        _layer_norm(w, s + "/self_attention/layer_norm", d + ".attn_ln", t)
        _attention(w, s + "/attention", d + ".cross_attn", "kv", t)
        _layer_norm(w, s + "/attention/layer_norm", d + ".cross_attn_ln", t)
        _linear(w, s + "/ffn/linear_0", d + ".mlp.0", t)
        _linear(w, s + "/ffn/linear_1", d + ".mlp.2", t)
        _layer_norm(w, s + "/ffn/layer_norm", d + ".mlp_ln", t)
    _layer_norm(w, "decoder/layer_norm", "decoder.ln", t)

    # Whisper ties the output projection to the token embedding; whisper.cpp
    # has no separate projection tensor, so an untied one cannot be represented.
    if "decoder/projection/weight" in variables:
        proj = w.get("decoder/projection/weight")
        if not np.array_equal(proj, t["decoder.token_embedding.weight"]):
            fail("model.bin: decoder projection is not tied to the token embedding")
    if w.has("decoder/projection/bias"):
        fail("model.bin: decoder projection has a bias; not supported by whisper.cpp")

    leftover = w.unused_tensors()
    if leftover:
        fail("model.bin: unexpected tensors not mapped to Whisper: %s" % ", ".join(leftover[:8]))

    conv1 = t["encoder.conv1.weight"]
    if conv1.ndim != 3 or conv1.shape[2] != 3:
        fail("encoder conv1 weight has shape %s, expected (state, n_mels, 3)" % (conv1.shape,))
    h = {
        "n_vocab": t["decoder.token_embedding.weight"].shape[0],
        "n_audio_ctx": t["encoder.positional_embedding"].shape[0],
        "n_audio_state": t["encoder.positional_embedding"].shape[1],
        "n_audio_head": int(w.scalar("encoder/num_heads")),
        "n_audio_layer": n_enc,
        "n_text_ctx": t["decoder.positional_embedding"].shape[0],
        "n_text_state": t["decoder.positional_embedding"].shape[1],
        "n_text_head": int(w.scalar("decoder/num_heads")),
        "n_text_layer": n_dec,
        "n_mels": conv1.shape[1],
    }
    if h["n_audio_state"] != h["n_text_state"]:
        fail("audio and text state sizes differ (%d vs %d)" % (h["n_audio_state"], h["n_text_state"]))
    if conv1.shape[0] != h["n_audio_state"] or h["n_audio_state"] % h["n_audio_head"]:
        fail("inconsistent encoder dimensions: conv1 %s, heads %d" % (conv1.shape, h["n_audio_head"]))
    return h, t


# --------------------------------------------------------------------------
# Tokenizer / mel filters
# --------------------------------------------------------------------------


def bytes_to_unicode():
    """GPT-2 byte <-> unicode table (same as convert-pt-to-ggml.py / HF)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def load_tiktoken(path):
    """BPE tokens from a whisper *.tiktoken file, as a list indexed by token id."""
    pairs = []
    for line in Path(path).read_bytes().splitlines():
        if line:
            tok, rank = line.split()
            pairs.append((int(rank), base64.b64decode(tok)))
    pairs.sort()
    if [r for r, _ in pairs] != list(range(len(pairs))):
        fail("%s: token ranks are not contiguous 0..N-1" % path)
    return [b for _, b in pairs]


def load_ct2_vocabulary(model_dir):
    """Token strings of the CT2 model (vocabulary.json or vocabulary.txt)."""
    js, txt = model_dir / "vocabulary.json", model_dir / "vocabulary.txt"
    if js.is_file():
        return json.loads(js.read_text(encoding="utf-8"))
    if txt.is_file():
        # One token per line. Split on "\n" only: str.splitlines() would also
        # split on characters such as U+2028 that may appear inside tokens.
        toks = txt.read_text(encoding="utf-8").split("\n")
        if toks and toks[-1] == "":
            toks.pop()
        return toks
    fail("%s: no vocabulary.json or vocabulary.txt" % model_dir)


def check_vocabulary(ct2_vocab, bpe_tokens, n_vocab):
    """Ensure the CT2 model's vocabulary is the tokenizer we write to ggml."""
    if len(ct2_vocab) != n_vocab:
        fail("CT2 vocabulary has %d tokens but the embedding has %d rows" % (len(ct2_vocab), n_vocab))
    byte_decoder = {c: b for b, c in bytes_to_unicode().items()}
    for i, bpe in enumerate(bpe_tokens):
        try:
            got = bytes(byte_decoder[c] for c in ct2_vocab[i])
        except KeyError:
            fail("CT2 token %d (%r) is not a GPT-2 byte-level token" % (i, ct2_vocab[i]))
        if got != bpe:
            fail("vocabulary mismatch at token %d: CT2 %r vs tiktoken %r" % (i, got, bpe))
    # Special tokens must sit where whisper.cpp expects them.
    n = len(bpe_tokens)
    beg = n_vocab - N_TIMESTAMP_TOKENS
    expect = {n: "<|endoftext|>", n + 1: "<|startoftranscript|>",
              beg - 1: "<|notimestamps|>", beg: "<|0.00|>", n_vocab - 1: "<|30.00|>"}
    for idx, tok in expect.items():
        if ct2_vocab[idx] != tok:
            fail("CT2 vocabulary: token %d is %r, expected %r" % (idx, ct2_vocab[idx], tok))


def load_mel_filters(assets, n_mels):
    path = assets / "mel_filters.npz"
    with np.load(path) as f:
        key = "mel_%d" % n_mels
        if key not in f.files:
            fail("%s has no %s (has %s)" % (path, key, ", ".join(f.files)))
        return f[key].astype(np.float32)


# --------------------------------------------------------------------------
# ggml writer
# --------------------------------------------------------------------------

# Tensors whisper.cpp allocates as F32 even in an f16 model (besides all 1-D).
F32_TENSORS = {"encoder.conv1.bias", "encoder.conv2.bias",
               "encoder.positional_embedding", "decoder.positional_embedding"}


def write_ggml(path, hparams, filters, bpe_tokens, tensors, use_f16):
    tmp = path.with_name(path.name + ".tmp")
    try:
        _write_ggml(tmp, hparams, filters, bpe_tokens, tensors, use_f16)
        tmp.replace(path)  # atomic: never leave a half-written model behind
    finally:
        tmp.unlink(missing_ok=True)


def _write_ggml(tmp, hparams, filters, bpe_tokens, tensors, use_f16):
    with open(tmp, "wb") as out:
        out.write(struct.pack("<i", GGML_MAGIC))
        for key in ("n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer",
                    "n_text_ctx", "n_text_state", "n_text_head", "n_text_layer", "n_mels"):
            out.write(struct.pack("<i", hparams[key]))
        out.write(struct.pack("<i", 1 if use_f16 else 0))

        out.write(struct.pack("<ii", *filters.shape))
        out.write(np.ascontiguousarray(filters, dtype="<f4").tobytes())

        out.write(struct.pack("<i", len(bpe_tokens)))
        for tok in bpe_tokens:
            out.write(struct.pack("<i", len(tok)))
            out.write(tok)

        for name, data in tensors.items():
            if name in ("encoder.conv1.bias", "encoder.conv2.bias"):
                data = data.reshape(data.shape[0], 1)  # ggml expects [1, n_state]
            f16 = use_f16 and data.ndim >= 2 and name not in F32_TENSORS
            data = np.ascontiguousarray(data, dtype="<f2" if f16 else "<f4")
            raw_name = name.encode("utf-8")
            out.write(struct.pack("<iii", data.ndim, len(raw_name), 1 if f16 else 0))
            out.write(struct.pack("<%di" % data.ndim, *reversed(data.shape)))
            out.write(raw_name)
            out.write(data.tobytes())


# --------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Convert a CTranslate2 (faster-whisper) Whisper model to whisper.cpp ggml.")
    ap.add_argument("--model-dir", required=True, type=Path,
                    help="CT2 model folder (model.bin, config.json, vocabulary.{txt,json})")
    ap.add_argument("--whisper-assets", required=True, type=Path,
                    help="openai-whisper's whisper/assets folder (mel_filters.npz, *.tiktoken)")
    ap.add_argument("--out", required=True, type=Path, help="output ggml .bin path")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)

    try:
        model_bin = args.model_dir / "model.bin"
        if not model_bin.is_file():
            fail("%s not found" % model_bin)
        spec, revision, variables, aliases = read_ct2_model(model_bin)
        if spec != "WhisperSpec":
            fail("%s holds a %s model, not WhisperSpec" % (model_bin, spec))
        hparams, tensors = convert_tensors(variables, aliases)

        multilingual = hparams["n_vocab"] >= 51865  # same rule as whisper.cpp
        tiktoken = args.whisper_assets / ("multilingual.tiktoken" if multilingual else "gpt2.tiktoken")
        if not tiktoken.is_file():
            fail("%s not found (is --whisper-assets the whisper/assets folder?)" % tiktoken)
        bpe_tokens = load_tiktoken(tiktoken)
        check_vocabulary(load_ct2_vocabulary(args.model_dir), bpe_tokens, hparams["n_vocab"])
        filters = load_mel_filters(args.whisper_assets, hparams["n_mels"])

        args.out.parent.mkdir(parents=True, exist_ok=True)
        # Always f16 (ftype 1), like convert-pt-to-ggml.py's default. An all-f32
        # file (ftype 0) loads but aborts in whisper.cpp 1.8.3's encoder conv
        # (ggml im2col asserts an F16 kernel), so it is deliberately not offered.
        write_ggml(args.out, hparams, filters, bpe_tokens, tensors, use_f16=True)
    except ConversionError as e:
        print("convert_ct2_to_ggml: error: %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("convert_ct2_to_ggml: error: %s" % e, file=sys.stderr)
        return 1

    if not args.quiet:
        print("CT2 %s rev %d -> %s" % (spec, revision, args.out))
        print("hparams: " + ", ".join("%s=%d" % kv for kv in hparams.items()))
        print("%d tensors, %d BPE tokens, mel filters %dx%d, %.1f MB"
              % (len(tensors), len(bpe_tokens), filters.shape[0], filters.shape[1],
                 args.out.stat().st_size / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
