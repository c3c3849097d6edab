"""Serve a forecaster exported by ``seqlab export`` with NumPy and onnxruntime alone: no
seqlab, no PyTorch.

    python examples/serve_onnx.py RUN/lstm/model.onnx recent.csv

``recent.csv`` holds the latest rows of the series (at least ``lookback`` of them) with the
columns the model was trained on; the script prints the next ``horizon`` forecasts of each
target, in the data's own units.
"""

import csv
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort


def forecast(onnx_file: str, rows: np.ndarray) -> np.ndarray:
    """The next ``horizon`` values (horizon, targets) after ``rows`` (time, columns)."""
    meta = json.loads(Path(onnx_file).with_name("onnx.json").read_text())
    center = np.asarray(meta["scaler"]["center"])
    scale = np.asarray(meta["scaler"]["scale"])
    session = ort.InferenceSession(onnx_file, providers=["CPUExecutionProvider"])
    window = ((rows[-meta["lookback"] :] - center) / scale).astype(np.float32)[None]
    n_targets = len(meta["targets"])
    if meta["strategy"] == "direct":
        y = session.run([meta["output"]], {meta["input"]: window})[0][0]
    else:  # recursive: feed each one-step forecast back as the newest row
        steps = []
        for _ in range(meta["horizon"]):
            step = session.run([meta["output"]], {meta["input"]: window})[0][:, :1]
            steps.append(step[0, 0])
            window = np.concatenate([window[:, 1:], step], axis=1)
        y = np.stack(steps)
    return y * scale[:n_targets] + center[:n_targets]


def main() -> None:
    onnx_file, table = sys.argv[1], sys.argv[2]
    meta = json.loads(Path(onnx_file).with_name("onnx.json").read_text())
    with open(table, newline="") as f:
        records = list(csv.DictReader(f))
    rows = np.array([[float(r[c]) for c in meta["columns"]] for r in records])
    for step, values in enumerate(forecast(onnx_file, rows), start=1):
        shown = ", ".join(f"{t} {v:.4f}" for t, v in zip(meta["targets"], values, strict=True))
        print(f"t+{step}: {shown}")


if __name__ == "__main__":
    main()
