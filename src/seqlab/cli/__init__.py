"""The ``seqlab`` command: a thin typer layer over the public Python API.

One error boundary (:mod:`seqlab.cli.boundary`) turns every
:class:`~seqlab.errors.SeqlabError` into one red line and exit status 1, naming the option
that sets the parameter the error is about; ``--verbose`` shows the traceback instead.
Sub-commands import their heavy dependencies (torch, pandas) inside the command, so
``seqlab --help`` is instant.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Annotated

import typer

from seqlab.cli.boundary import ErrorBoundary
from seqlab.version import __version__

__all__ = ["app", "main"]

app = typer.Typer(
    cls=ErrorBoundary,
    name="seqlab",
    help="Train, compare and ship sequence models (RNN, LSTM, GRU, Transformer).\n\n"
    "Examples:\n\n    seqlab forecast\n\n    seqlab predict --from runs/X/lstm --dataset msft"
    '\n\n    seqlab text segment "我爱北京天安门"\n\n    seqlab text translate "我们明天去北京。"'
    "\n\n    seqlab explain parity\n\n    seqlab export runs/X/lstm --format onnx",
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
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # launched by torchrun
        _join_ranks()


def _join_ranks() -> None:
    """Join torchrun's process group; on every rank but 0, print nothing to stdout (the
    commands write files on rank 0 only, see :func:`seqlab.train.distributed.is_main`)."""
    from seqlab.train import distributed

    distributed.init()
    if not distributed.is_main():
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (for the life of the process)


def reflow(doc: str) -> str:
    r"""A docstring as help text: each paragraph of prose on one line, so that the terminal
    wraps it at its own width; indented lines (examples) kept as they are.

    Example:
        >>> reflow("One line\n    and its rest.\n\n    Example:\n\n        seqlab x")
        'One line and its rest.\n\nExample:\n\n    seqlab x'
    """
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    out = []
    for paragraph in paragraphs:
        lines = paragraph.splitlines()
        prose = all(not line.startswith(" ") for line in lines)
        out.append(" ".join(line.strip() for line in lines) if prose else paragraph)
    return "\n\n".join(out)


def _reflow_all(typer_app: typer.Typer) -> None:
    """Give every command of ``typer_app`` (and of its sub-apps) its docstring reflowed."""
    for command in typer_app.registered_commands:
        doc = command.help or (command.callback.__doc__ if command.callback else None)
        if doc:
            command.help = reflow(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _reflow_all(group.typer_instance)


def _register() -> None:
    from seqlab.cli import bench, data, explain, export, forecast, seq2seq, serve, text, tune

    app.command()(forecast.forecast)
    app.command()(forecast.predict)
    app.command()(tune.tune)
    app.command()(export.export)
    app.command()(serve.serve)
    app.add_typer(data.app, name="data")
    app.add_typer(bench.app, name="bench")
    app.add_typer(explain.app, name="explain")
    text.app.command()(seq2seq.translate)
    app.add_typer(text.app, name="text")
    app.add_typer(seq2seq.app, name="seq2seq")
    _reflow_all(app)


_register()


def main() -> None:
    app(prog_name="seqlab")
