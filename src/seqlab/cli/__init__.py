"""The ``seqlab`` command: a thin typer layer over the public Python API.

One error boundary (:class:`_Group`) turns every :class:`~seqlab.errors.SeqlabError` into one
red line and exit status 1; ``--verbose`` shows the traceback instead. Sub-commands import
their heavy dependencies (torch, pandas) inside the command, so ``seqlab --help`` is instant.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from seqlab.errors import SeqlabError
from seqlab.version import __version__

__all__ = ["app", "main"]

err_console = Console(stderr=True, soft_wrap=True)


class _Group(TyperGroup):
    """The CLI's single error boundary."""

    def invoke(self, ctx: Any) -> Any:  # a click Context; typer vendors click privately
        try:
            return super().invoke(ctx)
        except SeqlabError as err:
            if (ctx.obj or {}).get("verbose"):
                raise
            err_console.print(f"[bold red]error:[/] [red]{err}[/]", highlight=False)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="seqlab",
    help="Train, compare and ship sequence models (RNN, LSTM, GRU, Transformer).\n\n"
    "Examples:\n\n    seqlab forecast\n\n    seqlab predict --from runs/X/lstm --dataset msft"
    '\n\n    seqlab text segment "我爱北京天安门"\n\n    seqlab explain parity',
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"seqlab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show full tracebacks on errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    ctx.obj = {"verbose": verbose}


def _register() -> None:
    from seqlab.cli import bench, data, explain, forecast, text

    app.command()(forecast.forecast)
    app.command()(forecast.predict)
    app.add_typer(data.app, name="data")
    app.add_typer(bench.app, name="bench")
    app.add_typer(explain.app, name="explain")
    app.add_typer(text.app, name="text")


_register()


def main() -> None:
    app(prog_name="seqlab")
