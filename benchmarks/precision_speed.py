"""fp32 against bf16 autocast, per model: seconds per epoch and the test error after the same
epochs, for every network of the zoo, a language model and an encoder–decoder; bf16 twice,
on PyTorch's threads (one per core) and with the training passes on one thread.

Forecasting (the zoo): ETTh1's OT column as in train_speed.py (lookback 96, direct horizon
24, batch 32, hidden 64, 2 layers where the model has them; the first 8,640 rows train, the
next 2,880 validate, the 2,880 after test), a fixed number of epochs without early stopping,
the test part's MSE in the data's units. Language model: an LSTM 256x2 and a 4x256
Transformer on the first 300,000 characters of Tiny Shakespeare's training part (context 128,
batch 64, its own last 10 % for early stopping), scored on nanoGPT's held-out part; tokens per
second and held-out nats per character. Sequence to
sequence: a GRU with attention and a Transformer on 6,000 reversal pairs; pairs per second and
the exact-match share of 300 held-out pairs. Each run is its own subprocess; runs alternate
fp32, bf16, bf16 on one thread, fp32, ... so machine noise falls on all alike; the median of
the rounds counts. ``precision="auto"`` takes, per model, the fastest arm that is more than
5 % faster than fp32 at an error within 2 % of fp32's (seqlab.train.precision.CPU_BF16).

    python benchmarks/precision_speed.py               # writes results/precision_speed.json
    python benchmarks/precision_speed.py --rounds 1 --epochs 1 --only lstm,dlinear --out /tmp/p.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import docs_tables

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SEQLAB_DATA_DIR", ROOT.parent / "shared" / "data"))
ZOO = ("rnn", "lstm", "gru", "transformer", "tcn", "dlinear", "segrnn", "patchtst", "nbeats")
TEXT = ("lm-lstm", "lm-transformer", "s2s-gru", "s2s-transformer")
# The arms: fp32; bf16 autocast on PyTorch's threads (one per core); bf16 with the training
# passes on one thread, as precision="auto" runs a model that CPU_BF16 gives one thread.
ARMS = ("fp32", "bf16", "bf16-1")


def _forecast(model: str, precision: str, epochs: int) -> dict:
    import pandas as pd

    import seqlab as sl

    df = pd.read_csv(DATA / "ett" / "ETTh1.csv", parse_dates=["date"], index_col="date")
    df = df[["OT"]].iloc[: 8640 + 2 * 2880]
    fc = sl.Forecaster(
        model=model,
        target="OT",
        lookback=96,
        horizon=24,
        hidden_size=64,
        num_layers=2,
        epochs=epochs,
        batch_size=32,
        patience=None,
        val_size=2880 / len(df),
        test_size=2880 / len(df),
        device="cpu",
        seed=0,
        precision=precision,
    ).fit(df)
    seconds = fc.history_["seconds"].tolist()
    report = fc.evaluate(df)
    return {"seconds_per_epoch": statistics.median(seconds), "test_mse": report.metrics["mse"]}


def _lm(kind: str, precision: str, epochs: int) -> dict:
    from seqlab.data.corpora import split
    from seqlab.tasks import LanguageModel

    text = split("shakespeare", "train")[0][:300_000]
    held_text = split("shakespeare", "val")[0]  # scored once, never selected on
    params = {"hidden_size": 256, "num_layers": 2 if kind == "lstm" else 4}
    lm = LanguageModel(
        model=kind,
        **params,
        context=128,
        batch_size=64,
        epochs=epochs,
        patience=None,
        dropout=0.0,
        device="cpu",
        seed=0,
        precision=precision,
    )
    start = time.perf_counter()
    lm.fit([text])  # early stopping and the kept weights follow the text's own last 10 %
    seconds = time.perf_counter() - start
    return {
        "tokens_per_second": epochs * len(text) / seconds,
        "held_out_loss": lm.evaluate([held_text])["loss"],
    }


def _s2s(kind: str, precision: str, epochs: int) -> dict:
    import random

    from seqlab.tasks import Seq2Seq

    rng = random.Random(0)
    words = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(3, 9))) for _ in range(6300)]
    sources, targets = words[:6000], [w[::-1] for w in words[:6000]]
    s2s = Seq2Seq(
        model=kind,
        hidden_size=128,
        embedding_dim=64,
        epochs=epochs,
        batch_size=64,
        patience=None,
        device="cpu",
        seed=0,
        precision=precision,
    )
    start = time.perf_counter()
    s2s.fit(sources, targets)
    seconds = time.perf_counter() - start
    held = words[6000:]
    exact = sum(p == w[::-1] for p, w in zip(s2s.predict(held), held, strict=True))
    return {"pairs_per_second": epochs * len(sources) / seconds, "exact": 100 * exact / len(held)}


def run(name: str, precision: str, epochs: int) -> dict:
    """One run in this process (the parent starts each in its own)."""
    import torch

    from seqlab.train import precision as arithmetic

    torch.manual_seed(0)
    if precision == "bf16-1":  # "auto", told that this model trains on one thread in bf16
        arithmetic.CPU_BF16 = {name: 1}
        precision = "auto"
    if name in ZOO:
        return _forecast(name, precision, epochs)
    family, kind = name.split("-")
    return (_lm if family == "lm" else _s2s)(kind, precision, epochs)


def table_precision_speed() -> str:
    r = docs_tables.read_json("precision_speed")
    lines = [
        "| model | fp32 | bf16 | bf16, 1 thread | fp32 error | bf16 error | bf16, 1 thread error "
        "| auto picks |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in r["models"].items():
        unit, error = row["unit"], row["error"]
        speed = " | ".join(f"{row[arm][unit]:,.2f}" for arm in ARMS)
        errors = " | ".join(f"{row[arm][error]:.4g}" for arm in ARMS)
        pick = {"bf16-1": "bf16, 1 thread"}.get(row["pick"], row["pick"])
        gain = f" ({row['speedup'][row['pick']]:.2f}x)" if row["pick"] != "fp32" else ""
        lines.append(f"| {name} | {speed} | {errors} | {pick}{gain} |")
    m = r["machine"]
    lines += [
        "",
        f"Units: seconds per epoch (the zoo, lower is better), tokens/s (lm), pairs/s (s2s); "
        f"errors: test MSE, held-out nats/char, exact % (higher is better for s2s). Median of "
        f"{r['rounds']} alternating rounds, {r['epochs']} epochs each, on {m['cpus']} CPU "
        f"cores ({m['processor']}, bf16 native: {m['bf16_native']}), torch {m['torch']}.",
    ]
    return "\n".join(lines) + "\n"


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {
    "precision-speed": (docs_tables.ROOT / "docs" / "benchmarks.md", table_precision_speed),
}


def _summary(name: str, runs: dict[str, list[dict]]) -> dict:
    unit, error, faster, better = (
        ("seconds_per_epoch", "test_mse", min, min)
        if name in ZOO
        else ("tokens_per_second", "held_out_loss", max, min)
        if name.startswith("lm")
        else ("pairs_per_second", "exact", max, max)
    )
    median = {a: {k: statistics.median(r[k] for r in runs[a]) for k in runs[a][0]} for a in runs}
    speedup = {
        a: median["fp32"][unit] / median[a][unit]
        if faster is min
        else median[a][unit] / median["fp32"][unit]
        for a in runs
    }

    def pays(arm: str) -> bool:
        """Faster by more than 5 %, its error within 2 % of fp32's (relative) or better."""
        ours, base = median[arm][error], median["fp32"][error]
        worse = better(ours, base) != ours and abs(ours - base) > 0.02 * abs(base)
        return speedup[arm] > 1.05 and not worse

    paying = [a for a in runs if a != "fp32" and pays(a)]
    pick = max(paying, key=lambda a: speedup[a]) if paying else "fp32"
    return {"unit": unit, "error": error, **median, "speedup": speedup, "pick": pick}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--only", default=",".join(ZOO + TEXT))
    parser.add_argument("--run", nargs=2, help=argparse.SUPPRESS)  # NAME PRECISION (a child)
    parser.add_argument("--out", default=str(docs_tables.RESULTS / "precision_speed.json"))
    args = parser.parse_args()
    if args.run:
        print(json.dumps(run(args.run[0], args.run[1], args.epochs)))
        return
    import torch

    from seqlab.train.precision import cpu_has_bf16

    names = [n for n in args.only.split(",") if n]
    models = {}
    for name in names:
        runs: dict[str, list[dict]] = {a: [] for a in ARMS}
        for _ in range(args.rounds):
            for precision in ARMS:  # alternating: fp32, bf16, bf16-1, fp32, ...
                command = [sys.executable, __file__, "--run", name, precision]
                out = subprocess.run(
                    [*command, "--epochs", str(args.epochs)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                runs[precision].append(json.loads(out.strip().splitlines()[-1]))
        models[name] = _summary(name, runs)
        print(name, json.dumps(models[name]), flush=True)
    result = {
        "models": models,
        "rounds": args.rounds,
        "epochs": args.epochs,
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "bf16_native": cpu_has_bf16(),
            "torch": torch.__version__,
        },
    }
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    if Path(args.out).resolve() == (docs_tables.RESULTS / "precision_speed.json").resolve():
        docs_tables.update(TABLES)


if __name__ == "__main__":
    main()
