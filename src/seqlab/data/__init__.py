"""Data in: tables, checks, scalers, splits and windows."""

from seqlab.data.scaler import Scaler
from seqlab.data.table import check_series, future_index, infer_frequency, read_table
from seqlab.data.windows import Split, Windows, WindowSet, chronological_split

__all__ = [
    "Scaler",
    "Split",
    "WindowSet",
    "Windows",
    "check_series",
    "chronological_split",
    "future_index",
    "infer_frequency",
    "read_table",
]
