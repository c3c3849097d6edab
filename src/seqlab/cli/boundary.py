"""The CLI's one error boundary: every :class:`~seqlab.errors.SeqlabError` becomes one red
line and exit status 1 (``--verbose`` shows the traceback instead).

The library's messages name Python parameters (``missing='ffill'``), and every error carries
the parameters it is about (``err.params``). The boundary adds the option of the command that
sets it (``--missing``), so every error the CLI shows names the option that fixes it. A
command whose option sets a library parameter of another name says so where it calls the
library: ``with renamed(path="saved"): Forecaster.load(saved)`` (--from).
"""

from __future__ import annotations

import signal
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from seqlab.errors import SeqlabError

__all__ = ["ErrorBoundary", "options_of", "with_options"]

err_console = Console(stderr=True, soft_wrap=True)
_WORDS = "seqlab.words"  # ctx.meta: the words after `seqlab`, for finding the command run


def options_of(command: Any) -> dict[str, str]:
    """{parameter name: its first option} of a click command; an argument by its
    metavar-style name (PREFIX, RUN)."""
    found = {}
    for p in command.params:
        if not p.name:
            continue
        if p.param_type_name == "argument":
            found[p.name] = p.name.upper()
        elif p.opts and p.opts[0].startswith("--"):
            found[p.name] = p.opts[0]
    return found


def with_options(text: str, params: tuple[str, ...], options: dict[str, str]) -> str:
    """``text`` with the options that set ``params``, those the command has and the text
    does not name already.

    Example:
        >>> text = "x must be y. Pass missing='ffill'."
        >>> with_options(text, ("missing", "path"), {"missing": "--missing"})
        "x must be y. Pass missing='ffill'. On the command line: --missing."
    """
    found = [options[p] for p in params if p in options and options[p] not in text]
    return f"{text} On the command line: {', '.join(dict.fromkeys(found))}." if found else text


class ErrorBoundary(TyperGroup):
    """The root group: runs a command and turns its SeqlabError into one line."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        ctx.meta.setdefault(_WORDS, list(args))
        return super().resolve_command(ctx, args)

    def _command_run(self, ctx: Any) -> Any:
        """The command the words of this call named (a group's sub-command, followed down)."""
        command: Any = self
        words = list(ctx.meta.get(_WORDS, []))
        while hasattr(command, "commands") and words:
            _, command, words = TyperGroup.resolve_command(command, ctx, words)
        return command

    def invoke(self, ctx: Any) -> Any:  # a click Context; typer vendors click privately
        try:
            return super().invoke(ctx)
        except SeqlabError as err:
            if (ctx.obj or {}).get("verbose"):
                raise
            text = with_options(str(err), err.params, options_of(self._command_run(ctx)))
            # escaped: a message's brackets ('seqlab[data]') are text, not rich markup
            err_console.print(f"[bold red]error:[/] [red]{escape(text)}[/]", highlight=False)
            # Stopped by a signal: the shell's 128 + its number (SIGINT 130, SIGTERM 143).
            code = 128 + getattr(signal, str(getattr(err, "signal", "")), 0)
            raise typer.Exit(code if code > 128 else 1) from None
