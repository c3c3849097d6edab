import math

import numpy as np
import pytest

from seqlab.metrics import forecast_metrics, naive_scale


def test_metrics_by_hand():
    y = np.array([[[2.0], [4.0]]])  # one origin, two steps
    p = np.array([[[3.0], [2.0]]])
    last = np.array([[1.0]])
    m, per_step = forecast_metrics(y, p, last, np.array([2.0]))
    assert m["mse"] == pytest.approx((1 + 4) / 2)
    assert m["rmse"] == pytest.approx(np.sqrt(2.5))
    assert m["mae"] == pytest.approx(1.5)
    assert m["mape"] == pytest.approx(100 * (1 / 2 + 2 / 4) / 2)
    assert m["smape"] == pytest.approx(100 * (2 * 1 / 5 + 2 * 2 / 6) / 2)
    assert m["mase"] == pytest.approx(1.5 / 2)
    assert m["direction"] == pytest.approx(100.0)  # both up from 1, both forecast up
    assert list(per_step["mae"]) == [1.0, 2.0]
    assert list(per_step.index) == [1, 2]


def test_direction_counts_wrong_moves():
    y = np.array([[[0.0]], [[2.0]]])
    p = np.array([[[2.0]], [[2.0]]])
    m, _ = forecast_metrics(y, p, np.array([[1.0], [1.0]]), np.array([1.0]))
    assert m["direction"] == pytest.approx(50.0)


def test_mape_skips_zero_truth_and_naive_scale():
    y = np.array([[[0.0], [2.0]]])
    p = np.array([[[1.0], [1.0]]])
    m, _ = forecast_metrics(y, p, np.array([[0.0]]), np.array([1.0]))
    assert m["mape"] == pytest.approx(50.0)
    assert naive_scale(np.array([[1.0], [3.0], [2.0]]))[0] == pytest.approx(1.5)


def test_character_floors_by_hand_and_on_tiny_shakespeare():
    from seqlab.data.corpora import split
    from seqlab.metrics import char_ngram_floors

    floors = char_ngram_floors(["abab"], ["ab"], weight=0.8)
    # add-one unigram over {a, b}: p(a) = p(b) = 3/6; bigram p(b|a) = 2/2
    assert floors["unigram"] == pytest.approx(1.0)
    assert floors["bigram"] == pytest.approx((1.0 - math.log2(0.8 * 1 + 0.2 * 0.5)) / 2)
    published = char_ngram_floors(split("shakespeare", "train"), split("shakespeare", "val"))
    assert round(published["unigram"], 3) == 4.829 and round(published["bigram"], 3) == 3.685
