#!/usr/bin/python3
"""Independent NumPy re-implementation of FLAP-style structured pruning (METHODS.md §1-5).

Written from the spec, NOT from PruneSearch's code (nothing is imported from it). It exists to
check PruneSearch's numbers: dense ppl and 4 methods x {20%, 50%} on shared/models/stories260K.

PROTOCOL (fixed)
  tokenizer    sentencepiece, shared/models/stories260K/tokenizer.model; BOS id 1.
  calibration  text = shared/data/tinystories/train.txt read verbatim (UTF-8), ids = [BOS] + encode(text)
               (one BOS for the whole file, T = 100,703); 128 windows x 128 tokens, window w starts at
               random.randint(0, T-128-1) after CPython random.seed(0), drawn in order.
  statistics   inputs of o_proj (H*h channels) and down_proj (I channels) of the DENSE model, over all
               128*128 calibration tokens: mean mu, population variance F = E[x^2]-mu^2, mean square s.
  evaluation   shared/data/tinystories/valid.txt split at the '<|endoftext|>' marker, each story
               str.strip()ped, empty ones dropped, joined with "\\n\\n"; ids = [BOS] + encode(text);
               non-overlapping 128-token windows, the first 128 windows; each window scores positions
               1..127; ppl = exp(mean NLL over 128*127 tokens).
  numerics     forward, statistics, metrics, bias all in float64 (weights are the fp32 file values).

METHODS (unit: attention = whole KV group = its KV head + its g query heads; MLP = one channel)
  channel metrics on W = o_proj / down_proj weight [out, in], per input channel j:
    WIFV          F_j * sum_i W_ij^2          KV-group score = MEAN of its g*h channels
    Wanda-sp      mean_i |W_ij| * sqrt(s_j)   KV-group score = SUM  of its channels
    magnitude-sp  ||W[:, j]||_2               KV-group score = SUM  of its channels
  per layer and site (groups / channels) z-score with the unbiased std (all zeros when n<2 or std 0),
  then z-score that result once more (PruneSearch's "mixture" step; a no-op up to rounding).
  structures
    UL-UM  every layer removes floor(p*G + 1e-9) KV groups and floor(p*I + 1e-9) channels, the lowest
           scores (ties: lower index goes first), never all units of a block (at most n-1).
    AL-AM  costs from shapes: KV group h*d*(2g+2) (q rows + k,v rows + o cols), channel 3*d.
           total = sum of all unit costs; target kept = (1-p)*total. Every block first keeps its best
           unit (highest score; ties: highest index). The remaining units of all blocks are ranked by
           score descending (ties: layer asc, attention before MLP, unit index asc); walk the ranking:
           stop when kept >= target, or when keeping the next unit would land farther above the target
           than we are below it (kept + c - target > target - kept); otherwise keep it.
  compensation  FLAP: o_proj/down_proj get bias b = W[:, P] @ mu_P over the pruned input channels P
                (dense W); Wanda-sp / magnitude-sp: none.
  methods checked
    flap-wifv-alam  WIFV + AL-AM + bias         flap-wifv-ulum  WIFV + UL-UM + bias
    wanda-sp        Wanda-sp + UL-UM, no bias   magnitude-sp    magnitude-sp + UL-UM, no bias

Usage: /usr/bin/python3 flap_numpy.py [--shared DIR] [--out FILE] [--head-score group-then-z|z-then-mean|z-then-mean-sq]
  The default head score (z-then-mean) is METHODS.md §2 / FLAP, which PruneSearch follows (the check).
  The other two only rerun AL-AM, for reference (see README.md).
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import time

import numpy as np
import sentencepiece as spm

SEQ = 128
CAL_WINDOWS = 128
EVAL_WINDOWS = 128
SEED = 0
BOS = 1
RATIOS = (0.2, 0.5)
METHODS = [  # name, metric, structure, bias
    ("flap-wifv-alam", "wifv", "AL-AM", True),
    ("flap-wifv-ulum", "wifv", "UL-UM", True),
    ("wanda-sp", "wanda-sp", "UL-UM", False),
    ("magnitude-sp", "magnitude-sp", "UL-UM", False),
]


# ----------------------------------------------------------------------------- safetensors
def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        a, b = info["data_offsets"]
        arr = np.frombuffer(raw, dtype="<f4", count=(b - a) // 4, offset=base + a)
        out[name] = arr.reshape(info["shape"]).astype(np.float64)
    return out


class Model:
    def __init__(self, model_dir):
        with open(os.path.join(model_dir, "config.json")) as f:
            c = json.load(f)
        self.d = c["hidden_size"]
        self.L = c["num_hidden_layers"]
        self.H = c["num_attention_heads"]
        self.G = c["num_key_value_heads"]
        self.hd = c.get("head_dim") or self.d // self.H
        self.I = c["intermediate_size"]
        self.eps = c["rms_norm_eps"]
        self.theta = c.get("rope_theta", 10000.0)
        self.V = c["vocab_size"]
        t = load_safetensors(os.path.join(model_dir, "model.safetensors"))
        self.emb = t["model.embed_tokens.weight"]
        self.norm = t["model.norm.weight"]
        self.head = self.emb if c.get("tie_word_embeddings", False) else t["lm_head.weight"]
        self.layers = []
        for i in range(self.L):
            p = f"model.layers.{i}."
            self.layers.append(dict(
                ln1=t[p + "input_layernorm.weight"], ln2=t[p + "post_attention_layernorm.weight"],
                q=t[p + "self_attn.q_proj.weight"], k=t[p + "self_attn.k_proj.weight"],
                v=t[p + "self_attn.v_proj.weight"], o=t[p + "self_attn.o_proj.weight"], ob=None,
                gate=t[p + "mlp.gate_proj.weight"], up=t[p + "mlp.up_proj.weight"],
                down=t[p + "mlp.down_proj.weight"], db=None))


def rms(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope_tables(T, hd, theta):
    inv = theta ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)      # [hd/2]
    ang = np.arange(T, dtype=np.float64)[:, None] * inv[None, :]      # [T, hd/2]
    ang = np.concatenate([ang, ang], axis=1)                          # [T, hd]
    return np.cos(ang), np.sin(ang)


def rope(x, cos, sin):  # x [B, n, T, hd]; HF rotate_half
    half = x.shape[-1] // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], axis=-1)
    return x * cos + rot * sin


def silu(x):
    return x / (1.0 + np.exp(-x))


def forward(m, layers, ids, record=None):
    """ids [B, T] -> logits [B, T, V]. layers: list of dicts (possibly pruned; n heads from shapes).
    record(layer, 'attn'|'mlp', x) sees the o_proj / down_proj inputs."""
    B, T = ids.shape
    hd = m.hd
    cos, sin = rope_tables(T, hd, m.theta)
    mask = np.triu(np.full((T, T), -np.inf), k=1)
    x = m.emb[ids]                                                    # [B, T, d]
    for li, lw in enumerate(layers):
        h = rms(x, lw["ln1"], m.eps)
        nq = lw["q"].shape[0] // hd
        if nq > 0:
            nkv = lw["k"].shape[0] // hd
            g = nq // nkv
            q = (h @ lw["q"].T).reshape(B, T, nq, hd).transpose(0, 2, 1, 3)
            k = (h @ lw["k"].T).reshape(B, T, nkv, hd).transpose(0, 2, 1, 3)
            v = (h @ lw["v"].T).reshape(B, T, nkv, hd).transpose(0, 2, 1, 3)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            k = np.repeat(k, g, axis=1)                               # query head j uses KV head j // g
            v = np.repeat(v, g, axis=1)
            s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + mask
            s = s - s.max(axis=-1, keepdims=True)
            p = np.exp(s)
            p /= p.sum(axis=-1, keepdims=True)
            a = (p @ v).transpose(0, 2, 1, 3).reshape(B, T, nq * hd)
            if record:
                record(li, "attn", a)
            out = a @ lw["o"].T
        else:
            out = np.zeros_like(x)
        if lw["ob"] is not None:
            out = out + lw["ob"]
        x = x + out
        h = rms(x, lw["ln2"], m.eps)
        if lw["gate"].shape[0] > 0:
            a = silu(h @ lw["gate"].T) * (h @ lw["up"].T)
            if record:
                record(li, "mlp", a)
            out = a @ lw["down"].T
        else:
            out = np.zeros_like(x)
        if lw["db"] is not None:
            out = out + lw["db"]
        x = x + out
    x = rms(x, m.norm, m.eps)
    return x @ m.head.T


def nll_sum(m, layers, windows, batch=16):
    total, n = 0.0, 0
    for s in range(0, len(windows), batch):
        ids = windows[s:s + batch]
        logits = forward(m, layers, ids)[:, :-1, :]
        mx = logits.max(axis=-1, keepdims=True)
        lse = (mx[..., 0] + np.log(np.exp(logits - mx).sum(axis=-1)))
        tgt = ids[:, 1:]
        picked = np.take_along_axis(logits, tgt[..., None], axis=-1)[..., 0]
        total += float((lse - picked).sum())
        n += tgt.size
    return total, n


def ppl(m, layers, windows):
    s, n = nll_sum(m, layers, windows)
    return math.exp(s / n)


# ----------------------------------------------------------------------------- data
def py_strip_stories(text):
    return "\n\n".join(s.strip() for s in text.split("<|endoftext|>") if s.strip())


def calibration_windows(sp, shared):
    with open(os.path.join(shared, "data/tinystories/train.txt"), encoding="utf-8") as f:
        text = f.read()
    ids = [BOS] + sp.encode(text)
    T = len(ids)
    random.seed(SEED)
    offsets = [random.randint(0, T - SEQ - 1) for _ in range(CAL_WINDOWS)]
    return np.array([ids[o:o + SEQ] for o in offsets], dtype=np.int64), T, offsets


def eval_windows(sp, shared):
    with open(os.path.join(shared, "data/tinystories/valid.txt"), encoding="utf-8") as f:
        text = py_strip_stories(f.read())
    ids = [BOS] + sp.encode(text)
    n = min(EVAL_WINDOWS, len(ids) // SEQ)
    return np.array([ids[w * SEQ:(w + 1) * SEQ] for w in range(n)], dtype=np.int64), len(ids)


# ----------------------------------------------------------------------------- FLAP
def collect_stats(m, windows, batch=16):
    acc = [{"attn": [0.0, 0.0, 0], "mlp": [0.0, 0.0, 0]} for _ in range(m.L)]

    def record(li, site, a):
        a2 = a.reshape(-1, a.shape[-1])
        r = acc[li][site]
        r[0] = r[0] + a2.sum(axis=0)
        r[1] = r[1] + (a2 * a2).sum(axis=0)
        r[2] += a2.shape[0]

    for s in range(0, len(windows), batch):
        forward(m, m.layers, windows[s:s + batch], record)
    stats = []
    for li in range(m.L):
        layer = {}
        for site in ("attn", "mlp"):
            sx, sxx, n = acc[li][site]
            mu, ms = sx / n, sxx / n
            layer[site] = dict(mean=mu, var=np.maximum(ms - mu * mu, 0.0), msq=ms, n=n)
        stats.append(layer)
    return stats


def channel_scores(metric, W, st):
    if metric == "wifv":
        return st["var"] * (W * W).sum(axis=0)
    if metric == "wanda-sp":
        return np.abs(W).mean(axis=0) * np.sqrt(st["msq"])
    if metric == "magnitude-sp":
        return np.sqrt((W * W).sum(axis=0))
    raise ValueError(metric)


def zscore(v):
    v = np.asarray(v, dtype=np.float64)
    if v.size < 2:
        return np.zeros_like(v)
    sd = v.std(ddof=1)
    if not (sd > 0) or not np.isfinite(sd):
        return np.zeros_like(v)
    return (v - v.mean()) / sd


def unit_scores(m, metric, stats, head_score="z-then-mean"):
    """head_score: 'group-then-z' (earlier PruneSearch: reduce raw channel scores per KV group, z-score the G
    group scores, z-score again); 'z-then-mean' (METHODS §2 / FLAP prune.py: z-score the H*h channel
    scores of the layer, group score = mean of those z-scores, no further standardization);
    'z-then-mean-sq' (the same with FLAP's quirk of squaring attention channel scores first)."""
    g = m.H // m.G
    per = g * m.hd
    out = []
    for li, lw in enumerate(m.layers):
        ch = channel_scores(metric, lw["o"], stats[li]["attn"])
        mlp = channel_scores(metric, lw["down"], stats[li]["mlp"])
        if head_score == "group-then-z":
            grouped = ch.reshape(m.G, per)
            groups = grouped.sum(axis=1) if metric in ("wanda-sp", "magnitude-sp") else grouped.mean(axis=1)
            out.append((zscore(zscore(groups)), zscore(zscore(mlp))))
        else:
            if head_score == "z-then-mean-sq":
                ch = ch ** 2
            out.append((zscore(ch).reshape(m.G, per).mean(axis=1), zscore(mlp)))
    return out


def allocate(m, scores, structure, p):
    """Returns per layer (kept KV groups, kept channels), both sorted index arrays."""
    g = m.H // m.G
    cost_group = m.hd * m.d * (2 * g + 2)
    cost_ch = 3 * m.d
    blocks = []  # (layer, is_attn(0/1 order key), scores, cost)
    for li, (gs, cs) in enumerate(scores):
        blocks.append([li, 0, gs, cost_group, np.zeros(len(gs), bool)])
        blocks.append([li, 1, cs, cost_ch, np.zeros(len(cs), bool)])
    if structure == "UL-UM":
        for b in blocks:
            n = len(b[2])
            r = min(int(math.floor(p * n + 1e-9)), max(0, n - 1))
            order = sorted(range(n), key=lambda i: (b[2][i], i))
            b[4][:] = True
            b[4][order[:r]] = False
    elif structure == "AL-AM":
        total = sum(len(b[2]) * b[3] for b in blocks)
        target = (1 - p) * total
        kept = 0.0
        cands = []
        for bi, b in enumerate(blocks):
            n = len(b[2])
            best = sorted(range(n), key=lambda i: (b[2][i], i))[-1]
            b[4][best] = True
            kept += b[3]
            cands += [(bi, i) for i in range(n) if i != best]
        cands.sort(key=lambda c: (-blocks[c[0]][2][c[1]], blocks[c[0]][0], blocks[c[0]][1], c[1]))
        for bi, i in cands:
            c = blocks[bi][3]
            if kept >= target or kept + c - target > target - kept:
                break
            blocks[bi][4][i] = True
            kept += c
    else:
        raise ValueError(structure)
    plan = []
    for li in range(m.L):
        plan.append((np.flatnonzero(blocks[2 * li][4]), np.flatnonzero(blocks[2 * li + 1][4])))
    total = sum(len(b[2]) * b[3] for b in blocks)
    removed = sum((~b[4]).sum() * b[3] for b in blocks)
    return plan, removed / total


def prune(m, plan, stats, bias):
    g = m.H // m.G
    out = []
    for li, (kg, kc) in enumerate(plan):
        lw = m.layers[li]
        qheads = np.array([k * g + j for k in kg for j in range(g)], dtype=np.int64)
        qrows = np.array([q * m.hd + j for q in qheads for j in range(m.hd)], dtype=np.int64)
        kvrows = np.array([k * m.hd + j for k in kg for j in range(m.hd)], dtype=np.int64)
        pa = np.setdiff1d(np.arange(m.H * m.hd), qrows)
        pm = np.setdiff1d(np.arange(m.I), kc)
        ob = lw["o"][:, pa] @ stats[li]["attn"]["mean"][pa] if bias and pa.size else None
        db = lw["down"][:, pm] @ stats[li]["mlp"]["mean"][pm] if bias and pm.size else None
        out.append(dict(ln1=lw["ln1"], ln2=lw["ln2"],
                        q=lw["q"][qrows], k=lw["k"][kvrows], v=lw["v"][kvrows], o=lw["o"][:, qrows], ob=ob,
                        gate=lw["gate"][kc], up=lw["up"][kc], down=lw["down"][:, kc], db=db))
    return out


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--shared", default=os.path.normpath(os.path.join(here, "../../../shared")))
    ap.add_argument("--out", default=None)
    ap.add_argument("--head-score", default="z-then-mean", choices=["group-then-z", "z-then-mean", "z-then-mean-sq"],
                    help="how a KV group's score is formed (see unit_scores); the default is PruneSearch's")
    a = ap.parse_args()
    if a.out is None:
        suffix = "" if a.head_score == "z-then-mean" else "_" + a.head_score
        a.out = os.path.join(here, f"results_numpy{suffix}.json")
    methods = METHODS if a.head_score == "z-then-mean" else [x for x in METHODS if x[2] == "AL-AM"]
    t0 = time.time()
    model_dir = os.path.join(a.shared, "models/stories260K")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "tokenizer.model"))
    m = Model(model_dir)
    cal, cal_T, offsets = calibration_windows(sp, a.shared)
    ev, ev_T = eval_windows(sp, a.shared)
    res = {"implementation": "numpy-float64", "head_score": a.head_score, "protocol": {
        "calibration": {"file": "tinystories/train.txt", "tokens_with_bos": cal_T, "windows": CAL_WINDOWS,
                        "seqlen": SEQ, "seed": SEED, "first_offsets": offsets[:5]},
        "evaluation": {"file": "tinystories/valid.txt (stories joined)", "tokens_with_bos": ev_T,
                       "windows": int(len(ev)), "seqlen": SEQ, "scored": int(len(ev) * (SEQ - 1))}},
        "dense": ppl(m, m.layers, ev), "results": {}}
    print(f"dense ppl {res['dense']:.6f}  (cal T={cal_T}, eval T={ev_T})", file=sys.stderr)
    stats = collect_stats(m, cal)
    for name, metric, structure, bias in methods:
        scores = unit_scores(m, metric, stats, a.head_score)
        for p in RATIOS:
            plan, achieved = allocate(m, scores, structure, p)
            layers = prune(m, plan, stats, bias)
            v = ppl(m, layers, ev)
            key = f"{name}@{int(round(p * 100))}"
            res["results"][key] = {"ppl": v, "achieved": achieved,
                                   "kept": [[int(len(g)), int(len(c))] for g, c in plan],
                                   "kept_groups": [g.tolist() for g, _ in plan],
                                   "kept_channels": [c.tolist() for _, c in plan]}
            print(f"{key:22s} ppl {v:.6f} achieved {achieved:.4f} kept {res['results'][key]['kept']}", file=sys.stderr)
    res["seconds"] = time.time() - t0
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v["ppl"] for k, v in res["results"].items()} | {"dense": res["dense"]}, indent=1))


if __name__ == "__main__":
    main()
