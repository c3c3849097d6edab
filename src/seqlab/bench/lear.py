"""LEAR, the EPF paper's statistical reference model, estimated by seqlab ([1], section 4.1).

For each hour h of day d a linear model reads 247 inputs (with two exogenous columns): the
24 prices of days d-1, d-2, d-3 and d-7, the 24 values of each exogenous forecast on days d,
d-1 and d-7, and the day of the week (7 dummies). Inputs and prices are variance-stabilised
as in [2] (median and MAD normalisation, then asinh). Each hour's coefficients are
estimated as the paper's code (epftoolbox) estimated them: the penalty is the one that
minimises the AIC along the LARS path on unit-norm columns (scikit-learn's ``LassoLarsIC``
with the ``normalize=True`` and noise variance ``var(y)`` of the scikit-learn of the time),
and the coefficients are the LASSO's at that penalty on the inputs as they are, by coordinate
descent (``Lasso``, at most 2500 sweeps). On the first ten NP test days this reproduces the
published forecasts of the 1092- and 1456-day windows to 0.011 and 0.010 EUR/MWh on average;
those of the 56- and 84-day windows differ by 0.63 and 0.74. The LEAR ensemble averages four
calibration windows: the 56, 84, 1092 and 1456 days before d; one estimation of all four
takes about 5 s on one core.

The paper re-estimates LEAR every day of the test period; :func:`seqlab.bench.epf.run_epf`
re-estimates it at each recalibration (``recalibration="daily"`` is the paper's protocol).
scikit-learn comes with the ``stats`` extra.

.. [1] Lago, Marcjasz, De Schutter & Weron (2021). Forecasting day-ahead electricity prices:
       A review of state-of-the-art algorithms, best practices and an open-access benchmark.
       Applied Energy 293, 116983.
.. [2] Uniejewski, Weron & Ziel (2018). Variance stabilizing transformations for electricity
       spot price forecasting. IEEE Transactions on Power Systems 33(2).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from seqlab.errors import DataError

__all__ = ["LEAR", "WINDOWS"]

WINDOWS = (56, 84, 1092, 1456)  # calibration windows in days, averaged
PRICE_LAGS = (1, 2, 3, 7)  # days of the prices read
EXOG_LAGS = (0, 1, 7)  # days of each exogenous forecast read (0: the forecast day itself)
_MAD_TO_SIGMA = 0.6744897501960817  # the normal distribution's MAD, as statsmodels' mad()


def _sklearn() -> tuple[Any, Any]:
    try:
        from sklearn.linear_model import Lasso, LassoLarsIC
    except ImportError:
        raise DataError(
            "the LEAR model needs the scikit-learn package; got it missing. "
            "Install it with pip install 'seqlab[stats]'.",
            param="model",
        ) from None
    return Lasso, LassoLarsIC


def _invariant(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column's median and its MAD scaled to a standard deviation (1 where it is 0)."""
    median = np.median(values, axis=0)
    mad = np.median(np.abs(values - median), axis=0) / _MAD_TO_SIGMA
    return median, np.where(mad > 0, mad, 1.0)


class LEAR:
    """The LEAR ensemble on one market's hourly frame (``price`` and the exogenous columns, 24
    rows a day from midnight). :meth:`fit` estimates it on the days before a date, reading no
    row from it on; :meth:`predict` forecasts a day from the prices before it and the day's
    own exogenous values. ``exog=False`` drops the exogenous inputs (the ablation).

    Example:
        >>> hours = pd.date_range("2020-01-01", periods=24 * 260, freq="h")
        >>> t = np.arange(len(hours))
        >>> noise = np.random.default_rng(0).normal(size=len(t))
        >>> load = 50 + 10 * np.sin(2 * np.pi * t / 24) + noise
        >>> df = pd.DataFrame({"price": 0.5 * load + 3, "load": load}, index=hours)
        >>> day = pd.Timestamp("2020-09-10")
        >>> model = LEAR(df, windows=(200,)).fit(day)
        >>> truth = df.loc[day : day + pd.Timedelta(hours=23), "price"].to_numpy()
        >>> bool(np.abs(model.predict(day) - truth).max() < 0.1)
        True
    """

    def __init__(self, df: pd.DataFrame, windows: tuple[int, ...] = WINDOWS, exog: bool = True):
        if len(df) % 24 or pd.Timestamp(df.index[0]).hour != 0:
            raise DataError(
                f"LEAR needs 24 hourly rows a day from midnight; got {len(df)} rows from "
                f"{df.index[0]}. Pass the market's whole days.",
                param="data",
            )
        self.windows = tuple(windows)
        self.days = pd.DatetimeIndex(df.index[::24]).normalize()
        self.prices = df["price"].to_numpy(dtype=float).reshape(-1, 24)
        columns = [c for c in df.columns if c != "price"] if exog else []
        blocks = [np.roll(self.prices, k, axis=0) for k in PRICE_LAGS]
        for column in columns:
            values = df[column].to_numpy(dtype=float).reshape(-1, 24)
            blocks += [np.roll(values, k, axis=0) for k in EXOG_LAGS]
        # Row d holds day d's inputs: prices of days before d only, exogenous values up to d.
        self.inputs = np.concatenate(blocks, axis=1)
        self.inputs[: max(PRICE_LAGS)] = np.nan  # rolled around from the end: never used
        self.weekday = np.eye(7)[self.days.dayofweek]
        self.fits: list[tuple] = []

    def _index(self, day: pd.Timestamp) -> int:
        index = int(self.days.searchsorted(pd.Timestamp(day)))
        if index >= len(self.days) or self.days[index] != pd.Timestamp(day):
            raise DataError(
                f"LEAR holds no day {day}; got days {self.days[0].date()} on. Pass one of them."
            )
        return index

    def _design(self, rows: np.ndarray, median: np.ndarray, mad: np.ndarray) -> np.ndarray:
        return np.hstack([np.arcsinh((self.inputs[rows] - median) / mad), self.weekday[rows]])

    def fit(self, end: pd.Timestamp) -> LEAR:
        """Estimate one model per hour and window on the days before ``end``."""
        Lasso, LassoLarsIC = _sklearn()
        last = self._index(end)
        self.fits = []
        for window in self.windows:
            rows = np.arange(max(last - window + max(PRICE_LAGS), max(PRICE_LAGS)), last)
            if len(rows) < 2 * max(PRICE_LAGS):
                raise DataError(
                    f"LEAR's {window}-day window before {end} holds {len(rows)} usable days; "
                    f"it needs at least 14. Pass a longer history.",
                    param="data",
                )
            x_median, x_mad = _invariant(self.inputs[rows])
            y_median, y_mad = _invariant(self.prices[rows])
            design = self._design(rows, x_median, x_mad)
            targets = np.arcsinh((self.prices[rows] - y_median) / y_mad)
            # The penalty is the one LassoLarsIC picks by AIC on unit-norm columns (its
            # normalize=True in the scikit-learn of the paper's code, epftoolbox); the
            # coefficients are then the LASSO's at that penalty on the design itself, by
            # coordinate descent (at most 2500 sweeps, as there) on the shared Gram matrix.
            design_mean, target_mean = design.mean(axis=0), targets.mean(axis=0)
            centred = design - design_mean
            norms = np.sqrt(np.square(centred).sum(axis=0))
            unit = centred / np.where(norms > 0, norms, 1.0)
            gram = centred.T @ centred
            coefs = np.zeros((24, design.shape[1]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # LARS's early stops, CD's sweep cap
                for h in range(24):
                    y = targets[:, h] - target_mean[h]
                    noise = float(np.var(y)) or 1.0
                    path = LassoLarsIC(criterion="aic", max_iter=2500, noise_variance=noise)
                    alpha = path.fit(unit, y).alpha_
                    lasso = Lasso(alpha, max_iter=2500, precompute=gram, fit_intercept=False)
                    coefs[h] = lasso.fit(centred, y).coef_
            self.fits.append((x_median, x_mad, y_median, y_mad, design_mean, coefs, target_mean))
        return self

    def predict(self, day: pd.Timestamp) -> np.ndarray:
        """The 24 prices of ``day``: the mean of the windows' forecasts."""
        if not self.fits:
            raise DataError("LEAR must be fitted before it forecasts; call fit(end) first.")
        row = np.array([self._index(day)])
        out = []
        for x_median, x_mad, y_median, y_mad, design_mean, coefs, target_mean in self.fits:
            design = self._design(row, x_median, x_mad)[0]
            scaled = coefs @ (design - design_mean) + target_mean
            out.append(np.sinh(scaled) * y_mad + y_median)
        return np.mean(out, axis=0)
