#!/usr/bin/python3
"""Independent NumPy re-implementation of FLAP-style structured pruning (METHODS.md §1-5).

Written from the spec and FLAP's code (CASIA-IVA-Lab/FLAP lib/prune.py, lib/layerwrapper.py), NOT from
PruneSearch's code (nothing is imported from it). It exists to check PruneSearch's numbers: dense ppl and
7 methods x {20%, 50%} on shared/models/stories260K, FLAP's published rules.

PROTOCOL (fixed)
  tokenizer    sentencepiece, shared/models/stories260K/tokenizer.model; BOS id 1.
  calibration  text = shared/data/tinystories/train.txt read verbatim (UTF-8), ids = [BOS] + encode(text)
               (one BOS for the whole file, T = 100,703); 128 windows x 128 tokens, window w starts at
               random.randint(0, T-128-1) after CPython random.seed(0), drawn in order.
  statistics   inputs of o_proj (H*h channels) and down_proj (I channels) of the DENSE model, over all
               128*128 calibration tokens. --stats pooled (default): mean mu, population variance
               F = E[x^2]-mu^2, mean square s. --stats flap-exact: FLAP's lib/layerwrapper.py BiasGPT.add_batch
               run token by token, one window per call in calibration order: mu running mean, F = 0 after
               the first window then F*(n-1)/n + sum_t (x_t - mu_new)^2/(n+1) (the mean already updated),
               s running mean of per-window sum_t x^2, and the bias uses mu rounded float32 -> float16.
  evaluation   shared/data/tinystories/valid.txt split at the '<|endoftext|>' marker, each story
               str.strip()ped, empty ones dropped, joined with "\\n\\n"; ids = [BOS] + encode(text);
               non-overlapping 128-token windows, the first 128 windows; each window scores positions
               1..127; ppl = exp(mean NLL over 128*127 tokens).
  numerics     forward, statistics, metrics, bias all in float64 (weights are the fp32 file values).

METHODS, written from FLAP's lib/prune.py (prune_flap, prune_wanda_sp, prune_magnitude_sp), generalized to
GQA by taking the KV group (its KV head + its g query heads, o_proj input channels [k*g*h, (k+1)*g*h)) as
FLAP's "head" (FLAP hard-codes 128-wide heads and MHA).
  channel metrics on W = o_proj / down_proj weight [out, in], per input channel j:
    IFV   F_j        WIFV  F_j * sum_i W_ij^2        WIFN  mean_i |W_ij| * sqrt(s_j)
    Wanda-sp      mean_i |W_ij| * sqrt(s_j)        magnitude-sp  ||W[:, j]||_2
  FLAP metrics (IFV, WIFV, WIFN) are SQUARED on o_proj (never on down_proj); Wanda-sp / magnitude-sp are not.
  UL-UM  (FLAP metrics; and Wanda-sp, magnitude-sp always) per layer, no standardization:
         group score = SUM of its (squared, for FLAP metrics) channel scores; MLP channel = its score.
         k = int(p*n) (Python int of the float product), tau = ascending-sorted scores[k], keep score >= tau.
  AL-AM  attention: per layer, z-score the H*h squared channel scores (unbiased std), group score = MEAN of
         its channels' z-scores; MLP: per layer z-score of the I channel scores. All units of all layers:
         [attention of layers 0..L-1, MLP of layers 0..L-1], stable sort by score descending; costs from
         shapes, KV group h*d*(2g+2) (q rows, k/v rows, o cols), channel 3*d (FLAP: 512/3 vs 1 at h = 128);
         k = first argmin |cumsum(cost) - (1-p)*sum(cost)|, tau = sorted score[k], keep score > tau.
         Guard (PruneSearch's, not FLAP's): a block left without units keeps its best one; reported if used.
  compensation  FLAP: o_proj/down_proj get bias b = W[:, P] @ mu_P over the pruned input channels P
                (dense W); Wanda-sp / magnitude-sp and "-nobias": none.
  methods checked (name: metric, structure, bias)
    flap-wifv-alam, flap-ifv-alam, flap-wifn-alam   WIFV/IFV/WIFN + AL-AM + bias
    flap-wifv-alam-nobias                           WIFV + AL-AM, no bias
    flap-wifv-ulum                                  WIFV + UL-UM + bias
    wanda-sp, magnitude-sp                          Wanda-sp / magnitude-sp + UL-UM, no bias

Usage: /usr/bin/python3 flap_numpy.py [--shared DIR] [--out FILE] [--stats pooled|flap-exact]
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
    ("flap-ifv-alam", "ifv", "AL-AM", True),
    ("flap-wifn-alam", "wifn", "AL-AM", True),
    ("flap-wifv-alam-nobias", "wifv", "AL-AM", False),
]
FLAP_METRICS = ("ifv", "wifv", "wifn")


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
def collect_stats(m, windows, mode="pooled", batch=16):
    """Per layer and site: mean (what the bias uses), var (F), msq (s)."""
    if mode == "flap-exact":
        return collect_stats_flap(m, windows)
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


def collect_stats_flap(m, windows):
    """FLAP's BiasGPT.add_batch, one calibration window per call, in calibration order."""
    acc = [{site: dict(n=0, mu=0.0, F=0.0, s=0.0) for site in ("attn", "mlp")} for _ in range(m.L)]

    def record(li, site, a):
        r = acc[li][site]
        x = a.reshape(-1, a.shape[-1])                               # one window: [T, C]
        n = r["n"]
        r["mu"] = r["mu"] * (n / (n + 1)) + x.mean(axis=0) / (n + 1)
        if n == 0:
            r["F"] = 0.0
        else:
            dev = x - r["mu"]                                         # the mean after this window's update
            r["F"] = r["F"] * ((n - 1) / n) + (dev * dev).sum(axis=0) / (n + 1)
        r["s"] = r["s"] * (n / (n + 1)) + (x * x).sum(axis=0) / (n + 1)
        r["n"] = n + 1

    for w in range(len(windows)):
        forward(m, m.layers, windows[w:w + 1], record)
    stats = []
    for li in range(m.L):
        layer = {}
        for site in ("attn", "mlp"):
            r = acc[li][site]
            mu16 = r["mu"].astype(np.float32).astype(np.float16).astype(np.float64)
            layer[site] = dict(mean=mu16, var=r["F"], msq=r["s"], n=r["n"])
        stats.append(layer)
    return stats


def channel_scores(metric, W, st):
    if metric == "ifv":
        return st["var"].copy()
    if metric == "wifv":
        return st["var"] * (W * W).sum(axis=0)
    if metric in ("wifn", "wanda-sp"):
        return np.abs(W).mean(axis=0) * np.sqrt(st["msq"])
    if metric == "magnitude-sp":
        return np.sqrt((W * W).sum(axis=0))
    raise ValueError(metric)


def standardize(v):
    """FLAP's standarlization of one layer's row: (x - mean) / unbiased std."""
    v = np.asarray(v, dtype=np.float64)
    return (v - v.mean()) / v.std(ddof=1)


def attention_channels(m, metric, lw, st):
    ch = channel_scores(metric, lw["o"], st)
    return ch ** 2 if metric in FLAP_METRICS else ch


def allocate(m, metric, stats, structure, p):
    """Returns per layer (kept KV groups, kept channels) as sorted index arrays, the achieved ratio and
    whether the never-empty guard changed anything."""
    g = m.H // m.G
    per = g * m.hd
    cost_group = m.hd * m.d * (2 * g + 2)
    cost_ch = 3 * m.d
    attn_raw = [attention_channels(m, metric, lw, stats[li]["attn"]) for li, lw in enumerate(m.layers)]
    mlp_raw = [channel_scores(metric, lw["down"], stats[li]["mlp"]) for li, lw in enumerate(m.layers)]
    guard = False
    if structure == "UL-UM":
        keep_g, keep_c = [], []
        for li in range(m.L):
            heads = attn_raw[li].reshape(m.G, per).sum(axis=1)
            keep_g.append(heads >= np.sort(heads)[int(p * m.G)])
            keep_c.append(mlp_raw[li] >= np.sort(mlp_raw[li])[int(m.I * p)])
    elif structure == "AL-AM":
        attn = np.stack([standardize(a) for a in attn_raw]).reshape(m.L, m.G, per).mean(axis=2)   # [L, G]
        mlp = np.stack([standardize(c) for c in mlp_raw])                                         # [L, I]
        metric_all = np.concatenate([attn.ravel(), mlp.ravel()])
        weight = np.concatenate([np.full(attn.size, cost_group), np.full(mlp.size, cost_ch)]).astype(np.int64)
        order = np.argsort(-metric_all, kind="stable")
        cum = np.cumsum(weight[order])
        tau = metric_all[order][np.argmin(np.abs(cum - weight.sum() * (1 - p)))]
        keep_g, keep_c = list(attn > tau), list(mlp > tau)
        for blocks, scores in ((keep_g, attn), (keep_c, mlp)):
            for li in range(m.L):
                if not blocks[li].any():
                    best = max(range(len(scores[li])), key=lambda i: (scores[li][i], i))
                    blocks[li] = blocks[li].copy()
                    blocks[li][best] = True
                    guard = True
    else:
        raise ValueError(structure)
    plan = [(np.flatnonzero(kg), np.flatnonzero(kc)) for kg, kc in zip(keep_g, keep_c)]
    total = m.L * (m.G * cost_group + m.I * cost_ch)
    removed = sum((m.G - len(kg)) * cost_group + (m.I - len(kc)) * cost_ch for kg, kc in plan)
    return plan, removed / total, guard


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
    ap.add_argument("--stats", default="pooled", choices=["pooled", "flap-exact"],
                    help="calibration statistics: pooled moments (default) or FLAP's running update")
    a = ap.parse_args()
    if a.out is None:
        suffix = "" if a.stats == "pooled" else "_" + a.stats
        a.out = os.path.join(here, f"results_numpy{suffix}.json")
    t0 = time.time()
    model_dir = os.path.join(a.shared, "models/stories260K")
    sp = spm.SentencePieceProcessor(model_file=os.path.join(model_dir, "tokenizer.model"))
    m = Model(model_dir)
    cal, cal_T, offsets = calibration_windows(sp, a.shared)
    ev, ev_T = eval_windows(sp, a.shared)
    res = {"implementation": "numpy-float64", "stats": a.stats, "protocol": {
        "calibration": {"file": "tinystories/train.txt", "tokens_with_bos": cal_T, "windows": CAL_WINDOWS,
                        "seqlen": SEQ, "seed": SEED, "first_offsets": offsets[:5]},
        "evaluation": {"file": "tinystories/valid.txt (stories joined)", "tokens_with_bos": ev_T,
                       "windows": int(len(ev)), "seqlen": SEQ, "scored": int(len(ev) * (SEQ - 1))}},
        "dense": ppl(m, m.layers, ev), "results": {}}
    print(f"dense ppl {res['dense']:.6f}  (cal T={cal_T}, eval T={ev_T})", file=sys.stderr)
    stats = collect_stats(m, cal, a.stats)
    for name, metric, structure, bias in METHODS:
        for p in RATIOS:
            plan, achieved, guard = allocate(m, metric, stats, structure, p)
            layers = prune(m, plan, stats, bias)
            v = ppl(m, layers, ev)
            key = f"{name}@{int(round(p * 100))}"
            res["results"][key] = {"ppl": v, "achieved": achieved, "guard": guard,
                                   "kept": [[int(len(g)), int(len(c))] for g, c in plan],
                                   "kept_groups": [g.tolist() for g, _ in plan],
                                   "kept_channels": [c.tolist() for _, c in plan]}
            print(f"{key:28s} ppl {v:.6f} achieved {achieved:.4f} kept {res['results'][key]['kept']}"
                  + ("  (never-empty guard used)" if guard else ""), file=sys.stderr)
    res["seconds"] = time.time() - t0
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print(json.dumps({k: v["ppl"] for k, v in res["results"].items()} | {"dense": res["dense"]}, indent=1))


if __name__ == "__main__":
    main()
