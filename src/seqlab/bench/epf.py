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
from typing import Any

import numpy as np
import pandas as pd

from seqlab.bench.lear import LEAR
from seqlab.data import read_table
from seqlab.errors import DataError

__all__ = [
    "ENSEMBLE",
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


# The files, found in SEQLAB_DATA_DIR (its epf/ folder) or the cache, else downloaded once:
# the markets from the paper's Zenodo record, the published forecasts from epftoolbox.
_FILES = {
    "NP.csv": "bf8653d15258652cdcad55b4c97e92e64b722dd77a2a79c4dc5928e35631ce16",
    "PJM.csv": "16b2e16f71ab1767dff41d69ad15d52ab4c741073172acf327363613e796313d",
    "BE.csv": "47204e5f387e5227d814378573453a669224a58d2ed3b60640d1c117f48ef008",
    "Forecasts_NP_DNN_LEAR_ensembles.csv": (
        "683fd04acca5b0593eaf5afeb06b6d9bfae1f9efb8d4ac7555c1182382674849"
    ),
    "Forecasts_PJM_DNN_LEAR_ensembles.csv": (
        "35c4ce9426dfd43857c8067e86f746c22ad3ab3e45b88a691fbf4cb49b13e998"
    ),
    "Forecasts_BE_DNN_LEAR_ensembles.csv": (
        "112c5e17774151784bb4aa5f031e3633c9d3595b18baae7945fb64878970c28d"
    ),
}
_URLS = {
    "market": "https://zenodo.org/records/4624805/files/{name}?download=1",
    "forecasts": "https://raw.githubusercontent.com/jeslago/epftoolbox/master/forecasts/{name}",
}
# The public holidays each market's prices follow (Nord Pool: the Norwegian calendar).
COUNTRIES = {"NP": "NO", "PJM": "US", "BE": "BE"}
RECALIBRATIONS = {"none": 0, "weekly": 7, "daily": 1}  # days between refits
# The models `seqlab bench epf` averages by default: the subset of dlinear, nbeats, gru, lstm,
# segrnn and lear whose mean forecast scored best on the year before each market's test part
# (``python benchmarks/epf.py --select``; docs/results/epf.md).
ENSEMBLE = "segrnn,lear"


def market_files(source: str) -> tuple[Path, Path | None]:
    """The market file and the published forecasts (None when absent) of ``source``: a
    market name (NP, PJM, BE) or the path of a file of that shape."""
    from seqlab.datasets.files import dataset_file

    if source.upper() in MARKETS:
        market = source.upper()
        found = [
            dataset_file("epf", name, _FILES[name], _URLS[kind].format(name=name))
            for name, kind in (
                (f"{market}.csv", "market"),
                (f"Forecasts_{market}_DNN_LEAR_ensembles.csv", "forecasts"),
            )
        ]
        return found[0], found[1]
    path = Path(source)
    if not path.is_file():
        raise DataError(
            f"market of seqlab bench epf must be NP, PJM, BE or a file; got {source!r}, which is "
            "neither. Name a market, or give the path of a CSV with a date and a price column.",
            param="market",
        )
    published = path.with_name(f"Forecasts_{path.stem}_DNN_LEAR_ensembles.csv")
    return path, published if published.is_file() else None


# Each network's size when run_epf is given no hidden_size/num_layers (a network not named here:
# 64 wide, 2 layers): N-BEATS as NBEATSx (3 blocks of 512), the others small (a day-ahead
# model trains on ~1,000 days).
RECIPES: dict[str, dict[str, int]] = {
    "nbeats": {"hidden_size": 512, "num_layers": 3},
    "patchtst": {"hidden_size": 64, "num_layers": 2},
    "transformer": {"hidden_size": 64, "num_layers": 2},
    "tcn": {"hidden_size": 64, "num_layers": 2},
    "rnn": {"hidden_size": 64, "num_layers": 1},
    "lstm": {"hidden_size": 64, "num_layers": 1},
    "gru": {"hidden_size": 64, "num_layers": 1},
    "segrnn": {"hidden_size": 64, "num_layers": 1},
}


def _fit(df: pd.DataFrame, end: pd.Timestamp, settings: dict, seeds: list[int]) -> list:
    """One Forecaster per seed, fitted on the four years before ``end`` (the last
    ``val_days`` of them for early stopping); nothing at or after ``end`` is read."""
    from seqlab.tasks.forecasting.forecaster import Forecaster

    params = dict(settings)
    val_days = params.pop("val_days")
    start = end - pd.Timedelta(days=4 * 364)
    window = df.loc[(df.index >= start) & (df.index < end)]
    val_start = end - pd.Timedelta(days=val_days)
    # split_dates: validation from val_start, "test" = the last day (never trained on: the
    # Forecaster must have a test part; forecasts for the benchmark are made day by day).
    last = end - pd.Timedelta(days=1)
    dates = (str(val_start), str(last))
    return [Forecaster(**params, split_dates=dates, seed=s).fit(window) for s in seeds]


def _day_ahead(
    members: dict[str, Any], df: pd.DataFrame, day: pd.Timestamp, exog: list[str]
) -> dict[str, np.ndarray]:
    """Each member's 24 forecasts of ``day`` (the mean over its seeds) from the rows before
    it and the exogenous forecasts of ``day`` itself."""
    out = {}
    future = df.loc[day : day + pd.Timedelta(hours=23), exog]
    for name, models in members.items():
        if isinstance(models, LEAR):
            out[name] = models.predict(day)
            continue
        before = df.loc[df.index < day].iloc[-(models[0].lookback + 48) :]
        runs = [fc.predict(before, future=future)["price"].to_numpy() for fc in models]
        out[name] = np.mean(runs, axis=0)
    return out


def run_epf(
    source: str,
    *,
    model: str = "nbeats",
    price: str | None = None,
    before: str | None = None,
    future: bool = True,
    recalibration: str = "weekly",
    lear_recalibration: str | None = None,
    seeds: int = 4,
    epochs: int = 300,
    lookback: int = 168,
    hidden_size: int | None = None,
    num_layers: int | None = None,
    dropout: float = 0.2,
    revin: bool = True,
    weight_decay: float = 1e-4,
    lr: float = 1e-3,
    batch_size: int = 128,
    patience: int = 30,
    val_days: int = 364,
    test_days: int = TEST_DAYS,
    update_days: int = 364,
    update_epochs: int = 1,
    step: int = 24,
    scaler: str = "standard",
    verbose: bool = False,
) -> dict:
    """The day-ahead protocol on one market: ``seeds`` models of each network of ``model`` (one
    name, or several comma-separated: "nbeats,dlinear,gru"; the forecast is the mean of the
    networks' means over their seeds; "lear" is the paper's LASSO model,
    :class:`seqlab.bench.lear.LEAR`, re-estimated at each of its ``lear_recalibration``, by
    default the networks' ``recalibration``) trained on the four years before the test part,
    forecasting its days one at a time from the prices before each day and, with ``future``,
    the day's exogenous forecasts, calendar and public holidays; with ``recalibration`` "weekly" or
    "daily", trained further every 7th or every day on the ``update_days`` before it for
    ``update_epochs`` epochs, from the current weights (:meth:`Forecaster.update`; the paper's
    models are re-estimated from scratch every day instead). ``hidden_size`` and ``num_layers``
    apply to every network; None takes each one's size from :data:`RECIPES`. ``before``: a date;
    the rows from it on are not read and the test part is the ``test_days`` before it (a
    validation period on which to choose the networks without seeing the protocol's test part).
    Returns the scores (and each network's, ``members``), the DM tests against the published
    forecasts (when present), the times, and the daily forecasts (``forecast``, days × 24)."""
    import time

    lear_recalibration = lear_recalibration or recalibration
    for param, value in (
        ("recalibration", recalibration),
        ("lear_recalibration", lear_recalibration),
    ):
        if value not in RECALIBRATIONS:
            raise DataError(
                f"{param} must be one of none, weekly, daily; got {value!r}. Pick one.",
                param=param,
            )
    from seqlab.models import REGISTRY

    names = [m.strip() for m in model.split(",") if m.strip()]
    unknown = [m for m in names if m not in REGISTRY and m != "lear"]
    if not names or unknown:
        raise DataError(
            f"model must name networks of the zoo or lear, comma-separated; got {model!r}"
            f"{f' ({unknown[0]!r} is not one)' if unknown else ''}. Pick from "
            f"{', '.join(sorted([*REGISTRY, 'lear']))}.",
            param="model",
        )
    path, published_path = market_files(source)
    df = read_epf(path, price)
    if before is not None:
        try:
            df = df.loc[df.index < pd.Timestamp(before)]
        except ValueError:
            raise DataError(
                f"before must be a date such as 2016-12-27; got {before!r}. Pass a date.",
                param="before",
            ) from None
    exog = [c for c in df.columns if c != "price"]
    days = pd.DatetimeIndex(df.index).normalize().unique()[-test_days:]
    country = COUNTRIES.get(source.upper()) if future else None
    settings = {
        "target": "price",
        "features": exog,
        "future_features": exog if future else None,
        "calendar": future,
        "holidays": country,
        "lookback": lookback,
        "horizon": 24,
        "dropout": dropout,
        "revin": revin,
        "scaler": scaler,
        "weight_decay": weight_decay,
        "loss": "mae",
        "step": step,
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "patience": patience,
        "val_days": val_days,
        "verbose": verbose,
    }
    sizes = {
        name: {
            "hidden_size": hidden_size or RECIPES.get(name, {}).get("hidden_size", 64),
            "num_layers": num_layers or RECIPES.get(name, {}).get("num_layers", 2),
        }
        for name in names
        if name != "lear"
    }
    lear = LEAR(df, exog=future) if "lear" in names else None  # its shape checked up front
    every = RECALIBRATIONS[recalibration] or len(days)
    lear_every = RECALIBRATIONS[lear_recalibration] or len(days)
    train_seconds, update_seconds, predict_seconds, updates = 0.0, 0.0, 0.0, 0
    forecasts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    members: dict[str, Any] = {}
    for i, day in enumerate(days):
        start = time.perf_counter()
        if i == 0:
            for name in names:
                if name == "lear" and lear is not None:
                    members[name] = lear.fit(day)
                    continue
                members[name] = _fit(
                    df, day, {**settings, "model": name, **sizes[name]}, list(range(seeds))
                )
            train_seconds += time.perf_counter() - start
            start = time.perf_counter()
        for models in members.values():
            if isinstance(models, LEAR):  # re-estimated on the windows before the day
                if i and i % lear_every == 0:
                    models.fit(day)
            elif i and i % every == 0:  # trained on the latest rows, from the current weights
                recent = df.loc[
                    (df.index >= day - pd.Timedelta(days=update_days)) & (df.index < day)
                ]
                for fc in models:
                    fc.update(recent, epochs=update_epochs)
        if i and (i % every == 0 or ("lear" in members and i % lear_every == 0)):
            update_seconds += time.perf_counter() - start
            updates += 1
        start = time.perf_counter()
        for name, values in _day_ahead(members, df, day, exog).items():
            forecasts[name].append(values)
        predict_seconds += time.perf_counter() - start
    each = {name: np.stack(values) for name, values in forecasts.items()}  # (days, 24) each
    forecast = np.mean(list(each.values()), axis=0)
    hours = pd.date_range(days[0], periods=24 * len(days), freq="h")
    truth = df["price"].reindex(hours).to_numpy().reshape(-1, 24)
    naive = naive_day_ahead(df["price"], days).to_numpy().reshape(-1, 24)
    rows = {"seqlab": epf_scores(truth, forecast, naive), "naive": epf_scores(truth, naive, naive)}
    dm: dict[str, dict[str, float]] = {}
    published = None if published_path is None else read_published(published_path)
    if published is not None and hours.isin(published.index).all():
        published = published.reindex(hours)
        for name in ("LEAR Ensemble", "DNN Ensemble"):
            theirs = published[name].to_numpy().reshape(-1, 24)
            rows[name] = epf_scores(truth, theirs, naive)
            dm[name] = {
                "p_seqlab_better": dm_test(truth, theirs, forecast),
                "p_published_better": dm_test(truth, forecast, theirs),
            }
    return {
        "market": source.upper() if source.upper() in MARKETS else str(path),
        "model": model,
        "future": future,
        "recalibration": recalibration,
        **({"lear_recalibration": lear_recalibration} if "lear" in names else {}),
        "seeds": seeds,
        "settings": {k: v for k, v in settings.items() if k != "verbose"} | {"sizes": sizes},
        "test": [str(days[0].date()), str(days[-1].date())],
        "rows": rows,
        "members": {name: epf_scores(truth, values, naive) for name, values in each.items()},
        "dm": dm,
        "updates": updates,
        "update_days": update_days,
        "update_epochs": update_epochs,
        "train_seconds": train_seconds,
        "update_seconds": update_seconds,
        "predict_seconds": predict_seconds,
        "forecast": forecast,
        "member_forecasts": each,
        "days": [str(d.date()) for d in days],
    }
