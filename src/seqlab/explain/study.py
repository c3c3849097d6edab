"""The studies of ``seqlab explain`` on recurrence: BPTT by hand and gradients through
time. Each function measures, prints nothing, and writes its PNGs, one
HTML page (:func:`seqlab.explain.page.write_page`) and its numbers (``results.json``) into
a folder; it returns a :class:`Study` with the tables the command prints (and the page
repeats)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.table import Table

from seqlab.explain import figures
from seqlab.explain.page import Figure, Study, tables_text, write_page
from seqlab.io import write_json

__all__ = ["bptt_study", "gradients_study", "returns"]

_PALETTE = ("#1a73e8", "#188038", "#d93025", "#9334e6", "#e37400", "#5f6368")


def returns(length: int) -> np.ndarray:
    """The last ``length`` + 1 daily log returns of the bundled MSFT close, standardised
    (over those days): real input for a small network."""
    from seqlab import datasets
    from seqlab.errors import ConfigError

    close = datasets.load("msft")["Close"].to_numpy()
    if not 2 <= length <= len(close) - 2:
        raise ConfigError(
            f"length of the MSFT returns must be between 2 and {len(close) - 2}; got {length}. "
            "Pass a length in that range.",
            param="length",
        )
    r = np.diff(np.log(close))[-(length + 1) :]
    return (r - r.mean()) / r.std()


def bptt_study(
    folder: Path,
    length: int = 50,
    hidden: int = 16,
    scales: tuple[float, ...] = (0.5, 1.0, 2.0),
    seed: int = 0,
) -> Study:
    """An Elman RNN reads the last ``length`` MSFT returns and predicts each next one. For
    each ``scale`` (the largest singular value of W): the BPTT gradients against autograd,
    and the per-step factor ‖∂h_t/∂h_{t-1}‖ with its running product."""
    from seqlab.errors import check, positive_int
    from seqlab.explain.bptt import Elman, autograd_gradients, backward, step_factors

    check("bptt_study", {"hidden": positive_int()}, {"hidden": hidden})
    r = returns(length)
    x, d = r[:-1, None], r[1:, None]  # (L, 1): today's return in, tomorrow's as the target
    agreement = Table(
        title=f"largest |BPTT by hand − autograd| (float64, L = {length}, H = {hidden})"
    )
    for column in ("‖W‖₂", "loss", *(f"∂L/∂{n}" for n in "UWbVc")):
        agreement.add_column(column, justify="right")
    found: dict[float, dict[str, np.ndarray]] = {}
    worst = 0.0
    for scale in scales:
        net = Elman.random(1, hidden, 1, scale=scale, seed=seed)
        loss, mine = backward(net, x, d)
        _, ref = autograd_gradients(net, x, d)
        diffs = [float(np.abs(mine[n] - ref[n]).max()) for n in "UWbVc"]
        worst = max(worst, *diffs)
        agreement.add_row(f"{scale:g}", f"{loss:.4f}", *(f"{v:.1e}" for v in diffs))
        found[scale] = step_factors(net, x)
    tables = [agreement]
    shown = sorted({1, 2, 3, *range(5, length + 1, max(length // 10, 1)), length})
    for scale, f in found.items():
        steps = Table(title=f"‖W‖₂ = {scale:g}: factor ‖∂h_t/∂h_(t-1)‖, running product, exact")
        for column in ("t", "factor", "product", "‖∂h_t/∂h_0‖"):
            steps.add_column(column, justify="right")
        for t in shown:
            steps.add_row(
                str(t),
                f"{f['factor'][t - 1]:.3f}",
                f"{f['product'][t - 1]:.2e}",
                f"{f['exact'][t - 1]:.2e}",
            )
        tables.append(steps)
    t = np.arange(1, length + 1)
    factor_png = figures.line_plot(
        {f"‖W‖₂ = {s:g}": (t, f["factor"]) for s, f in found.items()},
        folder / "factors.png",
        "‖∂h_t/∂h_{t-1}‖ at each step",
        "step t",
        "factor",
        log=False,
    )
    curves, styles = {}, {}
    for color, (s, f) in zip(_PALETTE, found.items(), strict=False):
        curves[f"product of factors, ‖W‖₂ = {s:g}"] = (t, f["product"])
        curves[f"‖∂h_t/∂h_0‖, ‖W‖₂ = {s:g}"] = (t, f["exact"])
        styles[f"product of factors, ‖W‖₂ = {s:g}"] = {"color": color}
        styles[f"‖∂h_t/∂h_0‖, ‖W‖₂ = {s:g}"] = {"color": color, "linestyle": "--"}
    product_png = figures.line_plot(
        curves,
        folder / "products.png",
        "How far back a gradient reaches",
        "step t",
        "norm (log scale)",
        styles=styles,
    )
    page = write_page(
        folder,
        "Backpropagation through time, by hand",
        "An Elman RNN (h_t = tanh(U x_t + W h_{t-1} + b), y_t = V h_t + c) reads the last "
        f"{length} daily returns of MSFT and predicts each next one. Its backward pass is "
        "written in NumPy from the equations δ_t = (Vᵀ δy_t + Wᵀ δ_{t+1}) ⊙ (1 − h_t²) and "
        "checked against PyTorch's autograd through its fused RNN on the same weights; the "
        f"largest difference is {worst:.1e}.",
        [
            Figure(
                "The factor of each step",
                factor_png,
                "Each step back multiplies the error by the Jacobian diag(1 − h_t²) W; this "
                "is its largest singular value. It is at most ‖W‖₂, and less wherever tanh "
                "saturates (h_t near ±1 makes 1 − h_t² small).",
            ),
            Figure(
                "Running products",
                product_png,
                "Solid: the product of the factors, an upper bound on how much of the "
                "gradient survives t steps; dashed: the norm of the actual product of "
                "Jacobians, ∂h_t/∂h_0. Below 1 per step it decays geometrically (a straight "
                "line here): the vanishing gradient. The bound can grow while the actual "
                "product still vanishes, because the matrices do not align.",
            ),
        ],
        tables_text(tables),
    )
    write_json(
        folder / "results.json",
        {
            "length": length,
            "hidden": hidden,
            "max_difference": worst,
            "scales": {
                f"{s:g}": {
                    "mean_factor": float(f["factor"].mean()),
                    "product": float(f["product"][-1]),
                    "exact": float(f["exact"][-1]),
                }
                for s, f in found.items()
            },
        },
    )
    return Study(page, tables, {"max_difference": worst, "factors": found})


def gradients_study(
    folder: Path, kinds: list[str], length: int = 200, steps: int = 100, seed: int = 0
) -> Study:
    """‖∂L/∂h_k‖ of each model at initialisation and after ``steps`` steps on the adding
    problem, clipped and not; one log-scale plot, slopes fitted."""
    from seqlab.explain.gradients import gradient_study

    rows = gradient_study(kinds, length, steps, seed)
    table = Table(
        title=f"‖∂L/∂h_k‖, loss at the last of {length} steps (adding problem); "
        "slope in decades per step back",
        caption="init: at initialisation; trained: "
        f"after {steps} steps, gradients clipped at norm 1 or not",
    )
    for column in (
        "model",
        "condition",
        "k = 0",
        f"k = {length - 1}",
        "slope",
        "× / step",
        "val MSE",
    ):
        table.add_column(
            column, justify="right" if column not in ("model", "condition") else "left"
        )
    curves, styles = {}, {}
    dashes = {"init": "-", "trained (clip 1)": "--", "trained (no clip)": ":"}
    for r in rows:
        n = r["norms"]
        val = "" if r["val_mse"] is None else f"{r['val_mse']:.4f}"
        table.add_row(
            r["model"],
            r["condition"],
            f"{n[0]:.2e}",
            f"{n[-1]:.2e}",
            f"{r['slope']:+.4f}",
            f"{10 ** r['slope']:.3f}",
            val,
        )
        name = f"{r['model']}, {r['condition']} (slope {r['slope']:+.3f})"
        positive = np.where(n > 0, n, np.nan)
        curves[name] = (np.arange(length), positive)
        styles[name] = {
            "color": figures.COLORS.get(r["model"]),
            "linestyle": dashes[r["condition"]],
        }
    png = figures.line_plot(
        curves,
        folder / "gradients.png",
        f"Gradient of the last step's loss against the state k steps back (L = {length})",
        "k, steps back from the last step",
        "‖∂L/∂h_k‖ (log scale)",
        styles=styles,
    )
    page = write_page(
        folder,
        "Gradients through time",
        f"Each model of the long-memory benchmark reads adding-problem sequences of {length} "
        "steps; the loss is the squared error of its answer at the last step. The curve is the "
        "norm of that loss's gradient with respect to the state the model holds k steps "
        "earlier (recurrent: every layer's hidden state; Transformer: the first block's input "
        "at that position; TCN: the first block's output), at initialisation and after "
        f"{steps} training steps on the adding problem, with gradients clipped at norm 1 and "
        "without.",
        [
            Figure(
                "‖∂L/∂h_k‖ against k",
                png,
                "A straight falling line on this log scale is a geometric decay: the slope "
                "in the legend (decades per step, fitted by least squares) says how fast "
                "the plain RNN and the gated cells forget. Attention reaches every position "
                "in one hop, so the Transformer's curve stays level; gaps are exact zeros "
                "(positions a TCN's dilated taps or dead ReLUs do not pass).",
            ),
        ],
        tables_text([table]),
    )
    write_json(
        folder / "results.json",
        {
            "length": length,
            "steps": steps,
            "rows": [
                {
                    "model": r["model"],
                    "condition": r["condition"],
                    "first": float(r["norms"][0]),
                    "last": float(r["norms"][-1]),
                    "slope": r["slope"],
                    "val_mse": r["val_mse"],
                }
                for r in rows
            ],
        },
    )
    return Study(page, [table], {"rows": rows})
