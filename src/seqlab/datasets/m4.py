"""M4 Hourly and Weekly: the many-series benchmark, with the organisers' train/test split.

.. [1] Makridakis, Spiliotis & Assimakopoulos (2020). The M4 Competition: 100,000 time
       series and 61 forecasting methods. International Journal of Forecasting 36(1).
       Data: github.com/Mcompetitions/M4-methods (``Dataset/``), for research use.

The files (wide: one series per row, padded with empty fields) come from ``SEQLAB_DATA_DIR``,
the cache, or one download of the organisers' repository at a pinned commit, checked
against its SHA-256 (:func:`seqlab.datasets.files.dataset_file`). M4 gave no dates, so time
is the step number 1, 2, ... of each series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqlab.datasets.files import dataset_file
from seqlab.errors import DataError

__all__ = ["M4_FILES", "M4_FREQUENCIES", "load_m4"]

COMMIT = "6c1067e5a57161249b17289a565178dc7a3fb3ca"
URL = (
    f"https://raw.githubusercontent.com/Mcompetitions/M4-methods/{COMMIT}/Dataset/{{part}}/{{name}}"
)

M4_FILES = {
    "Hourly-train.csv": "ea59b7783573c49077a835ab6465c7d66f1474783360f310988a9a737fbca62f",
    "Hourly-test.csv": "71a57fccb15e534d973626ada4fb87febf789e9317715b7cc6dd3b5f90db6f42",
    "Weekly-train.csv": "d478d3f6ed673e6ed3c2cb0fbed5425f72eedd51318ebebeb0b5ecfcefc37714",
    "Weekly-test.csv": "3b2bc4be8e636e802260dcd843ca3c5da40536a1fbe1ecb3229a97dae4f44688",
}

# frequency -> (horizon, season length M4 used: in MASE, seasonal naive and Naive2)
M4_FREQUENCIES = {"hourly": (48, 24), "weekly": (13, 1)}


def _wide(name: str) -> pd.DataFrame:
    part = "Train" if name.endswith("train.csv") else "Test"
    path = dataset_file("m4", name, M4_FILES[name], URL.format(part=part, name=name))
    return pd.read_csv(path, index_col=0)


def load_m4(frequency: str) -> tuple[pd.DataFrame, int, int]:
    """M4's ``frequency`` (hourly or weekly) as one long frame (``unique_id``, ``ds`` the step
    number, ``y``, ``test`` True on the organisers' last H rows of each series), with its
    horizon and season length.

    Example:
        >>> df, horizon, season = load_m4("weekly")                       # doctest: +SKIP
        >>> df.groupby("unique_id").size().min(), horizon, season          # doctest: +SKIP
        (93, 13, 1)
    """
    key = frequency.lower()
    if key not in M4_FREQUENCIES:
        raise DataError(
            f"frequency of the M4 benchmark must be one of {', '.join(M4_FREQUENCIES)}; got "
            f"{frequency!r}. The other M4 frequencies are not on hand.",
            param="frequency",
        )
    stem = key.capitalize()
    train, test = _wide(f"{stem}-train.csv"), _wide(f"{stem}-test.csv")
    ids, rows, ys, tests = [], [], [], []
    for sid, tr, te in zip(train.index, train.to_numpy(), test.to_numpy(), strict=True):
        history = tr[~np.isnan(tr)]
        y = np.concatenate([history, te])
        ids.append(np.full(len(y), sid, dtype=object))
        rows.append(np.arange(1, len(y) + 1))
        ys.append(y)
        tests.append(np.arange(len(y)) >= len(history))
    frame = pd.DataFrame(
        {
            "unique_id": np.concatenate(ids),
            "ds": np.concatenate(rows),
            "y": np.concatenate(ys),
            "test": np.concatenate(tests),
        }
    )
    horizon, season = M4_FREQUENCIES[key]
    return frame, horizon, season
