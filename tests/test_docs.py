"""The README and docs/ stay true: every Python example runs, every `seqlab` command line
parses with the options it names, the tables match their benchmarks' JSON, and the README
stays a front door."""

import importlib.util
import re
import shlex
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from seqlab.cli import app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", flags=re.S | re.M)


def _blocks(page: Path, languages: tuple[str, ...]) -> list[str]:
    return [code for lang, code in FENCE.findall(page.read_text()) if lang in languages]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_python_example_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write runs/ and files where they stand
    namespace: dict = {}
    for code in _blocks(page, ("python",)):
        exec(compile(code, f"{page.name} example", "exec"), namespace)


def _command_lines() -> list[tuple[str, str]]:
    lines = []
    for page in PAGES:
        for code in _blocks(page, ("", "bash", "sh")):
            for line in code.replace("\\\n", " ").splitlines():  # continued lines joined
                if line.startswith("torchrun ") and " -m seqlab " in line:
                    line = "seqlab " + line.split(" -m seqlab ", 1)[1]  # what each rank runs
                if line.startswith("seqlab "):
                    line = re.split(r"\s+#|\s+[|>]\s", line)[0]  # comments, pipes, redirects
                    lines.append((page.name, line.strip()))
    return lines


# Lines that run offline in seconds are run; the others (a whole training run, a download,
# a file of the reader's own) are parsed against the real command, options and values.
QUICK = (
    ("text", "segment"),
    ("text", "tag"),
    ("text", "sentiment"),
    ("text", "generate"),
    ("text", "translate"),
    ("explain", "parity"),
)


@pytest.mark.parametrize(("page", "line"), _command_lines())
def test_every_command_line_parses_and_the_quick_ones_run(page, line):
    words = shlex.split(line)[1:]
    command, path = typer.main.get_command(app), []
    while hasattr(command, "commands") and words and words[0] in command.commands:
        path.append(words[0])
        command = command.commands[words.pop(0)]
    assert not hasattr(command, "commands"), f"{page}: {line} names no command"
    command.make_context(command.name, list(words))  # raises on an unknown option or value
    if tuple(path) in QUICK and not {"--file", "--from"} & set(words):
        result = CliRunner().invoke(app, [*path, *words])
        assert result.exit_code == 0, (line, result.output)
        assert result.output.strip()


def test_the_docs_name_real_commands():
    assert len(_command_lines()) >= 10


def test_the_tables_are_the_benchmarks_json():
    spec = importlib.util.spec_from_file_location(
        "docs_tables", ROOT / "benchmarks" / "docs_tables.py"
    )
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    assert tables.stale() == []
    # each script owns its tables; every marked block of the docs has one owner
    owned = tables.every_table()
    marked = {
        name
        for page in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
        for name in re.findall(r"<!-- ([a-z0-9-]+) -->\n", page.read_text())
    }
    assert marked == set(owned)
    assert not [n for n in vars(tables) if n.startswith("table_")]  # no renderer kept here


def test_the_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 200
    for page in PAGES:
        words = page.read_text()
        assert not re.search(r"\bcommit [0-9a-f]{7}|\bissue( \d|s? #)", words), page.name
    for link in re.findall(r"\]\(([^)#]+)", text):  # every link of the README leads somewhere
        assert link.startswith("http") or (ROOT / link).exists(), link
