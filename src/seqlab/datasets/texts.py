"""Text corpora for language modelling: Tiny Shakespeare and the chinese-poetry sets.

- ``shakespeare``: the character-level text of char-rnn and nanoGPT, 1,115,394 ASCII
  characters (karpathy/char-rnn, MIT; the plays are in the public domain).
- ``ci``: Song ci (全宋词), 21,053 poems in 23 files, simplified script; ``tang``: Tang shi
  (全唐诗), 57,607 poems in 58 files, traditional script (chinese-poetry/chinese-poetry at a
  pinned commit, MIT: keep its licence with any copy).

Files come from ``SEQLAB_DATA_DIR``, the cache or one checked download
(:func:`seqlab.datasets.files.dataset_file`). The splits are :func:`seqlab.data.corpora.split`'s.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from importlib import resources

from seqlab.datasets.files import dataset_file
from seqlab.errors import ConfigError

__all__ = ["POEM_SETS", "Poem", "poems", "shakespeare"]

SHAKESPEARE_URL = (
    "https://raw.githubusercontent.com/karpathy/char-rnn/"
    "6f9487a6fe5b420b7ca9afb0d7c078e37c1d1b4e/data/tinyshakespeare/input.txt"
)
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"
POETRY_URL = "https://raw.githubusercontent.com/chinese-poetry/chinese-poetry/{commit}/{path}"
POETRY_COMMIT = "99ebbef7e1345c0985c44b9fd96a3f9e776f117b"
POETRY_FOLDERS = {"ci": "宋词", "tang": "全唐诗"}  # local folder -> upstream folder
POEM_SETS = tuple(POETRY_FOLDERS)


@dataclass(frozen=True)
class Poem:
    """One poem: its title (a ci's tune name, 词牌), author and lines (full-width punctuation)."""

    title: str
    author: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The lines joined, as the poems are counted and modelled."""
        return "".join(self.lines)


def shakespeare() -> str:
    """Tiny Shakespeare, the whole file as one text."""
    path = dataset_file("shakespeare", "input.txt", SHAKESPEARE_SHA256, SHAKESPEARE_URL)
    return path.read_text(encoding="utf-8")


def _poetry_files(collection: str) -> list[tuple[str, str]]:
    """(relative path, SHA-256) of a set's files, in the order of their first poem's number."""
    listing = resources.files("seqlab.datasets").joinpath("data", "poetry.sha256").read_text()
    rows = [line.split("  ", 1)[::-1] for line in listing.splitlines() if line.strip()]
    files = [(path, digest) for path, digest in rows if path.startswith(f"{collection}/")]

    def number(path: str) -> tuple[int, str]:
        found = re.search(r"\.(\d+)\.json$", path)
        return (int(found.group(1)), path) if found else (10**9, path)  # 2019y comes last

    return sorted(files, key=lambda f: number(f[0]))


def poems(collection: str) -> list[Poem]:
    """Every poem of ``collection`` ("ci" or "tang"), in file order, as published (the split
    drops duplicates and empty poems)."""
    if collection not in POETRY_FOLDERS:
        raise ConfigError(
            f"collection of poems must be one of {', '.join(repr(c) for c in POEM_SETS)}; got "
            f"{collection!r}. Use 'ci' for Song ci (simplified) or 'tang' (traditional).",
            param="collection",
        )
    out = []
    for relpath, digest in _poetry_files(collection):
        upstream = POETRY_FOLDERS[collection] + relpath[len(collection) :]
        url = POETRY_URL.format(commit=POETRY_COMMIT, path=urllib.parse.quote(upstream))
        records = json.loads(dataset_file("poetry", relpath, digest, url).read_text("utf-8"))
        for r in records:
            title = r.get("rhythmic") or r.get("title") or ""
            out.append(Poem(title, r.get("author", ""), tuple(r.get("paragraphs", []))))
    return out
