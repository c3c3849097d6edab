"""The package's shape: no import cycle, files read in one sitting, tests on public names,
lower layers that do not speak of upper ones."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "seqlab"
TESTS = Path(__file__).resolve().parent
MAX_LINES = 400


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


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: _module(p))
def test_every_file_is_read_in_one_sitting(path):
    assert len(path.read_text().splitlines()) <= MAX_LINES


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
