"""``seqlab explain`` and ``seqlab bench memory`` from the command line: each writes its
PNGs and one self-contained page, prints its numbers, and says what is wrong in one line."""

import json
import re

import pytest
from typer.testing import CliRunner

import seqlab as sl
from seqlab.cli import app

runner = CliRunner()

COMMANDS = ["parity", "bptt", "gradients", "positions", "gates", "attention"]


def _page(folder):
    html = (folder / "index.html").read_text()
    pngs = sorted(folder.glob("*.png"))
    assert pngs and html.count("data:image/png;base64,") == len(pngs)
    captions = re.findall(r"<p class='caption'>(.*?)</p>", html, flags=re.S)
    assert len(captions) == len(pngs)
    sentences = [len(re.findall(r"[.!?](?=\s|$)", c)) for c in captions]
    assert all(2 <= n <= 3 for n in sentences), sentences  # two or three sentences each
    return html


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_an_example(command):
    result = runner.invoke(app, ["explain", command, "--help"])
    assert result.exit_code == 0
    assert f"seqlab explain {command}" in result.output and "Example" in result.output


def test_bptt_checks_against_autograd(tmp_path):
    result = runner.invoke(app, ["explain", "bptt", "--length", "20", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = [line for line in result.output.splitlines() if line.startswith("│  0.5")]
    assert rows
    differences = [float(v) for v in rows[0].strip("│").split("│")[2:]]
    assert len(differences) == 5 and max(differences) <= 1e-10
    assert "‖∂h_t/∂h_0‖" in result.output
    assert "largest difference" in _page(tmp_path)


def test_gradients_writes_one_log_plot(tmp_path):
    result = runner.invoke(
        app,
        [
            "explain",
            "gradients",
            "--model",
            "rnn,tcn",
            "--length",
            "16",
            "--steps",
            "2",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.glob("*.png")] == ["gradients.png"]
    assert result.output.count("rnn") >= 3 and "trained (no clip)" in result.output
    _page(tmp_path)


def test_gradients_names_the_option_on_a_bad_model():
    result = runner.invoke(app, ["explain", "gradients", "--model", "rnn,mamba"])
    assert result.exit_code == 1
    assert "--model must name backbones among rnn, lstm, gru, transformer, tcn" in result.output


def test_positions(tmp_path):
    result = runner.invoke(
        app, ["explain", "positions", "--length", "40", "--d-model", "8", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert "4.000" in result.output  # PE(p)·PE(p) = d/2
    assert len(list(tmp_path.glob("*.png"))) == 3
    _page(tmp_path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    df = sl.datasets.load("airpassengers")
    for model in ("gru", "transformer", "dlinear"):
        fc = sl.Forecaster(
            model=model,
            target="passengers",
            lookback=12,
            horizon=3,
            hidden_size=8,
            epochs=1,
            device="cpu",
        )
        fc.fit(df).save(root / model)
    df.to_csv(root / "air.csv")
    return root


def test_gates_of_a_saved_run_on_the_users_data(runs, tmp_path):
    result = runner.invoke(
        app,
        [
            "explain",
            "gates",
            str(runs / "gru"),
            "--data",
            str(runs / "air.csv"),
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "update gate z" in result.output and "reset gate r" in result.output
    assert "update gate z" in _page(tmp_path)


def test_gates_of_a_model_without_gates_is_one_line(runs):
    result = runner.invoke(
        app, ["explain", "gates", str(runs / "dlinear"), "--dataset", "airpassengers"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: model of the saved forecaster must be lstm or gru")


def test_attention_of_the_forecaster_and_the_translator(runs, tmp_path):
    result = runner.invoke(
        app,
        [
            "explain",
            "attention",
            str(runs / "transformer"),
            "--dataset",
            "airpassengers",
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p.name for p in tmp_path.glob("*.png")} == {
        "window.png",
        "forecaster.png",
        "translator.png",
    }
    assert "source × output" in _page(tmp_path)
    recorded = json.loads((tmp_path / "results.json").read_text())
    assert recorded["source"] == str(runs / "transformer")
    assert recorded["sentence"] == "我们明天去北京。" and recorded["translation"]


def test_attention_of_the_translator_alone_records_its_sentence(tmp_path):
    text = "我们明天去北京。"
    args = ["explain", "attention", "--no-forecaster", "--text", text, "--out", str(tmp_path)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    recorded = json.loads((tmp_path / "results.json").read_text())
    assert recorded["sentence"] == text and recorded["translation"]
    assert "source" not in recorded  # no forecaster, no data read
    assert {p.name for p in tmp_path.glob("*.png")} == {"translator.png"}


def test_bench_memory_quick(tmp_path):
    out = tmp_path / "m.json"
    result = runner.invoke(
        app,
        [
            "bench",
            "memory",
            "--quick",
            "--task",
            "adding",
            "--model",
            "rnn",
            "--length",
            "8,16",
            "--out",
            str(out),
            "--plot",
            str(tmp_path / "c.png"),
        ],
    )
    assert result.exit_code == 0, result.output
    runs = json.loads(out.read_text())["runs"]
    assert [(r["length"], r["skipped"]) for r in runs] == [(8, False), (16, True)]
    assert "not run (failed shorter)" in result.output and (tmp_path / "c.png").is_file()


def test_bench_memory_bad_task_is_one_line():
    result = runner.invoke(app, ["bench", "memory", "--task", "sorting"])
    assert result.exit_code == 1
    assert "--task must be among adding, copy" in result.output


def test_bad_input_is_one_line_naming_the_option(tmp_path):
    cases = [
        (
            ["explain", "gates", str(tmp_path / "nowhere")],
            "error: run of seqlab explain must be a model folder saved by seqlab forecast",
            "On the command line: RUN.",
        ),
        (
            ["explain", "bptt", "--hidden", "0"],
            "error: hidden of bptt_study must be a positive integer; got 0.",
            "On the command line: --hidden.",
        ),
        (["explain", "bptt", "--scales", "1,-2"], "error: --scales must be positive numbers", ""),
        (
            ["explain", "positions", "--length", "2"],
            "error: length and d_model of the positions must be at least 4 and 2",
            "--length, --d-model",
        ),
    ]
    for args, start, option in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.output.startswith(start) and option in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
