"""``seqlab export``: a saved forecaster as a file to serve without seqlab."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def export(
    folder: Annotated[
        Path, typer.Argument(help="A saved forecaster: RUN/<model> of seqlab forecast.")
    ],
    format: Annotated[str, typer.Option("--format", help="onnx.")] = "onnx",
    out: Annotated[
        Path | None, typer.Option(help="The file to write \\[default: FOLDER/model.onnx].")
    ] = None,
) -> None:
    """Export a saved forecaster (recurrent, convolutional, linear or Transformer) to ONNX.

    Writes the network (scaled windows in, scaled forecasts out, any batch size) and
    onnx.json beside it: the columns, lookback, horizon, strategy and the scaler's numbers,
    all a server needs. examples/serve_onnx.py serves it with NumPy and onnxruntime alone.

    Example:

        seqlab export runs/X/lstm --format onnx
    """
    from seqlab.tasks.forecasting.export import export as export_model

    with console.status(f"Exporting {folder} to {format} ..."):
        path = export_model(folder, format, out)
    console.print(
        f"Wrote [bold]{path}[/] and {path.with_name('onnx.json').name}; serve it with: "
        f"python examples/serve_onnx.py {path} recent.csv"
    )
