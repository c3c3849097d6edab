"""The tables of the docs, rewritten between their markers from the benchmarks' results.

Each benchmark script owns its tables: it writes its JSON into benchmarks/results/ and
defines ``TABLES = {name: (the page, a function rendering the table from the JSON)}``, then
calls :func:`update` with them, which rewrites each table between its markers
(``<!-- name -->`` … ``<!-- /name -->``) in README.md or docs/. This module holds only that
shared rewriting, and finds every script's tables to render them all again from the JSON
on disk, measuring nothing:

    python benchmarks/docs_tables.py            # all tables, from benchmarks/results/*.json
    python benchmarks/docs_tables.py --check    # exit 1 if a table differs from its JSON
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

Table = tuple[Path, Callable[[], str]]  # the page it lives in, and its renderer


def read_json(name: str) -> dict | list:
    """benchmarks/results/``name``.json."""
    return json.loads((RESULTS / f"{name}.json").read_text())


def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"<!-- {name} -->\n.*?<!-- /{name} -->", flags=re.S)


def rendered(name: str, table: Table, text: str) -> str:
    """``text`` (the page of ``table``) with the block ``name`` rendered afresh."""
    page, render = table
    block = f"<!-- {name} -->\n{render()}<!-- /{name} -->"
    if not _pattern(name).search(text):
        raise SystemExit(f"no <!-- {name} --> markers in {page.name}")
    return _pattern(name).sub(lambda _: block, text)


def update(tables: dict[str, Table]) -> None:
    """Rewrite ``tables`` (a script's TABLES) in their pages."""
    for name, table in tables.items():
        page = table[0]
        page.write_text(rendered(name, table, page.read_text()))


def every_table() -> dict[str, Table]:
    """The TABLES of every script in benchmarks/, by table name."""
    sys.path.insert(0, str(HERE))  # the scripts import this module by its name
    found: dict[str, Table] = {}
    for script in sorted(HERE.glob("*.py")):
        if script.name == Path(__file__).name:
            continue
        spec = importlib.util.spec_from_file_location(f"benchmarks_{script.stem}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        tables = getattr(module, "TABLES", {})
        twice = set(tables) & set(found)
        if twice:
            raise SystemExit(f"{script.name} claims tables another script owns: {twice}")
        found |= tables
    return found


def stale(tables: dict[str, Table] | None = None) -> list[str]:
    """The tables whose text differs from what their JSON renders."""
    tables = every_table() if tables is None else tables
    return [
        name
        for name, table in tables.items()
        if rendered(name, table, table[0].read_text()) != table[0].read_text()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a table is stale")
    args = parser.parse_args()
    tables = every_table()
    if args.check:
        names = stale(tables)
        print("stale: " + ", ".join(names) if names else "every table matches its JSON")
        sys.exit(1 if names else 0)
    update(tables)
    print("rewrote: " + ", ".join(tables))


if __name__ == "__main__":
    main()
