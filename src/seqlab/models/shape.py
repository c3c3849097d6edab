"""What a forecasting model must know of the data, as one small frozen record."""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor

from seqlab.errors import ConfigError

__all__ = ["Shape", "need_future"]


@dataclass(frozen=True)
class Shape:
    """What a model must know of the data: window sizes, channels, and which inputs are targets.

    ``future_size`` F counts the future-known covariates: a model built for F > 0 takes
    ``forward(x (N, L, C_in), future (N, H, F))``, their values at the H steps it forecasts
    (each model's docstring says where it reads them).
    """

    lookback: int
    horizon: int
    input_size: int
    output_size: int
    target_index: tuple[int, ...]  # the input columns that are also outputs, in output order
    season_length: int = 1
    future_size: int = 0


def need_future(shape: Shape, future: Tensor | None, name: str) -> Tensor:
    """``future`` (N, H, F) as the model built for ``shape`` needs it, or one sentence."""
    if future is None or future.shape[1:] != (shape.horizon, shape.future_size):
        got = "none" if future is None else f"shape {tuple(future.shape)}"
        raise ConfigError(
            f"future of the {name} model must be the future covariates (N, "
            f"{shape.horizon}, {shape.future_size}); got {got}. Pass them as its second input.",
            param="future",
        )
    return future
