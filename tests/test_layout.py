"""The package's shape: no import cycle, files read in one sitting, tests on public names,
lower layers that do not speak of upper ones, tasks that do not reach into each other."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "seqlab"
TESTS = Path(__file__).resolve().parent
BENCHMARKS = ROOT / "benchmarks"

# STYLE.md's numbers: about 300 lines for a building block (nn/, models/), 600 for any file.
BLOCK_LINES, MAX_LINES = 300, 600
# A file over its number stays whole only for a reason written here.
LONGER = {
    "nn/recurrent.py": "the Recurrent layer's two backends (fused, cells) and the state they "
    "share read as one: each backend is the other's reference",
    "nn/transformer.py": "the encoder, the decoder and the causal mask share their blocks; the "
    "annotated-transformer reading order (blocks, then the stacks) keeps them together",
    "models/seq2seq.py": "both encoder–decoder families (recurrent with attention, Transformer) "
    "behind the one decoding interface (start, step, state.select) that search.py reads, with "
    "the teacher forcing and the loss they share",
    "tasks/forecasting/forecaster.py": "one estimator over one series and many: its parameters "
    "documented once, and fit, predict, evaluate and save for both shapes of data; what fit "
    "learns of many series and the arithmetic on them live in panel.py",
}


def _module(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(SRC.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every seqlab module ``path`` imports, anywhere in it (inside functions and under
    TYPE_CHECKING too): ``from a import b`` counts as a.b when that is a module."""
    found = set()
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative imports
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            for a in node.names:
                found.add(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base)
    return {m for m in found if m in MODULES and m != _module(path)}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path, or None."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_imports_itself_back():
    assert _cycle(GRAPH) is None


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "seqlab"


def test_the_layers_form_no_cycle():
    """Collapsed to their top-level package (nn, models, data, tasks, text, report, cli,
    ...), the imports still form no cycle: text/ never imports back from tasks/ and back."""
    layers: dict[str, set[str]] = {}
    for name, imported in GRAPH.items():
        layers.setdefault(_layer(name), set()).update(
            _layer(m) for m in imported if _layer(m) != _layer(name)
        )
    assert "seqlab" not in set().union(*layers.values())  # nothing imports the root package
    assert _cycle(layers) is None


def _limit(path: Path) -> int:
    inside = path.relative_to(SRC).parts if path.is_relative_to(SRC) else ()
    return BLOCK_LINES if inside and inside[0] in ("nn", "models") else MAX_LINES


FILES = sorted([*SRC.rglob("*.py"), *BENCHMARKS.rglob("*.py"), *TESTS.rglob("*.py")])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_is_read_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    key = str(path.relative_to(SRC)) if path.is_relative_to(SRC) else ""
    if key in LONGER:
        assert lines > _limit(path), f"{key} is back under {_limit(path)} lines: drop its reason"
    else:
        assert lines <= _limit(path)


def test_formatting_is_left_to_the_formatter():
    """No hand-packed lines: the formatter's off switches are for tables of data, and the
    code has none that needs them."""
    markers = ("# fmt: " + "skip", "# fmt: " + "off")
    held = [
        f"{path.relative_to(ROOT)}:{i}"
        for path in FILES
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if any(marker in line for marker in markers)
    ]
    assert held == []


TASKS = ("forecasting", "labelling", "lm", "seq2seq")


def _task(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["seqlab", "tasks"] and len(parts) > 2 else None


def test_task_packages_do_not_reach_into_each_other():
    """A task package imports the layers below, ``tasks.search`` (the one beam search), and
    of another task only its package's public names (``seqlab.tasks.lm``), never its
    modules: a classifier starts from a language model, not from its internals."""
    found = []
    for name, imported in GRAPH.items():
        mine = _task(name)
        if mine not in TASKS:
            continue
        for m in imported:
            theirs = _task(m)
            if theirs in TASKS and theirs != mine and m != f"seqlab.tasks.{theirs}":
                found.append(f"{name} -> {m}")
    assert found == []


def test_the_task_rule_catches_a_module_import():
    planted = {"seqlab.tasks.labelling.classify": {"seqlab.tasks.lm.model"}}
    found = [
        m
        for name, imported in planted.items()
        for m in imported
        if _task(m) != _task(name) and m != f"seqlab.tasks.{_task(m)}"
    ]
    assert found == ["seqlab.tasks.lm.model"]


def test_benchmark_protocols_sit_between_tasks_and_the_cli():
    """bench/ uses the tasks and is used only by the pages that run it (explain/) and the
    CLI."""
    below = {_layer(m) for name, ms in GRAPH.items() if _layer(name) == "bench" for m in ms}
    assert "tasks" in below and not below & {"cli", "explain"}
    above = {_layer(name) for name, ms in GRAPH.items() for m in ms if _layer(m) == "bench"}
    assert above <= {"bench", "explain", "cli"}


def test_tests_import_public_names_only():
    private = []
    for path in sorted(TESTS.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("seqlab"):
                private += [
                    f"{path.name}: {a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.endswith("__")
                ]
                if any(part.startswith("_") for part in (node.module or "").split(".")):
                    private.append(f"{path.name}: {node.module}")
    assert private == []


LOWER = ("nn", "models", "data", "datasets", "train", "metrics", "io", "errors", "estimator")
UPPER_NAMES = ("Forecaster", "SequenceTagger", "SequenceClassifier", "seqlab forecast")


def test_lower_layers_do_not_name_upper_classes_in_their_messages():
    found = []
    for name, path in MODULES.items():
        if _layer(name) not in LOWER:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and node.exc is not None:
                text = ast.unparse(node.exc)
                found += [f"{name}: {word}" for word in UPPER_NAMES if word in text]
    assert found == []
