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


def test_sequence_scores_match_any_reference_and_the_closest_for_phonemes():
    from seqlab.metrics import sequence_scores

    predicted = ["K AE T", "D AO G Z", "B ER D"]
    refs = [["K AE T", "K AA T"], ["D AO G"], ["B ER D IY", "B AH D"]]
    s = sequence_scores(predicted, refs, str.split)
    assert s["exact"] == pytest.approx(100 / 3) and s["wer"] == pytest.approx(200 / 3)
    # 0 of 3, 1 of 3 (an extra Z), then B ER D: 1 edit from either reference; of equally
    # close ones the first listed (4 phones) counts, so PER = (0 + 1 + 1) / (3 + 3 + 4)
    assert s["per"] == pytest.approx(20.0)
    assert s["n"] == 3


def test_bleu_and_chrf_are_sacrebleus_with_the_zh_tokenizer_for_chinese():
    from sacrebleu.metrics import BLEU, CHRF

    from seqlab.metrics import corpus_bleu_chrf

    hyps, refs = ["我们明天去北京。", "他很高兴"], ["我们明天去北京。", "他非常高兴。"]
    ours = corpus_bleu_chrf(hyps, [[r] for r in refs])
    assert ours["bleu"] == pytest.approx(BLEU(tokenize="zh").corpus_score(hyps, [refs]).score)
    assert ours["chrf"] == pytest.approx(CHRF().corpus_score(hyps, [refs]).score)
    assert "tok:zh" in ours["signature"]
    english = corpus_bleu_chrf(["the cat sat on the mat"], [["the cat sat on the mat", "a cat"]])
    assert english["bleu"] == pytest.approx(100.0) and "tok:13a" in english["signature"]
    # a second reference for one text only: the missing one is skipped, not an empty string
    multi = corpus_bleu_chrf(["a b c d", "e f g h"], [["a b c d"], ["e f g x", "e f g h"]])
    assert multi["bleu"] == pytest.approx(100.0)


def test_m4_metrics_by_hand():
    from seqlab.metrics import (
        coverage,
        interval_score,
        owa,
        pinball,
        seasonal_scale,
        series_errors,
        weighted_quantile_loss,
    )

    y = np.array([[10.0, 20.0], [4.0, 4.0]])
    f = np.array([[12.0, 20.0], [2.0, 6.0]])
    scale = np.array([2.0, 1.0])
    e = series_errors(y, f, scale)
    np.testing.assert_allclose(e["smape"], [200 * 2 / 22 / 2, (200 * 2 / 6 + 200 * 2 / 10) / 2])
    np.testing.assert_allclose(e["mase"], [0.5, 2.0])
    assert owa(10, 2, 20, 4) == 0.5
    assert seasonal_scale(np.array([1.0, 3.0, 2.0, 6.0]), 2) == pytest.approx(2.0)
    assert seasonal_scale(np.array([5.0, 5.0, 5.0]), 1) == 1.0  # a flat history: no scale
    lo, hi = np.array([[9.0, 21.0]]), np.array([[11.0, 22.0]])
    truth = np.array([[10.0, 20.0]])
    # (U-L) + (2/a)(L-y) below: step 1 inside (2), step 2 below by 1 (1 + 40·1)
    np.testing.assert_allclose(interval_score(truth, lo, hi, np.array([1.0]), 95), [(2 + 41) / 2])
    assert coverage(truth, lo, hi) == 50.0
    assert pinball(np.array([1.0]), np.array([0.0]), 0.9) == pytest.approx(0.9)
    assert pinball(np.array([0.0]), np.array([1.0]), 0.9) == pytest.approx(0.1)
    # wQL: per quantile 2·Σ pinball / Σ|y|
    quantiles = {0.5: np.array([2.0]), 0.9: np.array([2.0])}
    assert weighted_quantile_loss(np.array([4.0]), quantiles) == pytest.approx(
        np.mean([2 * 0.5 * 2 / 4, 2 * 0.9 * 2 / 4])
    )
