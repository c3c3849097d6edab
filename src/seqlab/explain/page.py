"""One self-contained HTML page per ``seqlab explain`` command: each picture embedded, with
two or three sentences under it saying what it shows, and the printed numbers."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from seqlab.io import atomic_write
from seqlab.version import __version__

__all__ = ["Figure", "Study", "tables_text", "write_page"]

_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem auto;
       max-width: 1000px; color: #202124; line-height: 1.5; padding: 0 1rem; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #5f6368; font-size: .9rem; }
img { max-width: 100%; border: 1px solid #dadce0; margin: .5rem 0; }
p.caption { margin-top: 0; }
pre { background: #f8f9fa; padding: .8rem; overflow-x: auto; font-size: .8rem; }
"""


@dataclass(frozen=True)
class Figure:
    """A picture already written, its heading, and what it shows (plain text)."""

    title: str
    path: Path
    caption: str


def write_page(
    folder: Path, title: str, intro: str, figures: list[Figure], numbers: str = ""
) -> Path:
    """Write ``folder/index.html``: the title, an introduction, every figure with its
    caption, and ``numbers`` (the command's printed tables) at the end. Returns the path."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p class='meta'>seqlab {__version__}</p>",
        f"<p>{html.escape(intro)}</p>",
    ]
    for figure in figures:
        data = base64.b64encode(figure.path.read_bytes()).decode()
        parts += [
            f"<h2>{html.escape(figure.title)}</h2>",
            f"<img alt='{html.escape(figure.title)}' src='data:image/png;base64,{data}'>",
            f"<p class='caption'>{html.escape(figure.caption)}</p>",
        ]
    if numbers:
        parts += ["<h2>The numbers</h2>", f"<pre>{html.escape(numbers)}</pre>"]
    parts.append("</body></html>")
    path = folder / "index.html"
    atomic_write(path, "\n".join(parts).encode())
    return path


@dataclass
class Study:
    """What a study wrote (its page) and the tables to print."""

    page: Path
    tables: list[Table] = field(default_factory=list)
    values: dict = field(default_factory=dict)


def tables_text(tables: list[Table]) -> str:
    """The tables as plain text, as the command prints them (for the page)."""
    console = Console(file=io.StringIO(), width=110, record=True)
    for table in tables:
        console.print(table)
    return console.export_text()
