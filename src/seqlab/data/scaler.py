"""Per-column scalers, fitted on the training rows only and saved as plain JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqlab.errors import check, one_of

__all__ = ["Scaler"]


@dataclass
class Scaler:
    """x' = (x - center) / scale per column: "standard" (mean, std), "minmax" (min, max - min)
    or "none" (0, 1); "asinh" is x' = asinh((x - median) / MAD), MAD the median absolute
    deviation over 0.6745: the variance-stabilising transform of electricity-price forecasting
    ([1]), which keeps spikes from dominating a squared or absolute loss. Constant columns get
    scale 1, so they pass through shifted, never as NaN.

    .. [1] Uniejewski, Weron & Ziel (2018). Variance stabilizing transformations for
           electricity spot price forecasting. IEEE Transactions on Power Systems 33(2).

    Example:
        >>> s = Scaler("standard").fit(np.array([[1.0], [3.0]]))
        >>> s.transform(np.array([[3.0]]))
        array([[1.]])
    """

    kind: str = "standard"
    center: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        kinds = one_of("standard", "minmax", "none", "asinh")
        check("Scaler", {"kind": kinds}, {"kind": self.kind})

    def fit(self, values: np.ndarray) -> Scaler:
        if self.kind == "standard":
            center, scale = values.mean(axis=0), values.std(axis=0)
        elif self.kind == "minmax":
            center, scale = values.min(axis=0), values.max(axis=0) - values.min(axis=0)
        elif self.kind == "asinh":
            center = np.median(values, axis=0)
            scale = np.median(np.abs(values - center), axis=0) / 0.6745
        else:
            center, scale = np.zeros(values.shape[1]), np.ones(values.shape[1])
        self.center = center.astype(np.float64)
        self.scale = np.where(scale > 0, scale, 1.0).astype(np.float64)
        return self

    def _params(self, columns: list[int] | None) -> tuple[np.ndarray, np.ndarray]:
        if self.center is None or self.scale is None:
            raise RuntimeError("Scaler.fit must run before transform")
        cols = slice(None) if columns is None else columns
        return self.center[cols], self.scale[cols]

    def transform(self, values: np.ndarray, columns: list[int] | None = None) -> np.ndarray:
        center, scale = self._params(columns)
        if self.kind == "asinh":
            return np.arcsinh((values - center) / scale)
        return (values - center) / scale

    def inverse_transform(self, values: np.ndarray, columns: list[int] | None = None) -> np.ndarray:
        center, scale = self._params(columns)
        if self.kind == "asinh":
            return np.sinh(values) * scale + center
        return values * scale + center

    def to_dict(self) -> dict[str, Any]:
        center, scale = self._params(None)
        return {"kind": self.kind, "center": center.tolist(), "scale": scale.tolist()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Scaler:
        return cls(d["kind"], np.asarray(d["center"], float), np.asarray(d["scale"], float))
