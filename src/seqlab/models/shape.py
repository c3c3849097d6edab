"""What a forecasting model must know of the data, as one small frozen record."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Shape"]


@dataclass(frozen=True)
class Shape:
    """What a model must know of the data: window sizes, channels, and which inputs are targets."""

    lookback: int
    horizon: int
    input_size: int
    output_size: int
    target_index: tuple[int, ...]  # the input columns that are also outputs, in output order
    season_length: int = 1
