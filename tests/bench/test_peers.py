"""benchmarks/peers.py: the peers' figures are read back from the docs, as recorded."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def peers():
    sys.path.insert(0, str(ROOT / "benchmarks"))  # the script imports its neighbours by name
    spec = importlib.util.spec_from_file_location("benchmarks_peers", ROOT / "benchmarks/peers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(ROOT / "benchmarks"))


def test_the_peers_figures_are_read_back_from_the_docs_as_their_run_recorded(peers):
    recorded = json.loads((ROOT / "benchmarks/results/peers_measured.json").read_text())
    read = peers.peer_rows()
    assert set(read) == set(recorded) == {"darts", "neuralforecast"}
    for name, row in recorded.items():
        assert read[name]["version"] == row["version"]
        # as the table rounds them: 2 decimals, 4, 4 and whole megabytes
        for key, digits in (("step_ms", 0.005), ("test_mse", 5e-5), ("test_mae", 5e-5)):
            assert abs(read[name][key] - row[key]) <= digits
        assert abs(read[name]["peak_mb"] - row["peak_mb"]) <= 0.5


def test_the_comparison_is_computed_from_those_figures(peers):
    r = json.loads((ROOT / "benchmarks/results/peers.json").read_text())
    fastest = min(r["peers"], key=lambda p: r["peers"][p]["step_ms"])
    assert r["fastest_peer"] == fastest
    assert r["speedup"] == pytest.approx(r["peers"][fastest]["step_ms"] / r["seqlab"]["step_ms"])
    # 3 passes (forward, two backward products) x 96 steps x both layers' gate products
    assert peers.lstm_step_flops() == 3 * 96 * (2 * 32 * 65 * 256 + 2 * 32 * 128 * 256)
    flops = peers.lstm_step_flops() / (r["seqlab"]["step_ms"] / 1000) / 1e9
    assert r["gemm_share"] == pytest.approx(flops / r["gemm_peak_gflops"][r["seqlab"]["precision"]])


def test_a_docs_page_without_the_table_is_one_clear_stop(peers):
    with pytest.raises(SystemExit, match="no <!-- peers-measured --> table"):
        peers.peer_rows("# Benchmarks\n")
