"""The M4 organisers' statistical benchmarks, computed here: SES, Holt, Damped, Theta and Comb.

``Benchmarks and Evaluation.R`` (Mcompetitions/M4-methods; R's forecast package v8.2) forecasts
each series' seasonally adjusted values (divided by the classical multiplicative indices where
M4's seasonality test passes, as Naive2 does: :func:`~seqlab.models.baselines.seasonal_indices`)
and multiplies the forecasts by the last season's indices:

- SES: ``ses()``, R's ``ets(x, "ANN", opt.crit = "mse")``;
- Holt: ``holt()``, ``ets(x, "AAN", opt.crit = "mse")``;
- Damped: ``holt(damped = TRUE)``, ``ets(x, "AAN", damped = TRUE, opt.crit = "mse")``;
- Theta: the classic Theta method: the least-squares line (theta = 0) and SES on the line
  with theta = 2 (twice the series less the line), averaged, negative forecasts set to 0;
- Comb: the mean of SES, Holt and Damped.

The estimation is R's, step for step, so that the scores come out as published: the smoothing
parameters and the initial states chosen by Nelder–Mead (:func:`nelder_mead`, R's ``nmmin``
with ``ets``'s settings: reflection 1, contraction 0.5, expansion 2, relative tolerance
√ε, at most 2000 evaluations) on the mean squared one-step error, R's bounds (α, β in
[0.0001, 0.9999], β ≤ α, φ in [0.8, 0.98], and the admissible region), R's starting values
(α = 0.19006, β = 0.1·α, φ = 0.9782; the level, and the trend, from the first ten values).
Many series run in lockstep: each has its own simplex, and every step evaluates one point of
every series in one vectorised pass over time.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence

import numpy as np
import torch

from seqlab.models.baselines import seasonal_indices

__all__ = ["CLASSIC", "classic_forecasts", "ets_mse", "nelder_mead", "seasonal_adjustment"]

CLASSIC = ("SES", "Holt", "Damped", "Theta", "Comb")
_BIG = 1.0e35  # R's nmmin: a value that is not finite counts as this
_LOWER = (0.0001, 0.0001, 0.0001, 0.8)  # alpha, beta, gamma, phi: R's ets bounds
_UPPER = (0.9999, 0.9999, 0.9999, 0.98)

Point = Generator[np.ndarray, float, tuple[np.ndarray, float]]


def _nmmin(start: np.ndarray, maxit: int = 2000, intol: float = 1.490116119384765625e-08) -> Point:
    """R's ``nmmin`` (src/appl/optim.c) as a generator: it yields each point to evaluate and
    is sent its value; it returns the best point and value. abstol is -Inf, as ets sets it."""
    alpha, bet, gamm = 1.0, 0.5, 2.0
    n = len(start)
    b = np.array(start, dtype=np.float64)
    f = yield b.copy()
    if not math.isfinite(f):
        raise ValueError("the objective cannot be evaluated at the starting values")
    funcount = 1
    convtol = intol * (abs(f) + intol)
    n1, c = n + 1, n + 2
    p = np.zeros((n1, c))  # rows 0..n-1 the vertices' coordinates, row n their values
    p[n, 0] = f
    p[:n, 0] = b
    low = 1
    step = 0.0
    for i in range(n):
        if 0.1 * abs(b[i]) > step:
            step = 0.1 * abs(b[i])
    if step == 0.0:
        step = 0.1
    size = 0.0
    for j in range(2, n1 + 1):
        p[:n, j - 1] = b
        trystep = step
        while p[j - 2, j - 1] == b[j - 2]:
            p[j - 2, j - 1] = b[j - 2] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    calcvert = True
    while True:
        if calcvert:
            for j in range(n1):
                if j + 1 != low:
                    f = yield p[:n, j].copy()
                    p[n, j] = f if math.isfinite(f) else _BIG
                    funcount += 1
            calcvert = False
        vl = vh = p[n, low - 1]
        high = low
        for j in range(1, n1 + 1):
            if j != low:
                f = p[n, j - 1]
                if f < vl:
                    low, vl = j, f
                if f > vh:
                    high, vh = j, f
        if vh <= vl + convtol:
            break
        for i in range(n):
            temp = -p[i, high - 1]
            for j in range(n1):
                temp += p[i, j]
            p[i, c - 1] = temp / n
        b = (1.0 + alpha) * p[:n, c - 1] - alpha * p[:n, high - 1]
        f = yield b.copy()
        vr = f if math.isfinite(f) else _BIG
        funcount += 1
        if vr < vl:
            p[n, c - 1] = vr
            extended = gamm * b + (1 - gamm) * p[:n, c - 1]
            p[:n, c - 1] = b
            b = extended
            f = yield b.copy()
            f = f if math.isfinite(f) else _BIG
            funcount += 1
            if f < vr:
                p[:n, high - 1], p[n, high - 1] = b, f
            else:
                p[:n, high - 1], p[n, high - 1] = p[:n, c - 1], vr
        else:
            if vr < vh:
                p[:n, high - 1], p[n, high - 1] = b, vr
            b = (1 - bet) * p[:n, high - 1] + bet * p[:n, c - 1]
            f = yield b.copy()
            f = f if math.isfinite(f) else _BIG
            funcount += 1
            if f < p[n, high - 1]:
                p[:n, high - 1], p[n, high - 1] = b, f
            elif vr >= vh:  # shrink towards the best vertex
                calcvert = True
                size = 0.0
                for j in range(n1):
                    if j + 1 != low:
                        p[:n, j] = bet * (p[:n, j] - p[:n, low - 1]) + p[:n, low - 1]
                        for i in range(n):
                            size += abs(p[i, j] - p[i, low - 1])
                if size >= oldsize:
                    break
                oldsize = size
        if funcount > maxit:
            break
    return p[:n, low - 1].copy(), float(p[n, low - 1])


def nelder_mead(
    objective: Callable[[np.ndarray, np.ndarray], np.ndarray],
    starts: np.ndarray,
    maxit: int = 2000,
) -> np.ndarray:
    """Minimise ``objective(rows, points) -> values`` for many problems at once, each by R's
    Nelder–Mead from its row of ``starts`` (S, P); ``rows`` says which problems the points
    (k, P) belong to. Returns the best points (S, P)."""
    runs = [_nmmin(s, maxit) for s in starts]
    best = np.array(starts, dtype=np.float64)
    pending = {s: next(run) for s, run in enumerate(runs)}
    while pending:
        rows = np.array(sorted(pending))
        values = objective(rows, np.stack([pending[s] for s in rows]))
        for s, value in zip(rows, values, strict=True):
            try:
                pending[s] = runs[s].send(float(value))
            except StopIteration as done:
                best[s] = done.value[0]
                del pending[s]
    return best


def _check(kind: str, par: np.ndarray) -> np.ndarray:
    """R's check_params with bounds "both": inside the usual bounds and admissible."""
    alpha = par[:, 0]
    ok = (alpha >= _LOWER[0]) & (alpha <= _UPPER[0])
    if kind == "ANN":
        return ok & (alpha >= 0.0) & (alpha <= 2.0)  # admissible with phi = 1
    beta = par[:, 1]
    phi = par[:, 2] if kind == "AAdN" else np.ones(len(par))
    ok &= (beta >= _LOWER[1]) & (beta <= alpha) & (beta <= _UPPER[1])
    if kind == "AAdN":
        ok &= (phi >= _LOWER[3]) & (phi <= _UPPER[3])
    with np.errstate(divide="ignore", invalid="ignore"):
        ok &= (phi >= 0) & (phi <= 1 + 1e-8)
        ok &= (alpha >= 1 - 1 / phi) & (alpha <= 1 + 1 / phi)
        ok &= (beta >= alpha * (phi - 1)) & (beta <= (1 + phi) * (2 - alpha))
    return ok


def _run(
    kind: str, y: np.ndarray, lengths: np.ndarray, par: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R's etscalc over padded series y (k, T) of ``lengths``: the mean squared one-step error
    (amse[0], accumulated as R does), and the final level and trend."""
    order = np.argsort(-lengths, kind="stable")  # longest first: the live rows are a prefix
    back = np.argsort(order)
    y, lengths, par = y[order], lengths[order], par[order]
    k = len(y)
    trend = kind != "ANN"
    alpha = par[:, 0]
    ratio = par[:, 1] / alpha if trend else np.zeros(k)
    phi = par[:, 2] if kind == "AAdN" else np.ones(k)
    level = (par[:, -2] if trend else par[:, -1]).copy()
    slope = par[:, -1].copy() if trend else np.zeros(k)
    amse = np.zeros(k)
    live = np.searchsorted(-lengths, -np.arange(y.shape[1]), side="left")  # how many have t < n
    with np.errstate(all="ignore"):
        for t in range(y.shape[1]):
            a = int(live[t])
            if a == 0:
                break
            yt = y[:a, t]
            old = level[:a]
            phib = phi[:a] * slope[:a] if trend else 0.0
            q = old + phib
            err = yt - q
            amse[:a] = (amse[:a] * t + err * err) / (t + 1.0)
            new = q + alpha[:a] * (yt - q)
            if trend:
                slope[:a] = phib + ratio[:a] * ((new - old) - phib)
            level[:a] = new
    return amse[back], level[back], slope[back]


def _starts(kind: str, y: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """R's initparam and initstate for a non-seasonal model (m = 1)."""
    alpha = _LOWER[0] + 0.2 * (_UPPER[0] - _LOWER[0])
    rows = []
    for series, n in zip(y, lengths, strict=True):
        first = series[: min(10, int(n))]
        if kind == "ANN":
            rows.append([alpha, first.mean()])
            continue
        beta = _LOWER[1] + 0.1 * (min(_UPPER[1], alpha) - _LOWER[1])
        slope, level = np.polyfit(np.arange(1, len(first) + 1, dtype=np.float64), first, 1)
        phi = [_LOWER[3] + 0.99 * (_UPPER[3] - _LOWER[3])] if kind == "AAdN" else []
        rows.append([alpha, beta, *phi, level, slope])
    return np.array(rows)


def ets_mse(kind: str, series: Sequence[np.ndarray], horizon: int) -> np.ndarray:
    """Forecasts (S, H) of R's ``ets(x, kind, opt.crit = "mse")`` for each series, ``kind``
    one of ANN (SES), AAN (Holt) and AAdN (damped Holt)."""
    lengths = np.array([len(s) for s in series])
    y = np.zeros((len(series), lengths.max()))
    for i, s in enumerate(series):
        y[i, : len(s)] = s

    def objective(rows: np.ndarray, points: np.ndarray) -> np.ndarray:
        amse, _, _ = _run(kind, y[rows], lengths[rows], points)
        return np.where(_check(kind, points) & np.isfinite(amse), amse, np.inf)

    par = nelder_mead(objective, _starts(kind, y, lengths))
    _, level, slope = _run(kind, y, lengths, par)
    h = np.arange(1, horizon + 1)
    if kind == "ANN":
        return np.repeat(level[:, None], horizon, axis=1)
    if kind == "AAN":
        return level[:, None] + h * slope[:, None]
    phi = par[:, 2][:, None]
    return level[:, None] + np.cumsum(phi ** h[None, :], axis=1) * slope[:, None]


def seasonal_adjustment(x: np.ndarray, horizon: int, season: int) -> tuple[np.ndarray, np.ndarray]:
    """M4's seasonal adjustment of history ``x``: the series divided by its classical
    multiplicative indices (all 1 where the seasonality test fails, or ``season`` is 1), and
    the indices (H,) that re-seasonalise a forecast (the last season's, repeated)."""
    index = seasonal_indices(torch.tensor(x, dtype=torch.float64)[None], season)[0].numpy()
    if season <= 1:
        return x / index, np.ones(horizon)
    return x / index, index[len(x) - season + np.arange(horizon) % season]


def classic_forecasts(
    histories: Sequence[np.ndarray], horizon: int, season: int, methods: Sequence[str] = CLASSIC
) -> dict[str, np.ndarray]:
    """The organisers' forecasts (S, H) of each history by ``methods`` (some of SES, Holt,
    Damped, Theta, Comb), and their Naive2 (the reference of OWA), as ``Benchmarks()`` makes
    them."""
    pairs = [seasonal_adjustment(x, horizon, season) for x in histories]
    adjusted = [d for d, _ in pairs]
    last_season = np.stack([index for _, index in pairs])
    wanted = set(methods) | ({"SES", "Holt", "Damped"} if "Comb" in methods else set())
    kinds = {"SES": "ANN", "Holt": "AAN", "Damped": "AAdN"}
    out = {name: ets_mse(kind, adjusted, horizon) for name, kind in kinds.items() if name in wanted}
    out["Naive2"] = np.stack([np.repeat(d[-1], horizon) for d in adjusted])
    if "Theta" in wanted:
        lines_out, theta_lines = [], []
        for d in adjusted:
            xs = np.arange(1, len(d) + 1, dtype=np.float64)
            slope, intercept = np.polyfit(xs, d, 1)  # R: lm(input ~ poly(xt, 1, raw = TRUE))
            theta_lines.append(2.0 * d - (intercept + slope * xs))
            lines_out.append(intercept + slope * np.arange(len(d) + 1, len(d) + horizon + 1))
        theta = 0.5 * ets_mse("ANN", theta_lines, horizon) + 0.5 * np.stack(lines_out)
        out["Theta"] = np.maximum(theta, 0.0)  # "Zero forecasts become positive", as in R
    out = {name: f * last_season for name, f in out.items()}
    if "Comb" in wanted:
        out["Comb"] = (out["SES"] + out["Holt"] + out["Damped"]) / 3
    return {name: out[name] for name in (*methods, "Naive2")}
