"""One exception tree for everything seqlab reports to a user.

Every message follows one template (STYLE.md, convention 8)::

    "<param> of <Thing> must be <constraint>; got <value>. <How to fix>."

so that a user reads what is wrong, what was seen, and what to do, in one sentence. Every
error also carries the names of the parameters it is about (``err.params``, empty when it is
about none), so that a caller maps them to its own words without reading the sentence: the
CLI to the options that set them. Parameters are checked from declarative tables of
:class:`Rule` through :func:`check`, which fills them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CheckpointError",
    "ConfigError",
    "DataError",
    "NotFittedError",
    "NumericsError",
    "Rule",
    "SeqlabError",
    "ShapeError",
    "TrainingInterrupted",
    "check",
    "message",
    "renamed",
]


class SeqlabError(Exception):
    """Base of every error seqlab raises on purpose; the CLI prints these as one line.

    ``param``: the parameter the sentence is about (``"lookback"``), or the parameters, first
    the one it is most about (``("target", "features")``); None when it is about none.

    Example:
        >>> err = ConfigError("lookback of Forecaster must be positive; got 0.", param="lookback")
        >>> err.params, str(err)
        (('lookback',), 'lookback of Forecaster must be positive; got 0.')
    """

    def __init__(self, text: str = "", *, param: str | tuple[str, ...] | None = None) -> None:
        super().__init__(text)
        self.params: tuple[str, ...] = (param,) if isinstance(param, str) else tuple(param or ())


class ConfigError(SeqlabError, ValueError):
    """A parameter or option has a value that cannot work."""


class DataError(SeqlabError, ValueError):
    """The data (a table, a series, a text) cannot be used as given."""


class ShapeError(SeqlabError, ValueError):
    """A tensor has the wrong rank or size for the module it is given to."""


class NotFittedError(SeqlabError, AttributeError):
    """A method that needs a fitted estimator was called before ``fit``."""


class CheckpointError(SeqlabError, ValueError):
    """A saved model folder is missing a file or holds a corrupted one."""


class NumericsError(SeqlabError, FloatingPointError):
    """Training met a NaN or infinite loss; the last good weights are restored."""


class TrainingInterrupted(SeqlabError):
    """Training was stopped by SIGTERM or Ctrl-C after writing a checkpoint to resume from.

    ``checkpoint`` is that file (None when training had no checkpoint to write), ``signal``
    the signal's name ("SIGTERM", "SIGINT")."""

    def __init__(self, text: str, checkpoint: Any = None, signal: str = "") -> None:
        super().__init__(text)
        self.checkpoint = checkpoint
        self.signal = signal


def message(param: str, thing: str, constraint: str, got: Any, fix: str = "") -> str:
    """Format one error sentence from the project's template."""
    text = f"{param} of {thing} must be {constraint}; got {got!r}."
    return f"{text} {fix}" if fix else text


@dataclass(frozen=True)
class Rule:
    """One row of a parameter table: the constraint in words, its test, and the fix."""

    constraint: str
    ok: Callable[[Any], bool]
    fix: str = ""


def check(
    thing: str,
    rules: Mapping[str, Rule],
    values: Mapping[str, Any],
    error: type[SeqlabError] = ConfigError,
) -> None:
    """Check ``values`` against a table of rules; raise ``error`` at the first one broken."""
    for name, rule in rules.items():
        value = values[name]
        if not rule.ok(value):
            raise error(message(name, thing, rule.constraint, value, rule.fix), param=name)


@contextmanager
def renamed(**names: str) -> Iterator[None]:
    """Inside, an error about a parameter named in ``names`` is about the caller's parameter
    it maps to: reading ``RunConfig.data`` with ``read_table(path)``, an error about
    ``path`` is about ``data``.

    Example:
        >>> try:
        ...     with renamed(path="data"):
        ...         raise DataError("path of read_table must exist; got 'x'.", param="path")
        ... except DataError as err:
        ...     print(err.params)
        ('data',)
    """
    try:
        yield
    except SeqlabError as err:
        err.params = tuple(names.get(p, p) for p in err.params)
        raise


def one_of(*choices: str) -> Rule:
    """A rule for a string option that must be one of ``choices``."""
    listed = ", ".join(repr(c) for c in choices)
    return Rule(f"one of {listed}", lambda v: v in choices, "Pick one of the listed values.")


def positive_int() -> Rule:
    return Rule("a positive integer", lambda v: isinstance(v, int) and v > 0)


def probability() -> Rule:
    """Dropout-style probability in [0, 1)."""
    return Rule(
        "in [0, 1)",
        lambda v: isinstance(v, int | float) and 0 <= v < 1,
        "Use 0 for no dropout.",
    )
