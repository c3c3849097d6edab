"""Covariates known ahead for any date: the calendar and public holidays.

Both are functions of the timestamp alone, so a forecaster can generate them for the steps it
forecasts as well as for its history: future covariates that need no file.

.. [1] The ``holidays`` package (https://github.com/vacanza/holidays): public holidays of
       about 200 countries and their subdivisions, computed for any year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqlab.errors import ConfigError

__all__ = ["calendar_frame", "check_country", "holiday_column"]

# name, period, the timestamp's position in it
_CYCLES = (
    ("hour", 24, lambda t: t.hour),
    ("weekday", 7, lambda t: t.day_of_week),
    ("month", 12, lambda t: t.month - 1),
)


def calendar_frame(times: pd.DatetimeIndex, step: pd.Timedelta) -> pd.DataFrame:
    """Sine and cosine of the hour of day (for steps under a day), the day of the week (under
    a week) and the month, for every timestamp: smooth, and December next to January.

    Example:
        >>> t = pd.date_range("2024-01-01", periods=2, freq="h")
        >>> list(calendar_frame(t, pd.Timedelta(hours=1)).columns)[:3]
        ['hour_sin', 'hour_cos', 'weekday_sin']
    """
    limits = {"hour": pd.Timedelta(days=1), "weekday": pd.Timedelta(days=7)}
    columns = {}
    for name, period, part in _CYCLES:
        if name in limits and step >= limits[name]:
            continue
        angle = 2 * np.pi * np.asarray(part(times), dtype=np.float64) / period
        columns[f"{name}_sin"], columns[f"{name}_cos"] = np.sin(angle), np.cos(angle)
    return pd.DataFrame(columns, index=times)


def check_country(country: str) -> None:
    """Stop with one sentence unless ``country`` is a code the holidays package knows."""
    try:
        import holidays
    except ImportError:
        raise ConfigError(
            f"holidays needs the holidays package; got holidays={country!r} "
            "without it. Install it: pip install 'seqlab[forecast]'.",
            param="holidays",
        ) from None
    known = holidays.list_supported_countries()
    if country not in known:
        close = [c for c in sorted(known) if c[:1] == country[:1].upper()][:8]
        raise ConfigError(
            f"holidays must be a country code of the holidays package (ISO 3166-1 alpha-2, "
            f"such as US, DE, CN, NO, BE); got {country!r}. Codes starting alike: "
            f"{', '.join(close) or 'none'}.",
            param="holidays",
        )


def holiday_column(times: pd.DatetimeIndex, country: str) -> pd.Series:
    """1.0 on the public holidays of ``country`` (every hour of such a day), 0.0 elsewhere.

    Example:
        >>> t = pd.date_range("2024-12-24", periods=3, freq="D")
        >>> holiday_column(t, "NO").tolist()
        [0.0, 1.0, 1.0]
    """
    check_country(country)  # first: one sentence when the package is missing
    import holidays

    days = holidays.country_holidays(country, years=range(times.year.min(), times.year.max() + 1))
    on = np.isin(np.asarray(times.date), np.array(list(days.keys())))  # the local day
    return pd.Series(on.astype(np.float64), index=times, name="holiday")
