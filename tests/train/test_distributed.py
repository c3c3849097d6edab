"""Data parallelism for real: torchrun starts two ranks on the CPU (gloo) and the results
are compared with one process."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import torch
from safetensors.torch import load_file

SCRIPT = Path(__file__).parent / "scripts" / "fit_windows.py"
TORCHRUN = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]


def _run(command, timeout=300):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def test_two_ranks_end_bitwise_equal_and_within_1e5_of_one_process(tmp_path):
    one = _run([sys.executable, str(SCRIPT), str(tmp_path / "one"), "--dropout", "0"])
    two = _run([*TORCHRUN, str(SCRIPT), str(tmp_path / "two"), "--dropout", "0"])
    assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
    single = load_file(tmp_path / "one" / "rank0.safetensors")
    rank0 = load_file(tmp_path / "two" / "rank0.safetensors")
    rank1 = load_file(tmp_path / "two" / "rank1.safetensors")
    for k in single:
        assert torch.equal(rank0[k], rank1[k]), k  # DDP keeps the replicas identical
        assert (rank0[k] - single[k]).abs().max() <= 1e-5, k  # the same global batch step
    h1 = json.loads((tmp_path / "one" / "rank0.json").read_text())
    h2 = json.loads((tmp_path / "two" / "rank0.json").read_text())
    assert [r["train_loss"] for r in h2] == pytest.approx([r["train_loss"] for r in h1], abs=1e-5)
    assert [r["val_loss"] for r in h2] == pytest.approx([r["val_loss"] for r in h1], abs=1e-5)


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_torchrun_seqlab_forecast_writes_the_run_folder_of_one_process(tmp_path):
    options = ["forecast", "--dataset", "sine", "--models", "dlinear,lstm", "--epochs", "2"]
    one = _run([sys.executable, "-m", "seqlab", *options, "--out", str(tmp_path / "one")])
    two = _run([*TORCHRUN, "-m", "seqlab", *options, "--out", str(tmp_path / "two")])
    assert one.returncode == 0 and two.returncode == 0, two.stderr[-2000:]
    assert _files(tmp_path / "one") == _files(tmp_path / "two")
    assert two.stdout.count("Leaderboard") == 1  # rank 0 alone prints
    board = [pd.read_csv(tmp_path / r / "leaderboard.csv", index_col=0) for r in ("one", "two")]
    pd.testing.assert_frame_equal(
        board[0].drop(columns="train_seconds"), board[1].drop(columns="train_seconds"), atol=1e-5
    )


def test_torchrun_trains_a_text_task(tmp_path):
    text = tmp_path / "small.txt"
    text.write_text("\n\n".join(f"line {i} of the small corpus, a b c d e." for i in range(120)))
    options = ["text", "train", "lm", "--data", str(text), "--epochs", "1"]
    two = _run([*TORCHRUN, "-m", "seqlab", *options, "--out", str(tmp_path / "two")])
    assert two.returncode == 0, two.stderr[-2000:]
    assert (two.stdout + two.stderr).count("lm: best") == 1  # rank 0 alone prints
    assert _files(tmp_path / "two") == [
        "lm/config.json",
        "lm/history.json",
        "lm/model.safetensors",
        "lm/vocab.json.gz",
    ]


def test_a_rank_killed_mid_run_ends_the_job_quickly_with_a_clear_message(tmp_path):
    start = time.perf_counter()
    killed = _run([*TORCHRUN, str(SCRIPT), str(tmp_path), "--kill", "20", "--epochs", "30"], 120)
    seconds = time.perf_counter() - start
    assert killed.returncode != 0
    assert seconds < 60  # the documented bound: no hang
    out = killed.stdout + killed.stderr
    assert "Signal 9 (SIGKILL)" in out or "lost its peers" in out
    assert "rank" in out
