"""The M4 benchmark (Hourly, Weekly) under the organisers' protocol.

Protocol ([1]; ``Benchmarks and Evaluation.R`` in Mcompetitions/M4-methods): the last H
values of each series are the test part (the organisers' test file: H = 48 hourly, 13
weekly); every model forecasts them from the series' whole past; sMAPE and MASE (seasonal
scale m = 24 hourly, 1 weekly) per series, then the mean over series; OWA against Naive2;
MSIS of the 95 % intervals over the same scale. seqlab's Forecaster on long data keeps the H
values before the test part for validation (early stopping and the conformal intervals):
a global model trains on every series' rows before them.

.. [1] Makridakis, Spiliotis & Assimakopoulos (2020). The M4 Competition: 100,000 time
       series and 61 forecasting methods. International Journal of Forecasting 36(1).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from seqlab.bench.m4_classic import classic_forecasts
from seqlab.datasets.m4 import load_m4
from seqlab.metrics import interval_score, owa, seasonal_scale, series_errors
from seqlab.models import BASELINES
from seqlab.tasks.forecasting.forecaster import Forecaster
from seqlab.tasks.forecasting.intervals import PanelEvaluation

__all__ = [
    "M4_PRESETS",
    "PUBLISHED",
    "overlapping_series",
    "random_walk_bands",
    "run_m4",
    "run_m4_classic",
]

# The organisers' published scores (Evaluation and Ranks.xlsx): (sMAPE, MASE, OWA, MSIS).
PUBLISHED: dict[str, dict[str, tuple[float, float, float, float | None]]] = {
    "hourly": {
        "Naive": (43.003, 11.608, 3.593, 71.245),
        "Seasonal naive": (13.912, 1.193, 0.627, None),
        "Naive2": (18.383, 2.395, 1.000, None),
        "SES": (18.094, 2.385, 0.990, None),
        "Holt": (29.249, 9.356, 2.749, None),
        "Damped": (19.265, 2.956, 1.141, None),
        "Theta": (18.138, 2.455, 1.006, None),
        "Comb": (22.053, 4.582, 1.556, None),
        "RNN (M4 benchmark)": (14.698, 3.048, 1.036, None),
        "Smyl, ES-RNN (winner)": (9.328, 0.893, 0.440, 7.928),
        "Doornik et al. (best Hourly OWA)": (8.913, 0.801, 0.410, 6.139),
    },
    "weekly": {
        "Naive": (9.161, 2.777, 1.000, 26.358),
        "Seasonal naive": (9.161, 2.777, 1.000, None),
        "Naive2": (9.161, 2.777, 1.000, None),
        "SES": (9.012, 2.685, 0.975, None),
        "Holt": (9.708, 2.420, 0.966, None),
        "Damped": (8.866, 2.404, 0.917, None),
        "Theta": (9.093, 2.637, 0.971, None),
        "Comb": (8.944, 2.432, 0.926, None),
        "RNN (M4 benchmark)": (15.220, 5.132, 1.755, None),
        "Smyl, ES-RNN (winner)": (7.817, 2.356, 0.851, 22.034),
        "Darin & Stellwagen (best Weekly OWA)": (6.582, 2.107, 0.739, None),
    },
}

# Per frequency: the window and the training settings of the global networks.
M4_PRESETS: dict[str, dict[str, Any]] = {
    "hourly": {"lookback": 336, "batch_size": 256, "loss": "mae", "revin": True, "lr": 1e-3},
    "weekly": {"lookback": 52, "batch_size": 256, "loss": "mae", "revin": True, "lr": 1e-3},
}


def random_walk_bands(history: np.ndarray, horizon: int, z: float = 1.959964) -> np.ndarray:
    """R ``forecast::naive``'s 95 % half-widths: z·σ·√h, σ the root mean square of the
    one-step differences (no mean removed)."""
    sigma = np.sqrt(np.mean(np.diff(history) ** 2))
    return z * sigma * np.sqrt(np.arange(1, horizon + 1))


def overlapping_series(df, horizon: int, k: int = 6) -> list[str]:
    """The series whose first ``k`` test values appear, in order and to 4 decimals, among
    the training rows (before the validation part) of another series: M4 holds near-copies
    of some series, so a global model may have seen such a test window elsewhere."""
    histories = {sid: g.to_numpy() for sid, g in df.groupby("unique_id", sort=True)["y"]}
    seen: dict[tuple, set] = {}
    for sid, y in histories.items():
        train = np.round(y[: len(y) - 2 * horizon], 4)
        for s in range(len(train) - k + 1):
            seen.setdefault(tuple(train[s : s + k]), set()).add(sid)
    keys = {sid: tuple(np.round(y[len(y) - horizon :][:k], 4)) for sid, y in histories.items()}
    return [sid for sid, key in keys.items() if seen.get(key, set()) - {sid}]


def run_m4(
    frequency: str,
    model: str,
    epochs: int = 10,
    seed: int = 0,
    quick: bool = False,
    verbose: bool = False,
    **params: Any,
) -> dict[str, Any]:
    """Fit ``model`` on every series of M4 ``frequency`` and score it on the test part, M4's
    way. ``quick`` keeps 40 series and one epoch: a smoke run, not a result. Returns the
    scores, the Naive2 reference, the training time and the settings."""
    df, horizon, season = load_m4(frequency)
    df = df.drop(columns="test")
    if quick:
        keep = df["unique_id"].drop_duplicates().iloc[:40]
        df = df[df["unique_id"].isin(keep)]
        epochs = 1
    settings = {**M4_PRESETS[frequency.lower()], **params}
    if model in BASELINES:
        settings = {"lookback": 2 * season if season > 1 else 2}
    fc = Forecaster(
        model=model,
        horizon=horizon,
        season_length=season,
        epochs=epochs,
        seed=seed,
        verbose=verbose,
        **settings,
    )
    start = time.perf_counter()
    fc.fit(df)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    ev = fc.evaluate(df, levels=[95])
    forecast_seconds = time.perf_counter() - start
    assert isinstance(ev, PanelEvaluation)  # long data
    result: dict[str, Any] = {
        "frequency": frequency.lower(),
        "model": model,
        "series": len(ev.ids),
        "horizon": horizon,
        "season_length": season,
        **{k: ev.metrics[k] for k in ("smape", "mase", "owa", "msis", "coverage_95")},
        "naive2_smape": ev.metrics["naive2_smape"],
        "naive2_mase": ev.metrics["naive2_mase"],
        "train_seconds": seconds,
        "forecast_seconds": forecast_seconds,
        "epochs": len(fc.history_),
        "best_epoch": fc.best_epoch_,
        "params": fc.n_params_,
        "settings": {**settings, "epochs": epochs, "seed": seed},
        "quick": quick,
    }
    # The same scores without the series whose test start appears in another series' past.
    overlap = overlapping_series(df, horizon)
    rest = ev.per_series.drop(index=overlap)
    result["overlap_series"] = overlap
    result["without_overlap"] = {
        "series": len(rest),
        "smape": float(rest["smape"].mean()),
        "mase": float(rest["mase"].mean()),
        "owa": float(
            owa(
                rest["smape"].mean(),
                rest["mase"].mean(),
                rest["naive2_smape"].mean(),
                rest["naive2_mase"].mean(),
            )
        ),
    }
    if model == "naive":  # M4's own naive intervals, beside the conformal ones
        histories = _histories(df, horizon)
        half = np.stack([random_walk_bands(h, horizon) for h in histories])
        scale = np.array([seasonal_scale(h, season) for h in histories])
        lo, hi = ev.y_pred - half, ev.y_pred + half
        result["msis_random_walk"] = float(interval_score(ev.y_true, lo, hi, scale).mean())
    return result


def run_m4_classic(frequency: str) -> list[dict[str, Any]]:
    """The organisers' SES, Holt, Damped, Theta and Comb rows computed here
    (:mod:`seqlab.bench.m4_classic`) on every series of M4 ``frequency``, each beside its
    published figures: ``matches`` says whether sMAPE, MASE and OWA agree to the three
    decimals published (OWA made of the rounded sMAPE and MASE, as the workbook's)."""
    df, horizon, season = load_m4(frequency)
    truth = np.stack([g.to_numpy() for _, g in df[df["test"]].groupby("unique_id", sort=True)["y"]])
    histories = _histories(df.drop(columns="test"), horizon)
    start = time.perf_counter()
    forecasts = classic_forecasts(histories, horizon, season)
    seconds = time.perf_counter() - start
    scale = np.array([seasonal_scale(h, season) for h in histories])
    naive2 = series_errors(truth, forecasts.pop("Naive2"), scale)
    n2_smape, n2_mase = float(naive2["smape"].mean()), float(naive2["mase"].mean())
    rows = []
    for name, point in forecasts.items():
        errors = series_errors(truth, point, scale)
        smape, mase = float(errors["smape"].mean()), float(errors["mase"].mean())
        scores = (smape, mase, owa(smape, mase, n2_smape, n2_mase))
        published = PUBLISHED[frequency.lower()][name][:3]
        # the workbook's OWA is made of the rounded sMAPE and MASE
        as_published = owa(*(round(v, 3) for v in (smape, mase, n2_smape, n2_mase)))
        rows.append(
            {
                "frequency": frequency.lower(),
                "model": f"{name} (organisers')",
                "series": len(histories),
                "smape": smape,
                "mase": mase,
                "owa": scores[2],
                "published": list(published),
                "matches": round(smape, 3) == published[0]
                and round(mase, 3) == published[1]
                and round(as_published, 3) == published[2],
                "seconds_all_five": seconds,
            }
        )
    return rows


def _histories(df, horizon: int) -> list[np.ndarray]:
    return [g.to_numpy()[:-horizon] for _, g in df.groupby("unique_id", sort=True)["y"]]
