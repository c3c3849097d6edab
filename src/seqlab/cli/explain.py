"""``seqlab explain``: look inside the models."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Look inside the models: equations against kernels, gates, attention.\n\n"
    "Example:\n\n    seqlab explain parity --dtype float32",
    no_args_is_help=True,
)


@app.command()
def parity(
    dtype: Annotated[str, typer.Option(help="float32 or float64.")] = "float64",
    layers: Annotated[int, typer.Option(help="Stacked layers.")] = 2,
    bidirectional: Annotated[bool, typer.Option(help="Add reverse-direction layers.")] = True,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Run every cell from its equations beside torch's fused kernel and print the differences.

    A padded batch of unequal lengths goes through both backends of seqlab.nn.Recurrent with the
    same weights; the table shows the largest absolute difference in outputs, final states, and
    gradients of the input and the weights.

    Example:

        seqlab explain parity --dtype float32 --layers 1
    """
    from seqlab.nn.parity import compare_backends

    table = Table(title=f"cells vs fused ({dtype}, {layers} layers, bidirectional={bidirectional})")
    for column in ("kind", "output", "state", "input grad", "weight grad"):
        table.add_column(column, justify="right")
    for kind in ("rnn", "lstm", "gru"):
        diff = compare_backends(kind, layers, bidirectional, dtype, seed)
        table.add_row(kind, *(f"{diff[k]:.1e}" for k in ("output", "state", "input", "weights")))
    Console().print(table)
