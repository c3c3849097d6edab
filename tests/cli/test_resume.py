"""``seqlab forecast --resume``: a run stopped by SIGTERM goes on to the result of a run never
stopped."""

import signal
import subprocess
import sys
import time

import pandas as pd

RUN = [
    sys.executable,
    "-m",
    "seqlab",
    "forecast",
    "--dataset",
    "sine",
    "--models",
    "lstm",
    "--baselines",
    "naive",
    "--epochs",
    "6",
    "--patience",
    "10",
]


def test_sigterm_then_resume_gives_the_leaderboard_of_an_uninterrupted_run(tmp_path):
    plain = subprocess.run([*RUN, "--out", str(tmp_path / "plain")], capture_output=True)
    assert plain.returncode == 0
    run = tmp_path / "run"
    proc = subprocess.Popen(
        [*RUN, "--out", str(run)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    checkpoint = run / "lstm" / "checkpoint.safetensors"
    deadline = time.time() + 120
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "training stopped by SIGTERM" in err
    assert f"Resume with: seqlab forecast --resume {run}" in " ".join(err.split())
    assert not (run / "leaderboard.csv").exists()
    resumed = subprocess.run(
        [sys.executable, "-m", "seqlab", "forecast", "--resume", str(run)], capture_output=True
    )
    assert resumed.returncode == 0, resumed.stderr
    assert not checkpoint.exists()  # the model is saved: its checkpoint is gone
    a, b = (pd.read_csv(f / "leaderboard.csv", index_col=0) for f in (tmp_path / "plain", run))
    pd.testing.assert_frame_equal(a.drop(columns="train_seconds"), b.drop(columns="train_seconds"))
    history = pd.read_csv(run / "lstm" / "history.csv")
    assert list(history["epoch"]) == [1, 2, 3, 4, 5, 6]


def test_resume_needs_a_run_folder(tmp_path):
    bad = subprocess.run(
        [sys.executable, "-m", "seqlab", "forecast", "--resume", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "must be a run folder holding config.json" in " ".join(bad.stderr.split())
