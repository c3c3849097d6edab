"""The EPF day-ahead electricity price benchmark: its files, naive forecast and scores.

Protocol ([1]; the ``epftoolbox`` library): on day d-1 a forecaster knows the prices up to
the end of day d-1 and the exogenous day-ahead forecasts of day d (load, wind, generation,
published before the auction), and forecasts the 24 prices of day d. The last 728 days (104
weeks) are the test part, the four years before are for training and validation. Scores: MAE,
rMAE (MAE over the naive forecast's), sMAPE and RMSE over every hour of the test part, and the
multivariate Diebold–Mariano test [2] on the days' 24-hour error vectors.

.. [1] Lago, Marcjasz, De Schutter & Weron (2021). Forecasting day-ahead electricity prices:
       A review of state-of-the-art algorithms, best practices and an open-access benchmark.
       Applied Energy 293, 116983.
.. [2] Diebold & Mariano (1995). Comparing predictive accuracy. Journal of Business &
       Economic Statistics 13(3); the multivariate form on daily vectors as in [1].
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from seqlab.data import read_table
from seqlab.errors import DataError

__all__ = [
    "MARKETS",
    "TEST_DAYS",
    "dm_test",
    "epf_scores",
    "naive_day_ahead",
    "read_epf",
    "read_published",
]

TEST_DAYS = 728
# Per market: the published whole-test-period MAE of the naive forecast and of the paper's
# LEAR and DNN ensembles (computed from epftoolbox's Forecasts_<market>_DNN_LEAR_ensembles.csv).
MARKETS: dict[str, dict[str, float]] = {
    "NP": {"naive": 3.165, "LEAR Ensemble": 1.738, "DNN Ensemble": 1.683},
    "PJM": {"naive": 4.846, "LEAR Ensemble": 3.013, "DNN Ensemble": 2.862},
    "BE": {"naive": 8.203, "LEAR Ensemble": 6.140, "DNN Ensemble": 5.870},
}


def read_epf(path: str | Path, price: str | None = None) -> pd.DataFrame:
    """An EPF market file, read as every table is (:func:`seqlab.data.read_table`: the
    library's ``Date, Price, Grid load forecast, ...`` headers lose the spaces after their
    commas), as an hourly frame: the price column renamed ``price``, the exogenous columns
    after it.

    ``price``: the price column's name; None takes the one named "Price" (any case), else
    the first column after the dates.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "market.csv"
        >>> _ = path.write_text("Date, Price, Load\\n" + "".join(
        ...     f"2020-01-01 {h:02d}:00:00,{h},{100 + h}\\n" for h in range(24)))
        >>> read_epf(path).columns.tolist()
        ['price', 'Load']
    """
    frame = read_table(path)
    frame.index.name = "date"
    names = {c.lower(): c for c in frame.columns}
    if price is None:
        price = names.get("price", frame.columns[0])
    elif price not in frame.columns:
        raise DataError(
            f"the price column {price!r} is not in the file (its columns: "
            f"{', '.join(frame.columns)}); pass one of them as price."
        )
    if len(frame) % 24:
        raise DataError(
            f"an EPF file holds whole days of 24 hours; this one has {len(frame)} rows, "
            f"{len(frame) % 24} past the last whole day."
        )
    others = [c for c in frame.columns if c != price]
    return frame[[price, *others]].rename(columns={price: "price"})


def read_published(path: str | Path) -> pd.DataFrame:
    """epftoolbox's ``Forecasts_<market>_DNN_LEAR_ensembles.csv``: the test period's real
    prices and the paper's forecasts, one column each, hourly (read by
    :func:`seqlab.data.read_table`)."""
    frame = read_table(path)
    frame.index.name = "date"
    return frame


def naive_day_ahead(prices: pd.Series, days: pd.DatetimeIndex) -> pd.Series:
    """The benchmark's naive forecast of ``days`` from the hourly ``prices``: the same hour a
    week before on Mondays, Saturdays and Sundays, the day before on the other days.

    Example:
        >>> hours = pd.date_range("2020-01-01", periods=24 * 9, freq="h")
        >>> p = pd.Series(np.arange(24 * 9, dtype=float), index=hours)
        >>> days = pd.DatetimeIndex(["2020-01-08", "2020-01-09"])  # a Wednesday, a Thursday
        >>> naive_day_ahead(p, days).iloc[[0, 24]].tolist()
        [144.0, 168.0]
    """
    out = []
    for day in days:
        back = 7 if day.day_of_week in (0, 5, 6) else 1
        start = day - pd.Timedelta(days=back)
        window = prices.loc[start : start + pd.Timedelta(hours=23)]
        if len(window) != 24:
            raise DataError(
                f"the naive forecast of {day.date()} needs the 24 prices of {start.date()}, "
                f"which the data does not hold in full."
            )
        hours = pd.date_range(day, periods=24, freq="h")
        out.append(pd.Series(window.to_numpy(), index=hours))
    return pd.concat(out)


def epf_scores(truth: np.ndarray, forecast: np.ndarray, naive: np.ndarray) -> dict[str, float]:
    """MAE, rMAE (against ``naive``), sMAPE in % and RMSE over every hour given.

    Example:
        >>> s = epf_scores(np.array([10.0, 20.0]), np.array([12.0, 20.0]), np.array([14.0, 20.0]))
        >>> s["mae"], s["rmae"], round(s["smape"], 3)
        (1.0, 0.5, 9.091)
    """
    truth, forecast, naive = (np.asarray(a, dtype=float).ravel() for a in (truth, forecast, naive))
    error = np.abs(truth - forecast)
    mae = float(error.mean())
    return {
        "mae": mae,
        "rmae": mae / float(np.abs(truth - naive).mean()),
        "smape": float(100 * np.mean(2 * error / (np.abs(truth) + np.abs(forecast)))),
        "rmse": float(np.sqrt(np.mean(error**2))),
    }


def dm_test(truth: np.ndarray, first: np.ndarray, second: np.ndarray, norm: int = 1) -> float:
    """The multivariate Diebold–Mariano test of [1]: p-value of "``second`` is more accurate
    than ``first``", on days of 24 hours (arrays of shape (days, 24), or flat and whole days).

    Each day's loss is the ``norm`` (1 or 2) of its 24 errors; d_t is ``first``'s loss minus
    ``second``'s; the statistic mean(d) / sqrt(var(d) / N) is read against the standard
    normal, one-sided. A small p-value (< 0.05) says ``second`` is significantly better.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> y = rng.normal(size=(200, 24))
        >>> good, bad = y + 0.1 * rng.normal(size=y.shape), y + rng.normal(size=y.shape)
        >>> dm_test(y, bad, good) < 0.01, dm_test(y, good, bad) > 0.99
        (True, True)
    """
    truth, first, second = (
        np.asarray(a, dtype=float).reshape(-1, 24) for a in (truth, first, second)
    )
    if norm not in (1, 2):
        raise DataError(f"norm must be 1 or 2, got {norm!r}.")
    loss_first = np.linalg.norm(truth - first, ord=norm, axis=1)
    loss_second = np.linalg.norm(truth - second, ord=norm, axis=1)
    d = loss_first - loss_second
    spread = float(d.var())
    if spread == 0.0:
        return 0.5  # the same losses every day: no evidence either way
    statistic = float(d.mean()) / math.sqrt(spread / len(d))
    return 0.5 * math.erfc(statistic / math.sqrt(2))  # P(Z > statistic)
