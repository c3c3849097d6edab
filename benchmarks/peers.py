"""seqlab against darts and NeuralForecast: the training step and the test error, one workload.

The workload of docs/benchmarks.md's "Against the peers": the ``OT`` column of ETTh1, its first
14,400 rows (8,640 training, 2,880 validation, 2,880 test), standardised with the training
rows' mean and deviation; an LSTM of hidden 64 and 2 layers reading 96 steps and forecasting
the next 24 at once, batch 32 (267 steps an epoch), Adam(W) at 1e-3, 5 epochs, seed 0; each
side in its own process. The step time is the training pass alone (validation left out), the
first epoch's steps dropped as warm-up; the test error is the MSE and MAE of every one of the
2,857 test windows, in the data's units; the peak memory is ``/usr/bin/time -v``'s maximum
resident set size of the whole process.

This script installs nothing. The peers were measured once, with darts and NeuralForecast in a
scratch virtual environment (torch pinned to this machine's wheel), and their rows written
into docs/benchmarks.md (``<!-- peers-measured -->``):

    python -m venv /tmp/peers && echo torch==2.13.0 > /tmp/peers/constraints.txt
    /tmp/peers/bin/pip install torch==2.13.0
    PIP_CONSTRAINT=/tmp/peers/constraints.txt /tmp/peers/bin/pip install darts neuralforecast
    /tmp/peers/bin/python benchmarks/peers.py --peer darts            # rewrites its row
    /tmp/peers/bin/python benchmarks/peers.py --peer neuralforecast

With the project's environment, it measures seqlab (``--rounds`` runs of 5 epochs, the median
step), the machine's fp32 GEMM peak (the best of ten 2048 x 2048 products) and the LSTM step's
share of it, reads the peers' rows back from docs/benchmarks.md, and writes
benchmarks/results/peers.json and the comparison table:

    python benchmarks/peers.py                      # seqlab's side, against the recorded peers
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import docs_tables
from measure import worker

ROOT = Path(__file__).resolve().parent.parent
ETT = Path(os.environ.get("SEQLAB_DATA_DIR", ROOT.parent / "shared" / "data")) / "ett"
PAGE = ROOT / "docs" / "benchmarks.md"
L, H, HIDDEN, LAYERS, BATCH, EPOCHS, LR = 96, 24, 64, 2, 32, 5, 1e-3
TRAIN, VAL, TEST = 8640, 2880, 2880
STEPS = (TRAIN - L - H + 1 + BATCH - 1) // BATCH  # batches of one epoch: 267
PEERS = ("darts", "neuralforecast")


def lstm_step_flops() -> float:
    """Multiply-adds x 2 of one training step of the LSTM alone (the head is negligible): per
    layer and time step the four gates' products ``B x (I + H) x 4H``; backward costs twice
    the forward (the gradients of the inputs and of the weights)."""
    per_step = sum(2 * BATCH * (i + HIDDEN) * 4 * HIDDEN for i in (1, HIDDEN)[:LAYERS])
    return 3 * per_step * L


def _series():
    """The dates and OT values of the workload's 14,400 rows, and the training mean and std."""
    import pandas as pd

    df = pd.read_csv(ETT / "ETTh1.csv", parse_dates=["date"])
    df = df.iloc[: TRAIN + VAL + TEST]
    values = df["OT"].to_numpy(dtype="float64")
    return df["date"], values, values[:TRAIN].mean(), values[:TRAIN].std()


def _errors(y_pred, values) -> dict:
    """MSE and MAE of (2857, 24) forecasts of the test windows, in the data's units."""
    import numpy as np

    first = TRAIN + VAL  # the first forecast row of the first test window
    rows = np.arange(first, len(values) - H + 1)[:, None] + np.arange(H)
    err = np.asarray(y_pred, dtype="float64") - values[rows]
    return {
        "windows": len(rows),
        "test_mse": float((err**2).mean()),
        "test_mae": float(abs(err).mean()),
    }


class StepClock:
    """Times a Lightning training loop's steps: from the end of one batch (or the start of the
    first after a validation) to the end of the next, so data loading counts and validation
    does not."""

    def __init__(self):
        self.seconds: list[float] = []
        self._last: float | None = None

    def callback(self):
        import pytorch_lightning as pl

        clock = self

        class Callback(pl.Callback):
            def on_train_batch_start(self, *args, **kwargs):
                if clock._last is None:
                    clock._last = time.perf_counter()

            def on_train_batch_end(self, *args, **kwargs):
                now = time.perf_counter()
                clock.seconds.append(now - clock._last)
                clock._last = now

            def on_validation_start(self, *args, **kwargs):
                clock._last = None

        return Callback()


def run_darts() -> dict:
    import pandas as pd
    import torch
    from darts import TimeSeries
    from darts.models import BlockRNNModel

    dates, values, mean, std = _series()
    z = pd.Series((values - mean) / std, index=pd.DatetimeIndex(dates), dtype="float32")
    series = TimeSeries.from_series(z)
    clock = StepClock()
    model = BlockRNNModel(
        model="LSTM",
        input_chunk_length=L,
        output_chunk_length=H,
        hidden_dim=HIDDEN,
        n_rnn_layers=LAYERS,
        dropout=0.0,
        batch_size=BATCH,
        n_epochs=EPOCHS,
        optimizer_cls=torch.optim.AdamW,
        optimizer_kwargs={"lr": LR, "weight_decay": 1e-4},
        random_state=0,
        pl_trainer_kwargs={
            "accelerator": "cpu",
            "callbacks": [clock.callback()],
            "enable_progress_bar": False,
            "gradient_clip_val": 1.0,
            "logger": False,
        },
    )
    model.fit(series[:TRAIN], val_series=series[TRAIN - L : TRAIN + VAL], verbose=False)
    forecasts = model.historical_forecasts(
        series,
        start=TRAIN + VAL,
        start_format="position",
        forecast_horizon=H,
        stride=1,
        retrain=False,
        last_points_only=False,
        verbose=False,
    )
    y = [f.values()[:, 0] * std + mean for f in forecasts]
    return {"version": _version("darts"), "step_seconds": clock.seconds, **_errors(y, values)}


def run_neuralforecast() -> dict:
    import pandas as pd
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    dates, values, mean, std = _series()
    df = pd.DataFrame({"unique_id": "OT", "ds": dates, "y": (values - mean) / std})
    clock = StepClock()
    model = LSTM(
        h=H,
        input_size=L,
        encoder_hidden_size=HIDDEN,
        encoder_n_layers=LAYERS,
        encoder_dropout=0.0,
        decoder_hidden_size=HIDDEN,
        decoder_layers=1,
        batch_size=1,  # the one series ...
        windows_batch_size=BATCH,  # ... 32 of its windows a step
        inference_windows_batch_size=1024,
        max_steps=EPOCHS * STEPS,
        learning_rate=LR,
        scaler_type="identity",
        val_check_steps=STEPS,
        random_seed=0,
        callbacks=[clock.callback()],
        enable_progress_bar=False,
        gradient_clip_val=1.0,
        accelerator="cpu",
        logger=False,
    )
    nf = NeuralForecast(models=[model], freq="h")
    cv = nf.cross_validation(
        df, n_windows=None, val_size=VAL, test_size=TEST, step_size=1, refit=False
    )
    cv = cv.sort_values(["cutoff", "ds"])
    y = cv["LSTM"].to_numpy().reshape(-1, H) * std + mean
    return {
        "version": _version("neuralforecast"),
        "step_seconds": clock.seconds,
        **_errors(y, values),
    }


def run_seqlab() -> dict:
    import numpy as np
    import pandas as pd

    import seqlab as sl
    from seqlab.train.precision import arithmetic

    dates, values, _, _ = _series()
    df = pd.DataFrame({"OT": values}, index=pd.DatetimeIndex(dates, name="date"))
    fc = sl.Forecaster(
        model="lstm",
        target="OT",
        lookback=L,
        horizon=H,
        hidden_size=HIDDEN,
        num_layers=LAYERS,
        batch_size=BATCH,
        epochs=EPOCHS,
        lr=LR,
        patience=None,
        val_size=VAL / len(df),
        test_size=TEST / len(df),
        seed=0,
    )
    fc.fit(df)
    ev = fc.evaluate(df)
    per_step = [s / STEPS for s in fc.history_["seconds"]]
    return {
        "version": sl.__version__,
        "precision": fc.precision_,
        "threads": arithmetic(fc.precision, fc.device_, "lstm")["threads"],
        "step_seconds": [s for s in per_step for _ in range(STEPS)],
        **_errors(np.asarray(ev.y_pred)[:, :, 0], values),
    }


def gemm_peak(dtype: str, n: int = 2048, repeats: int = 10) -> float:
    """GFLOP/s of the best of ``repeats`` n x n products in ``dtype`` ("fp32" or "bf16") on
    this process's threads (all the cores)."""
    import torch

    kind = torch.float32 if dtype == "fp32" else torch.bfloat16
    a, b = torch.randn(n, n, dtype=kind), torch.randn(n, n, dtype=kind)
    for _ in range(3):
        a @ b
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


def measure(who: str) -> dict:
    """Run one side in its own process under /usr/bin/time -v; its result and peak memory."""
    result, result["peak_mb"] = worker([sys.executable, __file__, "--worker", who])
    timed = result.pop("step_seconds")[STEPS:]  # the first epoch is warm-up
    result["step_ms"] = 1000 * sum(timed) / len(timed)
    return result


# -- the peers' rows in docs/benchmarks.md ---------------------------------------------------

COLUMNS = ("library", "version", "step_ms", "test_mse", "test_mae", "peak_mb")


def peer_rows(text: str | None = None) -> dict[str, dict]:
    """The peers' measured rows, read back from docs/benchmarks.md."""
    text = PAGE.read_text() if text is None else text
    block = re.search(r"<!-- peers-measured -->\n(.*?)<!-- /peers-measured -->", text, re.S)
    if block is None:
        raise SystemExit("docs/benchmarks.md has no <!-- peers-measured --> table")
    rows = {}
    for line in block.group(1).splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(COLUMNS) or cells[0] not in PEERS:
            continue
        row = dict(zip(COLUMNS, cells, strict=True))
        rows[row["library"]] = {k: row[k] if k == "version" else float(row[k]) for k in COLUMNS[1:]}
    return rows


def write_peer_row(name: str, result: dict) -> None:
    """Record ``name``'s measured row (benchmarks/results/peers_measured.json, keeping the
    other peer's) and rewrite the peers-measured table from it."""
    path = docs_tables.RESULTS / "peers_measured.json"
    rows = json.loads(path.read_text()) if path.exists() else {}
    rows[name] = {k: result[k] for k in COLUMNS[1:]}
    path.write_text(json.dumps(rows, indent=2) + "\n")
    docs_tables.update({"peers-measured": TABLES["peers-measured"]})


def table_peers_measured() -> str:
    rows = docs_tables.read_json("peers_measured")
    lines = ["| " + " | ".join(COLUMNS) + " |", "|---|---|---:|---:|---:|---:|"]
    for peer in PEERS:
        if peer in rows:
            r = rows[peer]
            lines.append(
                f"| {peer} | {r['version']} | {r['step_ms']:.2f} | {r['test_mse']:.4f} | "
                f"{r['test_mae']:.4f} | {r['peak_mb']:.0f} |"
            )
    return "\n".join(lines) + "\n"


def table_peers() -> str:
    r = docs_tables.read_json("peers")
    s, fastest = r["seqlab"], r["fastest_peer"]
    lines = [
        "| | ms / training step | test MSE | test MAE | peak memory |",
        "|---|---:|---:|---:|---:|",
        f"| seqlab {s['version']} ({s['precision']}) | {s['step_ms']:.2f} | {s['test_mse']:.4f} | "
        f"{s['test_mae']:.4f} | {s['peak_mb']:.0f} MB |",
    ]
    for name, p in r["peers"].items():
        lines.append(
            f"| {name} {p['version']} | {p['step_ms']:.2f} | {p['test_mse']:.4f} | "
            f"{p['test_mae']:.4f} | {p['peak_mb']:.0f} MB |"
        )
    share = r["gemm_share"]
    return (
        "\n".join(lines) + "\n\n"
        f"seqlab's step is **{r['speedup']:.2f}x** faster than the fastest peer's ({fastest}; "
        f"target ≥ 1.5x) at a test MSE {'at or below' if r['error_ok'] else 'above'} its. The "
        f"LSTM step ({r['lstm_step_gflop']:.2f} GFLOP) runs at {r['lstm_gflops']:.0f} GFLOP/s: "
        f"**{100 * share:.0f} %** of the measured {s['precision']} GEMM peak of this machine "
        f"({r['gemm_peak_gflops'][s['precision']]:.0f} GFLOP/s, a 2048 x 2048 product on "
        f"{r['machine']['cpus']} cores; target ≥ 40 %); the fp32 and bf16 peaks are "
        f"{r['gemm_peak_gflops']['fp32']:.0f} and {r['gemm_peak_gflops']['bf16']:.0f}. seqlab: "
        f"the median of {r['rounds']} runs (training threads: {s['threads'] or 'all'}); torch "
        f"{r['machine']['torch']}.\n"
    )


# The tables of the docs this script's results fill (see docs_tables.py).
TABLES = {"peers-measured": (PAGE, table_peers_measured), "peers": (PAGE, table_peers)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--peer", choices=PEERS, help="measure this peer and record its row")
    parser.add_argument("--rounds", type=int, default=3, help="seqlab's runs (median)")
    parser.add_argument("--worker", choices=("seqlab", *PEERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run = {"seqlab": run_seqlab, "darts": run_darts, "neuralforecast": run_neuralforecast}
        print(json.dumps(run[args.worker]()))
        return
    if args.peer:
        result = measure(args.peer)
        write_peer_row(args.peer, result)
        print(json.dumps(result))
        return

    import torch

    peers = peer_rows()
    runs = []
    for r in range(args.rounds):
        runs.append(measure("seqlab"))
        print(
            f"round {r + 1}: {runs[-1]['step_ms']:.2f} ms/step, test MSE {runs[-1]['test_mse']:.4f}"
        )
    seqlab = dict(
        min(
            runs,
            key=lambda run: abs(run["step_ms"] - statistics.median(x["step_ms"] for x in runs)),
        )
    )
    seqlab["step_ms_runs"] = [run["step_ms"] for run in runs]
    peaks = {dtype: gemm_peak(dtype) for dtype in ("fp32", "bf16")}
    fastest = min(peers, key=lambda p: peers[p]["step_ms"])
    lstm = lstm_step_flops() / (seqlab["step_ms"] / 1000) / 1e9
    result = {
        "workload": {
            "data": "ETTh1 OT",
            "rows": [TRAIN, VAL, TEST],
            "lookback": L,
            "horizon": H,
            "hidden": HIDDEN,
            "layers": LAYERS,
            "batch": BATCH,
            "epochs": EPOCHS,
            "lr": LR,
        },
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "torch": torch.__version__,
        },
        "rounds": args.rounds,
        "seqlab": seqlab,
        "peers": peers,
        "fastest_peer": fastest,
        "speedup": peers[fastest]["step_ms"] / seqlab["step_ms"],
        "error_ok": seqlab["test_mse"] <= peers[fastest]["test_mse"],
        "lstm_step_gflop": lstm_step_flops() / 1e9,
        "lstm_gflops": lstm,
        "gemm_peak_gflops": peaks,
        "gemm_share": lstm / peaks[seqlab["precision"]],
    }
    out = ROOT / "benchmarks" / "results" / "peers.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    docs_tables.update(TABLES)
    print(
        f"{result['speedup']:.2f}x the fastest peer ({fastest}); LSTM step at "
        f"{100 * result['gemm_share']:.0f} % of the GEMM peak -> {out}"
    )


if __name__ == "__main__":
    main()
