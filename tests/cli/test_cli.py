import pytest
from typer.testing import CliRunner

from seqlab import __version__
from seqlab.cli import app

runner = CliRunner()


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"seqlab {__version__}"


def test_help_ends_with_an_example():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "seqlab explain parity" in result.output


def test_explain_parity_prints_tiny_differences(tmp_path):
    result = runner.invoke(
        app, ["explain", "parity", "--layers", "1", "--no-bidirectional", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "parity.png").is_file() and (tmp_path / "index.html").is_file()
    rows = [line for line in result.output.splitlines() if "lstm" in line]
    assert rows, result.output
    numbers = [float(cell) for cell in rows[0].replace("│", " ").split()[1:]]
    assert len(numbers) == 4 and max(numbers) < 1e-10


def test_seqlab_error_is_one_red_line_and_exit_1():
    result = runner.invoke(app, ["explain", "parity", "--dtype", "float16"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: dtype of compare_backends must be one of 'float32', 'float64'; got 'float16'. "
        "Pick one of the listed values. On the command line: --dtype."
    )
    assert "Traceback" not in result.output


def test_verbose_shows_the_exception():
    result = runner.invoke(app, ["--verbose", "explain", "parity", "--dtype", "float16"])
    assert result.exit_code == 1
    assert isinstance(result.exception, ValueError)


@pytest.mark.parametrize("command", [["explain", "--help"], ["explain", "parity", "--help"]])
def test_subcommand_help_has_example(command):
    result = runner.invoke(app, command)
    assert result.exit_code == 0
    assert "Example" in result.output and "seqlab explain parity" in result.output


@pytest.mark.parametrize(
    ("command", "hint"),
    [
        (["forecast"], "Rows read [default: 60]."),
        (["text", "train"], "Max epochs [default: the recipe's]."),
        (["text", "segment"], "[default: bundled]."),
    ],
)
def test_help_keeps_its_default_hints(command, hint):
    # Rich reads "[default: ...]" as markup and drops it unless it is escaped.
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and hint in result.output


def _commands(command, path=()):
    subs = getattr(command, "commands", None)
    if subs is None:
        yield path
        return
    yield path
    for name, sub in subs.items():
        yield from _commands(sub, (*path, name))


def test_every_help_wraps_its_paragraphs_as_paragraphs():
    """At 80 columns a paragraph of help fills its lines: no hard line break from the
    docstring leaves a short line inside it, and no example is cut in two."""
    import typer

    paths = list(_commands(typer.main.get_command(app)))
    assert ("forecast",) in paths and ("text", "train") in paths
    ragged = []
    for path in paths:
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80"}, terminal_width=80)
        assert result.exit_code == 0, (path, result.output)
        head = result.output.split("╭")[0].splitlines()
        paragraph: list[str] = []
        for line in [*head, ""]:
            if line.strip():
                paragraph.append(line.rstrip())
                continue
            ragged += [(path, text) for text in paragraph[:-1] if len(text) < 60]
            paragraph = []
    assert ragged == []


@pytest.mark.parametrize(
    ("args", "stdin", "option"),
    [
        (["predict", "--from", "nope/lstm", "--dataset", "msft"], None, "--from"),
        (["seq2seq", "predict", "--from", "nope", "x"], None, "--from"),
        (["text", "segment", "--from", "nope"], "我爱北京\n", "--from"),
        (["text", "tag", "--from", "nope", "我爱北京"], None, "--from"),
        (["text", "sentiment", "--from", "nope", "好"], None, "--from"),
        (["text", "generate", "--from", "nope"], None, "--from"),
        (["forecast", "--data", "missing.csv"], None, "--data"),
        (["text", "generate", "--form", "0x4"], None, "--form"),
    ],
)
def test_an_error_names_the_option_of_its_parameter_and_no_other(args, stdin, option, tmp_path):
    """The error carries its parameter; the command maps it to its own option: a model folder
    read for --from is --from (not --data), a missing --data file names no --missing, and
    generate's form names --form (not translate's --to)."""
    args = [str(tmp_path / a) if a in ("nope", "nope/lstm", "missing.csv") else a for a in args]
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 1, result.output
    line = result.output.replace("\n", " ")
    assert line.startswith("error: ")
    assert line.rstrip().endswith(f"On the command line: {option}."), line


def test_a_run_folder_or_a_file_where_a_model_folder_is_due_says_which_to_pass(tmp_path):
    import seqlab as sl

    run = tmp_path / "run"
    df = sl.datasets.load("sine")
    for name in ("naive", "drift"):
        sl.Forecaster(model=name, lookback=8, horizon=2).fit(df).save(run / name)
    (run / "config.json").write_text('{"models": ["naive"], "lookback": 8}')
    expected = (
        f"error: path of Forecaster.load must be a model folder, not a run folder; got "
        f"'{run}'. Pass '{run / 'drift'}'; this run holds: drift, naive."
    )
    for args, option in (
        (["predict", "--from", str(run), "--dataset", "sine"], "--from"),
        (["export", str(run)], "FOLDER"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 1
        assert (
            result.output.replace("\n", " ").strip() == f"{expected} On the command line: {option}."
        )
    table = tmp_path / "x.csv"
    table.write_text("a,b\n1,2\n")
    result = runner.invoke(app, ["export", str(table)])
    assert result.exit_code == 1
    assert f"got '{table}', which is a file, not a folder." in result.output.replace("\n", " ")


def test_the_cli_takes_its_defaults_from_the_estimators(monkeypatch, tmp_path):
    """An option left out is not passed: the estimator's own default decides. Caught where
    the CLI builds the estimator, so nothing trains."""
    from seqlab.tasks import LanguageModel, Seq2Seq

    built = {}

    class Stop(Exception):
        pass

    def seen(cls):
        def fit(self, *args, **kwargs):
            built[cls.__name__] = self.get_params()
            raise Stop

        return fit

    monkeypatch.setattr(Seq2Seq, "fit", seen(Seq2Seq))
    monkeypatch.setattr(LanguageModel, "fit", seen(LanguageModel))
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("".join(f"{w}{i}\tx{i}\n" for i in range(30) for w in ("ab",)))
    runner.invoke(app, ["seq2seq", "train", "--data", str(pairs), "--epochs", "3"])
    text = tmp_path / "text.txt"
    text.write_text("to be or not to be\n" * 20)
    runner.invoke(app, ["text", "train", "lm", "--data", str(text), "--hidden", "32"])
    defaults = Seq2Seq().get_params()
    assert built["Seq2Seq"] == defaults | {"epochs": 3, "verbose": True}
    defaults = LanguageModel().get_params()
    assert built["LanguageModel"] == defaults | {"hidden_size": 32, "verbose": True}
