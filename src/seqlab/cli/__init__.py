"""The ``seqlab`` command: a thin typer layer over the public Python API.

One error boundary (:class:`_Group`) turns every :class:`~seqlab.errors.SeqlabError` into one
red line and exit status 1; ``--verbose`` shows the traceback instead. The library's messages
name Python parameters (``missing='ffill'``); the boundary adds the command's options that
set them (``--missing``), so every error the CLI shows names the option that fixes it.
Sub-commands import their heavy dependencies (torch, pandas) inside the command, so
``seqlab --help`` is instant.
"""

from __future__ import annotations

import inspect
import os
import re
import signal
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from seqlab.errors import SeqlabError
from seqlab.version import __version__

__all__ = ["app", "main"]

err_console = Console(stderr=True, soft_wrap=True)


# Library parameter names whose CLI option has another name.
_ALIASES = {"path": "data", "file": "data", "model": "models", "model_params": "param"}
# Words too common in messages to be read as a parameter unless written as name=value.
_COMMON_WORDS = {"data", "model", "out", "config", "seed", "text", "file", "path"}


def _options(command: Any) -> dict[str, str]:
    """{parameter name: its first option} of a click command, or of all a group's commands."""
    if hasattr(command, "commands"):
        merged: dict[str, str] = {}
        for sub in command.commands.values():
            merged.update(_options(sub))
        return merged
    out = {p.name: p.opts[0] for p in command.params if p.opts and p.opts[0].startswith("--")}
    arguments = [p for p in command.params if p.param_type_name == "argument" and p.name]
    return {p.name: p.name.upper() for p in arguments} | out  # PREFIX, TASK ...


def with_options(text: str, options: dict[str, str]) -> str:
    """``text`` with the options that set the parameters it names, when it names none.

    A parameter is named as the message's subject ("lookback of ..."), as ``name=value``, or
    as a whole word that is no common word (target, features, ...); a positional argument
    (PREFIX) as the subject or ``name=value`` only.

    Example:
        >>> with_options("x must be y. Pass missing='ffill'.", {"missing": "--missing"})
        "x must be y. Pass missing='ffill'. On the command line: --missing."
    """
    if re.search(r"(^|\s)--[a-z]", text):
        return text
    subject = re.match(r"[\w.]+", text)
    named = [subject.group(0)] if subject else []
    named += re.findall(r"\b(\w+)=", text)
    words = [w for w in re.findall(r"\b[a-z_]+\b", text) if w not in _COMMON_WORDS]
    found = []
    for i, name in enumerate(named + words):
        option = options.get(name) or options.get(_ALIASES.get(name, ""))
        if i >= len(named) and option and not option.startswith("--"):
            continue  # an argument (PREFIX) only as the subject, not for any word in prose
        if option and option not in found:
            found.append(option)
    return f"{text} On the command line: {', '.join(found)}." if found else text


class _Group(TyperGroup):
    """The CLI's single error boundary."""

    def invoke(self, ctx: Any) -> Any:  # a click Context; typer vendors click privately
        try:
            return super().invoke(ctx)
        except SeqlabError as err:
            if (ctx.obj or {}).get("verbose"):
                raise
            command = self.commands.get(ctx.invoked_subcommand or "")
            text = with_options(str(err), _options(command) if command else {})
            err_console.print(f"[bold red]error:[/] [red]{text}[/]", highlight=False)
            # Stopped by a signal: the shell's 128 + its number (SIGINT 130, SIGTERM 143).
            code = 128 + getattr(signal, str(getattr(err, "signal", "")), 0)
            raise typer.Exit(code if code > 128 else 1) from None


app = typer.Typer(
    cls=_Group,
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
    from seqlab.cli import bench, data, explain, export, forecast, seq2seq, text, tune

    app.command()(forecast.forecast)
    app.command()(forecast.predict)
    app.command()(tune.tune)
    app.command()(export.export)
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
