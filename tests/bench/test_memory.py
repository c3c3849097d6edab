"""The long-memory benchmark: one budget, a test set apart from training, the skip rule."""

import pytest
import torch

from seqlab.bench.memory import (
    BUDGET,
    Budget,
    longest_solved,
    memory_data,
    memory_loss,
    run_grid,
    run_memory,
    threshold,
    train_memory,
    trivial_loss,
)

TINY = Budget(
    train=64, val=32, test=32, epochs=2, recurrent_hidden=8, transformer_hidden=8, tcn_hidden=8
)


def test_thresholds_are_the_issue_bars():
    assert threshold("adding", 200) == 0.01
    assert threshold("copy", 100) == pytest.approx(0.1 * trivial_loss("copy", 100))
    assert BUDGET.steps == 3000


@pytest.mark.parametrize("task", ["adding", "copy"])
def test_the_test_set_shares_no_sequence_with_training(task):
    _, _, test = train_memory(task, "gru", 12, TINY, seed=0)
    train_x, _ = memory_data(task, TINY.train, 12, seed=0)
    val_x, _ = memory_data(task, TINY.val, 12, seed=1)
    seen = {tuple(row.flatten().tolist()) for row in torch.cat([train_x, val_x])}
    assert len(test) == TINY.test
    assert not any(tuple(row.flatten().tolist()) in seen for row in test.x)


def test_run_memory_reports_the_test_loss_against_the_bar():
    r = run_memory("adding", "lstm", 10, TINY)
    assert r["threshold"] == 0.01 and r["trivial"] == pytest.approx(1 / 6)
    assert r["solved"] == (r["test_loss"] < 0.01)
    assert [c["epoch"] for c in r["curve"]] == [1, 2] and r["params"] > 0


def test_memory_losses():
    out = torch.zeros(4, 6, 10)
    target = torch.zeros(4, 6, dtype=torch.long)
    assert memory_loss("copy")(out, target).item() == pytest.approx(torch.log(torch.tensor(10.0)))
    y = torch.ones(4, 1)
    assert memory_loss("adding")(torch.zeros(4, 6, 1), y).item() == pytest.approx(1.0)


def test_a_model_that_fails_is_not_run_longer():
    seen = []
    results = run_grid(["adding"], ["rnn"], [8, 16], TINY, on_result=seen.append)
    assert seen == results and [r["length"] for r in results] == [8, 16]
    assert not results[0]["solved"] and results[1]["skipped"]
    assert longest_solved(results, "adding", "rnn") is None
    solved = [{"task": "adding", "model": "gru", "length": t, "solved": True} for t in (50, 100)]
    assert longest_solved(solved, "adding", "gru") == 100


def test_known_results_are_kept_and_only_new_lengths_run():
    first = run_grid(["adding"], ["gru"], [8], TINY)
    seen = []
    extended = run_grid(["adding"], ["gru"], [8, 16], TINY, known=first, on_result=seen.append)
    assert extended[0] is first[0]  # taken as it was, not trained again
    assert extended[1]["skipped"] == (not first[0]["solved"])
    assert len(seen) == 2
