"""``seqlab text train lm`` and ``seqlab text generate``: a model trained from a file, with a
sample on each epoch's line, that generate then uses; poems in their form; bad input in one
sentence that names the option."""

import random
import re

import pytest
from typer.testing import CliRunner

from seqlab.cli import app

runner = CliRunner()
CHARS = "春夏秋冬山水花月風雲江天人歸夜雨千里白日明"


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> str:
    rng = random.Random(0)
    line = lambda: "".join(rng.choice(CHARS) for _ in range(5))  # noqa: E731
    folder = tmp_path_factory.mktemp("lm")
    poems = [f"{t}\t{line()}，{line()}。{line()}，{line()}。" for t in ("春", "秋") * 30]
    (folder / "poems.tsv").write_text("\n".join(poems), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "text",
            "train",
            "lm",
            "--data",
            str(folder / "poems.tsv"),
            "--documents",
            "lines",
            "--titled",
            "--model",
            "gru",
            "--hidden",
            "24",
            "--layers",
            "1",
            "--context",
            "16",
            "--epochs",
            "2",
            "--lr",
            "0.01",
            "--device",
            "cpu",
            "--out",
            str(folder),
        ],
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"epoch 1/2 train [\d.]+\s+val [\d.]+ .*sample:\s+'", result.output)
    return str(folder / "lm")


def test_generate_writes_a_poem_in_its_form_from_the_trained_model(trained):
    result = runner.invoke(
        app,
        [
            "text",
            "generate",
            "--from",
            trained,
            "--acrostic",
            "春夏秋冬",
            "--form",
            "5x4",
            "--title",
            "秋",
            "--seed",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"春[^，。]{4}，夏[^，。]{4}。\n秋[^，。]{4}，冬[^，。]{4}。\n", result.output
    )
    again = runner.invoke(
        app,
        [
            "text",
            "generate",
            "--model",
            trained,
            "--acrostic",
            "春夏秋冬",
            "--form",
            "5x4",
            "--title",
            "秋",
            "--seed",
            "2",
        ],
    )
    assert again.output == result.output  # --model is --from; the seed repeats the poem
    beam = runner.invoke(
        app, ["text", "generate", "山", "--from", trained, "--form", "7x2", "--beam", "4"]
    )
    assert re.fullmatch(r"山[^，。]{6}，[^，。]{7}。\n", beam.output), beam.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", ""], r"PREFIX of seqlab text generate must hold at least one character"),
        (["generate", "龘"], r"must use characters the model has seen.*On the command line"),
        (["generate", "春夏秋冬山水", "--form", "5x4"], r"character 6 must be '，'.*--form"),
        (["generate", "--form", "40x4"], r"lines of 1 to 15 characters.*--form"),
        (
            ["generate", "--acrostic", "春夏", "--form", "5x4"],
            r"one character per line.*--acrostic",
        ),
    ],
)
def test_bad_generation_input_is_one_sentence(trained, args, message):
    result = runner.invoke(app, ["text", *args, "--from", trained])
    assert result.exit_code == 1
    assert re.search(message, result.output.replace("\n", " ")), result.output
    assert "Traceback" not in result.output


def test_train_lm_refuses_a_binary_or_missing_file(tmp_path):
    (tmp_path / "model.bin").write_bytes(bytes(range(256)))
    result = runner.invoke(app, ["text", "train", "lm", "--data", str(tmp_path / "model.bin")])
    assert result.exit_code == 1
    assert "must be UTF-8 (or GBK/GB18030) text; got bytes that are neither" in result.output
    (tmp_path / "nul.txt").write_bytes(b"abc\x00def")
    result = runner.invoke(app, ["text", "train", "lm", "--data", str(tmp_path / "nul.txt")])
    assert "holds NUL bytes (a binary file)" in result.output
    result = runner.invoke(app, ["text", "train", "lm"])
    assert "--data of seqlab text train lm must name a UTF-8 text file; got none" in result.output


def test_generate_answers_simplified_characters_in_simplified_characters():
    result = runner.invoke(
        app, ["text", "generate", "--acrostic", "我爱中国", "--form", "5x4", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        r"我[^，。]{4}，爱[^，。]{4}。\n中[^，。]{4}，国[^，。]{4}。\n", result.output
    )


def test_generate_rhymes_a_form_unless_told_not_to():
    from seqlab.data.rhyme import check_poem

    args = ["text", "generate", "--title", "春风", "--form", "7x4"]
    rhymed = [runner.invoke(app, [*args, "--seed", str(s)]) for s in range(4)]
    assert all(r.exit_code == 0 and check_poem(r.output).rhymes for r in rhymed), rhymed
    free = [runner.invoke(app, [*args, "--no-rhyme", "--seed", str(s)]).output for s in range(4)]
    assert free != [r.output for r in rhymed]  # the flag reaches the decoder
